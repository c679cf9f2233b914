"""The Japanese font a PDF is set in: a TrueType font embedded as a subset, found on the machine.

ReportLab embeds TrueType outlines only (not the CFF outlines of Noto CJK or most .otf files), so
the search looks for TrueType Mincho fonts: IPAex Mincho first (Debian's fonts-ipaexfont), then
the usual Windows and macOS fonts. With none found, the PDF falls back to ReportLab's built-in
Japanese CID font, which is not embedded: the reader's viewer must supply the glyphs.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BadInput
from ..i18n import _, ngettext

BUILTIN = "HeiseiMin-W3"          # ReportLab's Japanese CID font (Adobe-Japan1), never embedded
GETA = "〓"                       # what Japanese typesetting prints for a character it lacks
SAMPLE = "行政文書開示請求書舞鶴市長様令和"  # a font that lacks these is no Japanese font

# Font files by name, best first. Each is looked for in every font folder below.
FILE_NAMES = (
    "ipaexm.ttf",                 # IPAex Mincho (fonts-ipaexfont-mincho; ipaexfont.org)
    "ipam.ttf",                   # IPA Mincho (fonts-ipafont-mincho)
    "fonts-japanese-mincho.ttf",  # Debian's alternatives link to the preferred Mincho
    "yumin.ttf",                  # Yu Mincho (Windows 8.1 and later)
    "msmincho.ttc",               # MS Mincho (Windows)
    "ヒラギノ明朝 ProN.ttc",        # Hiragino Mincho (macOS); skipped where its outlines are CFF
    "Hiragino Mincho ProN.ttc",
    "ipaexg.ttf",                 # IPAex Gothic: a Gothic is better than no embedded font at all
    "ipag.ttf",
    "fonts-japanese-gothic.ttf",
    "yugothr.ttc",
    "msgothic.ttc",
    "meiryo.ttc",
    "Arial Unicode.ttf",          # macOS: has the kanji, in a sans-serif face
)


def font_dirs() -> list[Path]:
    """The folders fonts are installed in on Linux, macOS and Windows, the user's own first."""
    home = Path.home()
    dirs = [home / ".local/share/fonts", home / ".fonts", home / "Library/Fonts"]
    if local := os.environ.get("LOCALAPPDATA"):
        dirs.append(Path(local) / "Microsoft/Windows/Fonts")
    dirs.append(Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts")
    dirs += [Path("/usr/share/fonts/opentype/ipaexfont-mincho"), Path("/usr/share/fonts/truetype/ipaexfont-mincho"),
             Path("/usr/share/fonts/opentype/ipafont-mincho"), Path("/usr/share/fonts/truetype/ipafont-mincho"),
             Path("/usr/share/fonts/ipa-ex-mincho"), Path("/usr/share/fonts/ipa-mincho"),   # Fedora
             Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts/opentype/ipaexfont-gothic"),
             Path("/usr/share/fonts/truetype/ipaexfont-gothic"), Path("/usr/share/fonts/ipa-ex-gothic"),
             Path("/usr/local/share/fonts"), Path("/Library/Fonts"), Path("/System/Library/Fonts"),
             Path("/System/Library/Fonts/Supplemental")]
    return dirs


def candidates() -> Iterator[Path]:
    """Every font file worth trying, best first; found as they are tried (the first usually serves)."""
    seen = set()
    dirs = font_dirs()
    for name in FILE_NAMES:
        for d in dirs:
            p = d / name
            if p not in seen and p.is_file():
                seen.add(p)
                yield p


@dataclass
class Font:
    """A font registered with ReportLab: `name` for setFont, and what a page may print with it."""

    name: str
    path: Path | None                # None: the built-in CID font
    label: str                       # for messages: the file, or the built-in font's name
    glyphs: frozenset[int] | None    # code points the font can print; None: not known (CID font)
    missing: set[str] = field(default_factory=set)

    @property
    def embedded(self) -> bool:
        return self.path is not None

    def printable(self, text: str) -> str:
        """text with every character the font cannot print replaced by 〓, each remembered in `missing`."""
        out = []
        for ch in text:
            code = ord(ch)
            if ch in "\n☐☑" or (self.glyphs is not None and code in self.glyphs) or (
                    self.glyphs is None and code <= 0xFFFF and not 0xD800 <= code <= 0xDFFF):
                out.append(ch)
            else:
                self.missing.add(ch)
                out.append(GETA)
        return "".join(out)

    def missing_message(self) -> str | None:
        if not self.missing:
            return None
        chars = ", ".join(f"{c} (U+{ord(c):04X})" for c in sorted(self.missing))
        if self.path is None:
            message = ngettext("the built-in font {font} has no glyph for {chars}; printed as {geta}. Choose a font "
                               "that has it with --font or KAIJI_FONT.",
                               "the built-in font {font} has no glyph for {chars}; printed as {geta}. Choose a font "
                               "that has them with --font or KAIJI_FONT.", len(self.missing))
        else:
            message = ngettext("{font} has no glyph for {chars}; printed as {geta}. Choose a font that has it with "
                               "--font or KAIJI_FONT.",
                               "{font} has no glyph for {chars}; printed as {geta}. Choose a font that has them with "
                               "--font or KAIJI_FONT.", len(self.missing))
        return message.format(font=self.name if self.path is None else self.label, chars=chars, geta=GETA)


def _load_ttf(path: Path):
    """ReportLab's TTFont for a file, or a BadInput saying why it cannot be used."""
    from reportlab.pdfbase.ttfonts import TTFError

    # The ReportLab name depends on the file alone, so one file always gives the same PDF bytes.
    name = "KaijiJP-" + hashlib.sha1(str(path).encode("utf-8", "surrogateescape")).hexdigest()[:10]
    try:
        font = _cached(name, path) or _parse(name, path)
    except TTFError as exc:
        message = (_("{path} cannot be used as the PDF font: its outlines are PostScript (CFF), which cannot be "
                     "embedded; use a TrueType (.ttf/.ttc) Japanese font such as IPAex Mincho (ipaexm.ttf).")
                   if "postscript" in str(exc).lower() else
                   _("{path} cannot be used as the PDF font: it is not a TrueType font; use a TrueType (.ttf/.ttc) "
                     "Japanese font such as IPAex Mincho (ipaexm.ttf)."))
        raise BadInput(message.format(path=path)) from None
    except OSError as exc:
        raise BadInput(_("cannot read the font {path} ({reason}); check the path.").format(
            path=path, reason=exc.strerror or exc)) from None
    except Exception:  # noqa: BLE001 - a damaged file trips ReportLab's parser in many ways
        raise BadInput(_("{path} cannot be used as the PDF font: it is not a TrueType font ReportLab can read; "
                         "use a TrueType (.ttf/.ttc) Japanese font such as IPAex Mincho (ipaexm.ttf).").format(
                             path=path)) from None
    glyphs = frozenset(font.face.charToGlyph)
    if not all(ord(c) in glyphs for c in SAMPLE):
        raise BadInput(_("{path} has no Japanese characters; use a Japanese TrueType font such as IPAex Mincho "
                         "(ipaexm.ttf).").format(path=path))
    return font, glyphs


# ---------------------------------------------------------------- the parsed font, kept between runs
#
# ReportLab parses a TrueType file in pure Python each time it loads one: for IPAex Mincho (7.8 MB,
# 12,000 glyphs) that is most of the time one `kaiji pdf` command takes beyond its imports. What the
# parse yields (the character map, the widths, the glyph offsets) is kept in the user's cache folder,
# one file per font file, and used while the font file, ReportLab and Python stay the same; the
# font's bytes are read from the font file itself. A cache file that cannot be read is parsed anew.

CACHE_FORMAT = 1
_NOT_KEPT = {"face", "state", "fontName"}            # TTFont: set anew on each load
_FACE_NOT_KEPT = {"_ttf_data", "_pdfScale"}         # TTFontFace: the file's bytes, and a lambda


def cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("kaiji", appauthor=False)) / "fonts"


def _cache_file(path: Path, st: os.stat_result) -> Path:
    """The cache file of a font file, named by three digests: the font's path; the file itself (size,
    modification and change times, inode: a file changed, replaced or copied over changes them); and
    what reads it (this format, ReportLab's and Python's versions)."""
    import reportlab

    digest = lambda s: hashlib.sha1(s.encode("utf-8", "surrogateescape")).hexdigest()[:16]  # noqa: E731
    file = f"{st.st_size}|{st.st_mtime_ns}|{st.st_ctime_ns}|{st.st_ino}"
    env = f"{CACHE_FORMAT}|{reportlab.Version}|{sys.version_info[:2]}"
    return cache_dir() / f"{digest(str(path))}-{digest(file)}-{digest(env)}.pickle"


def _scale(units_per_em: int):
    """Font units to PDF units (1000 an em), as ReportLab's parser sets face._pdfScale."""
    if units_per_em == 1000:
        return lambda x: x
    factor = 1000 / units_per_em
    return lambda x: x * factor


def _cached(name: str, path: Path):
    """ReportLab's TTFont for path from the cache, or None."""
    import gc
    import pickle
    from weakref import WeakKeyDictionary

    from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

    try:
        with open(path, "rb") as font_file:
            st = os.fstat(font_file.fileno())       # the file that is read, whatever the path names meanwhile
            was_on = gc.isenabled()
            gc.disable()  # the load makes some 50,000 objects, none of them cyclic garbage
            try:
                with open(_cache_file(path, st), "rb") as f:
                    font_state, face_state = pickle.load(f)
            finally:
                if was_on:
                    gc.enable()
            data = font_file.read()
        if len(data) != st.st_size:
            return None                               # changed while it was read
        face = TTFontFace.__new__(TTFontFace)
        face.__dict__.update(face_state)
        face._ttf_data = data
        face._pdfScale = _scale(face.unitsPerEm)
        font = TTFont.__new__(TTFont)
        font.__dict__.update(font_state)
        font.fontName, font.face, font.state = name, face, WeakKeyDictionary()
        return font
    except Exception:  # noqa: BLE001 - not cached yet, written by a run that crashed, or unreadable: parse
        return None


def _parse(name: str, path: Path):
    """ReportLab's TTFont for path, parsed from the file; what the parse yields is cached for later runs.

    The cache folder is the user's own; what is kept there is the font's character map, widths and
    glyph offsets, nothing from the records."""
    import pickle

    from reportlab.pdfbase.ttfonts import TTFont

    from ..files import make_folder, write_bytes

    before = path.stat()
    font = TTFont(name, str(path), subfontIndex=0)
    try:
        st = path.stat()
        if (st.st_size, st.st_mtime_ns, st.st_ino) != (before.st_size, before.st_mtime_ns, before.st_ino):
            return font                                # changed while ReportLab read it: do not keep the parse
        cached = _cache_file(path, st)
        data = pickle.dumps(({k: v for k, v in vars(font).items() if k not in _NOT_KEPT},
                             {k: v for k, v in vars(font.face).items() if k not in _FACE_NOT_KEPT}),
                            protocol=pickle.HIGHEST_PROTOCOL)
        make_folder(cached.parent)
        path_part, _, env_part = cached.stem.split("-")
        for old in cached.parent.glob(f"{path_part}-*-{env_part}.pickle"):
            old.unlink(missing_ok=True)   # the parse of this font file before it changed
        write_bytes(cached, data, force=True)  # whole or not at all: a reader never sees half a file
    except Exception:  # noqa: BLE001 - a read-only home, a full disk: the PDF does not need the cache
        pass
    return font


_registered: dict[str, Font] = {}
_unusable: set[str] = set()      # found by the search, but not a font ReportLab can embed


def load(path: str | os.PathLike | None = None) -> tuple[Font, str | None]:
    """The font to print with, and a one-line warning when the PDF will not embed one.

    `path`: a font file; "builtin" for ReportLab's CID font; None to search (KAIJI_FONT first).
    """
    from reportlab.pdfbase import pdfmetrics

    chosen = path if path is not None else os.environ.get("KAIJI_FONT") or None
    if chosen is not None and str(chosen).strip().lower() != "builtin":
        p = Path(chosen).expanduser()
        if not p.is_file():
            raise BadInput(_("the font {path} does not exist (or is not a file); give the path of a TrueType "
                             "font, e.g. /usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf.").format(path=chosen))
        tried = [p.resolve()]
    elif chosen is not None:
        tried = []
    else:
        tried = (c.resolve() for c in candidates())
    for p in tried:
        key = str(p)
        if key in _unusable and chosen is None:
            continue
        if key not in _registered:
            try:
                ttf, glyphs = _load_ttf(p)
            except BadInput:
                if chosen is not None:
                    raise
                _unusable.add(key)
                continue  # e.g. a CFF-outline Hiragino: try the next
            pdfmetrics.registerFont(ttf)
            _registered[key] = Font(ttf.fontName, p, str(p), glyphs)
        font = _registered[key]
        font.missing = set()
        return font, None
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if BUILTIN not in _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(BUILTIN))
        _registered[BUILTIN] = Font(BUILTIN, None, f"the built-in font {BUILTIN}", None)
    font = _registered[BUILTIN]
    font.missing = set()
    if chosen is None:
        return font, _("no Japanese TrueType font found ({hint}); the PDF uses ReportLab's built-in {font}, not "
                       "embedded, and relies on the reader's fonts to show its text.").format(hint=install_hint(),
                                                                                             font=BUILTIN)
    return font, _("the PDF uses ReportLab's built-in {font}, not embedded, and relies on the reader's fonts.").format(
        font=BUILTIN)


def install_hint() -> str:
    """How to install IPAex Mincho here, in a few words."""
    if sys.platform == "darwin" or sys.platform.startswith("win"):
        return _("install IPAex Mincho (ipaexm.ttf) from https://moji.or.jp/ipafont/")
    return _("install IPAex Mincho: apt-get install fonts-ipaexfont, or dnf install ipa-ex-mincho-fonts")
