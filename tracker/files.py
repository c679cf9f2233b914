"""Every file kaiji writes goes through here (PDFs, backups, and any export to come): whole or not at all.

A file is written under a temporary name in its own folder, readable by its owner only, flushed to
the disk (fsync) and only then given its name. If anything fails or the user interrupts (Ctrl-C),
the temporary file is removed and whatever had the name before is left as it was; a process killed
outright (SIGKILL, a power cut) can leave only a hidden `.kaiji-….part` file, never a half-written
file under the name asked for. Nothing is written over the database, its -wal, -shm or -journal
file, or any other SQLite database (a backup); an existing file is replaced only when asked.
"""

from __future__ import annotations

import errno
import os
import secrets
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Iterable, Iterator

from .errors import BadInput, KaijiError, Refused
from .i18n import _

SQLITE_HEADER = b"SQLite format 3\x00"
SIDE_FILES = ("", "-wal", "-shm", "-journal")
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG, errno.EIO}


def database_files(database: Path | None) -> list[Path]:
    """A SQLite database's file and the files SQLite keeps beside it; none for another database."""
    return [] if database is None else [Path(f"{database}{suffix}") for suffix in SIDE_FILES]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, say: alive
        pass
    return True


def remove_stale_parts(folder: Path) -> None:
    """Delete the temporary files (.kaiji-PID-….part, with SQLite's -journal beside one) that a kaiji
    killed outright while writing left in folder: those whose process has ended. A file still being
    written by a running kaiji is kept, and so is anything not named as replacing() names its files."""
    import re

    try:
        found = list(folder.glob(".kaiji-*.part*"))
    except OSError:
        return
    for path in found:
        m = re.fullmatch(r"\.kaiji-(\d+)-[0-9a-f]+\.part(-journal)?", path.name)
        if m is not None and not alive(int(m[1])):
            with suppress(OSError):  # gone already, or not ours to delete: left as it is
                path.unlink()


def make_folder(folder: Path) -> None:
    """Create a folder and its missing parents, each readable by its owner only whatever the umask.

    Raises OSError; the caller says what the folder was for."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for f in reversed(missing):
        with suppress(FileExistsError):  # another process made it meanwhile
            os.mkdir(f, 0o700)


def failure(path: Path, exc: OSError, what: str = "") -> KaijiError:
    """An OSError while writing path, as one sentence: a full disk is refused (1), a bad path is misuse (2).

    what: the file's kind as a noun phrase marked with N_() ("the backup"), shown in the reader's language."""
    if exc.errno in _FULL:
        message = (_("cannot write {what} {path} ({reason}); nothing was written there, and a file of that name is as "
                     "it was: free some space and try again.") if what else
                   _("cannot write {path} ({reason}); nothing was written there, and a file of that name is as it "
                     "was: free some space and try again."))
        return Refused(message.format(what=_(what) if what else "", path=path, reason=exc.strerror))
    message = (_("cannot write {what} {path} ({reason}); check that the folder exists and is writable and that the "
                 "name is not too long.") if what else
               _("cannot write {path} ({reason}); check that the folder exists and is writable and that the name is "
                 "not too long."))
    return BadInput(message.format(what=_(what) if what else "", path=path, reason=exc.strerror or exc))


def _refuse_clobber(path: Path, force: bool, keep: Iterable[Path]) -> None:
    """Refuse to write over the database, a SQLite file, a folder, or (without force) any existing file."""
    real = os.path.realpath(path)
    for k in keep:
        if real == os.path.realpath(k) or (path.exists() and k.exists() and os.path.samefile(path, k)):
            raise BadInput(_("{path} is the database or one of its files; name another file.").format(path=path))
    if not os.path.lexists(path):
        return
    if path.is_dir():
        raise BadInput(_("{path} is a folder; name a file.").format(path=path))
    with suppress(OSError), open(path, "rb") as f:
        if f.read(len(SQLITE_HEADER)) == SQLITE_HEADER:
            raise Refused(_("{path} is a SQLite database (a kaiji database or a backup); kaiji never writes over "
                            "one, even with --force: name a new file.").format(path=path))
    if not force:
        raise Refused(_("{path} exists already; give --force to replace it, or name a new file.").format(path=path))


def _fsync(path: Path, flags: int = os.O_RDWR) -> None:
    fd = os.open(path, flags)  # read-write: Windows flushes only a file open for writing
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def replacing(path: str | os.PathLike[str], *, force: bool = False, keep: Iterable[Path] = (),
              what: str = "") -> Iterator[Path]:
    """Yield a new, empty temporary file beside path for the caller to fill; then give it path's name.

    keep: files never written over (the database's, database_files()). Without force an existing
    file is refused, also one that appears while the caller writes. Every failure is a KaijiError.
    """
    path = Path(os.path.abspath(Path(path).expanduser()))
    try:
        _refuse_clobber(path, force, keep)
        part = path.with_name(f".kaiji-{os.getpid()}-{secrets.token_hex(4)}.part")
        os.close(os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError as exc:
        raise failure(path, exc, what) from None
    try:
        yield part
        _fsync(part)
        if force:
            os.replace(part, path)
        else:
            try:
                os.link(part, path)  # fails if the name was taken meanwhile: never clobbers
            except FileExistsError:
                raise Refused(_("{path} exists already; give --force to replace it, or name a new file.").format(
                    path=path)) from None
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                    raise
                os.replace(part, path)  # a file system without hard links
        with suppress(OSError):  # the rename itself reaches the disk (not possible on every system)
            _fsync(path.parent, os.O_RDONLY)
    except OSError as exc:
        raise failure(path, exc, what) from None
    finally:
        with suppress(OSError):
            os.unlink(part)


def write_bytes(path: str | os.PathLike[str], data: bytes | Iterable[bytes], *, force: bool = False,
                keep: Iterable[Path] = (), what: str = "") -> Path:
    """Write data (bytes, or pieces of bytes as they are made: an export of 100,000 rows is never whole in
    memory) to path as replacing() does; returns the path written. An error while the pieces are made leaves
    nothing written."""
    with replacing(path, force=force, keep=keep, what=what) as part:
        fd = os.open(part, os.O_WRONLY)
        try:
            for piece in ((data,) if isinstance(data, (bytes, bytearray, memoryview)) else data):
                view = memoryview(piece)
                while view:
                    view = view[os.write(fd, view):]
        finally:
            os.close(fd)
    return Path(os.path.abspath(Path(path).expanduser()))
