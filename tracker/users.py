"""Accounts for `kaiji serve` on a shared server, and who entered each event.

An account has a name, a role and an Argon2id hash of its password (argon2-cffi): viewers read,
editors also record, admins also manage accounts. `kaiji user …` and the web pages call these.

Every event records who entered it (events.entered_by, filled by the column's default in
schema.py, so that every writer of events says it without a word of its own): the web user while a
page writes (`entering_as`), else KAIJI_USER, else the operating system's user name.
"""

from __future__ import annotations

import getpass
import os
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from .errors import BadInput, NotFound, Refused
from .i18n import N_, _
from .schema import users

ROLES = {"viewer": N_("viewer (reads)"), "editor": N_("editor (reads and records)"),
         "admin": N_("admin (records and manages accounts)")}
ROLE_NAMES = (N_("viewer"), N_("editor"), N_("admin"))  # as the pages name an account's role
MIN_PASSWORD = 10
NAME_LIMIT = 100

_who: ContextVar[str | None] = ContextVar("kaiji_entered_by", default=None)


def entered_by() -> str | None:
    """Who is entering events now: the web user, else KAIJI_USER, else the OS user (None if unknown)."""
    who = _who.get() or os.environ.get("KAIJI_USER")
    if not who:
        try:
            who = getpass.getuser()
        except Exception:  # no user name to be had (a container without one)
            return None
    return who[:NAME_LIMIT]


@contextmanager
def entering_as(name: str | None):
    """Events written within the block are entered by `name` (a web page's user)."""
    token = _who.set(name)
    try:
        yield
    finally:
        _who.reset(token)


# The parameters new password hashes are made with (an argon2.Parameters): None for argon2-cffi's own
# recommended ones (RFC 9106's low-memory profile: Argon2id, 64 MiB, 3 passes, 4 lanes), which kaiji keeps.
# A hash names the parameters it was made with, so it verifies whatever this says later. The tests set
# cheap ones here (tests/conftest.py: each default hash costs some 0.2 s of CPU) and check the defaults.
PASSWORD_PARAMETERS = None


def _hasher():
    from argon2 import PasswordHasher

    if PASSWORD_PARAMETERS is None:
        return PasswordHasher()  # Argon2id, argon2-cffi's recommended parameters (RFC 9106)
    return PasswordHasher.from_parameters(PASSWORD_PARAMETERS)


def _name(name: str) -> str:
    from .service import clean

    return clean(name, _("the user name"), required=True, limit=NAME_LIMIT, field="name")


def _role(role: str) -> str:
    key = (role or "").strip().lower()
    if key not in ROLES:
        raise BadInput(_("{role!r} is not a role; use viewer, editor or admin.").format(role=role), field="role")
    return key


def _password(password: str | None) -> str:
    if not password or len(password) < MIN_PASSWORD:
        raise BadInput(_("the password must be at least {n} characters long; choose a longer one.").format(
            n=MIN_PASSWORD), field="password")
    if len(password) > 1000:
        raise BadInput(_("the password is longer than 1000 characters; choose a shorter one."), field="password")
    return password


def _get(session: Session, name: str):
    row = session.execute(select(users).where(users.c.name == name)).mappings().first()
    if row is None:
        raise NotFound(_("there is no user {name!r}; `kaiji user list` shows them.").format(name=name), field="name")
    return row


def add_user(session: Session, name: str, role: str, password: str) -> dict[str, Any]:
    name, role = _name(name), _role(role)
    if session.execute(select(users.c.id).where(users.c.name == name)).first() is not None:
        raise Refused(_("a user {name!r} exists already; choose another name, or change the password with "
                        "`kaiji user passwd`.").format(name=name), field="name")
    session.execute(insert(users).values(name=name, role=role, password_hash=_hasher().hash(_password(password)),
                                         disabled=False))
    return {"name": name, "role": role, "disabled": False}


def set_password(session: Session, name: str, password: str) -> None:
    row = _get(session, _name(name))
    session.execute(update(users).where(users.c.id == row["id"])
                    .values(password_hash=_hasher().hash(_password(password))))


def disable_user(session: Session, name: str) -> None:
    """An account that can no longer log in (kept, so that the events it entered still name it)."""
    row = _get(session, _name(name))
    if row["disabled"]:
        raise Refused(_("user {name!r} is disabled already.").format(name=row["name"]), field="name")
    session.execute(update(users).where(users.c.id == row["id"]).values(disabled=True))


def list_users(session: Session) -> list[dict[str, Any]]:
    return [{"name": r.name, "role": r.role, "disabled": bool(r.disabled),
             "created_at": r.created_at.isoformat(timespec="seconds") if r.created_at else None}
            for r in session.execute(select(users).order_by(users.c.name))]


def authenticate(session: Session, name: str, password: str) -> dict[str, Any] | None:
    """The account if name and password match and it is not disabled; None otherwise (the same time either way)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    ph = _hasher()
    row = session.execute(select(users).where(users.c.name == (name or "").strip())).mappings().first()
    stored = row["password_hash"] if row is not None else _dummy_hash()
    try:
        ph.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row["disabled"]:
        return None
    return {"name": row["name"], "role": row["role"]}


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    """A hash to verify against for an unknown name, so that a wrong name takes as long as a wrong password."""
    if not _DUMMY:
        _DUMMY.append(_hasher().hash(os.urandom(16).hex()))
    return _DUMMY[0]


def role_of(session: Session, name: str) -> str | None:
    """The role of an enabled account, None if there is none (a session cookie for a disabled account)."""
    row = session.execute(select(users.c.role, users.c.disabled).where(users.c.name == name)).first()
    return None if row is None or row.disabled else row.role


def count(session: Session, role: str | None = None) -> int:
    q = select(func.count()).select_from(users).where(users.c.disabled.is_(False))
    if role:
        q = q.where(users.c.role == role)
    return session.scalar(q)


def _token_hash(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_calendar_token(session: Session, name: str) -> str:
    """A new secret for the account's calendar subscription URL (the one before stops working); only its
    hash is kept, so the URL is shown once."""
    import secrets

    row = _get(session, _name(name))
    token = secrets.token_urlsafe(32)
    session.execute(update(users).where(users.c.id == row["id"]).values(calendar_token_hash=_token_hash(token)))
    return token


def revoke_calendar_token(session: Session, name: str) -> None:
    row = _get(session, _name(name))
    session.execute(update(users).where(users.c.id == row["id"]).values(calendar_token_hash=None))


def has_calendar_token(session: Session, name: str) -> bool:
    return session.scalar(select(users.c.calendar_token_hash).where(users.c.name == name)) is not None


def by_calendar_token(session: Session, token: str) -> str | None:
    """The enabled account whose calendar URL holds token, None otherwise."""
    if not token or len(token) > 100:
        return None
    row = session.execute(select(users.c.name, users.c.disabled)
                          .where(users.c.calendar_token_hash == _token_hash(token))).first()
    return None if row is None or row.disabled else row.name
