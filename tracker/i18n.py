"""Messages in the reader's language: Japanese or English, from gettext catalogs (tracker/locale).

Japanese when KAIJI_LANG says so (ja, ja_JP…), else when the locale does (LC_ALL, LC_MESSAGES, LANG
in POSIX order); English otherwise. Mark a message with `_()` where it is shown, with named
placeholders filled in after translation, so that a translation may move them:

    _("request {id} not found.").format(id=request_id)

`N_()` marks a message kept in a table or a registry and translated with `_()` when shown.
"""

from __future__ import annotations

import gettext as _gettext
import os
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "kaiji"
LANGUAGES = ("ja", "en")


_chosen: ContextVar[str | None] = ContextVar("kaiji_language", default=None)


@contextmanager
def use_language(lang: str):
    """Messages in `lang` within the block, whatever the environment says (a web page's reader, a test)."""
    token = _chosen.set(lang)
    try:
        yield
    finally:
        _chosen.reset(token)


def language() -> str:
    """'ja' or 'en': the language use_language() chose, else KAIJI_LANG, else the locale's variables."""
    return _chosen.get() or environment_language()


def environment_language() -> str:
    for var in ("KAIJI_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


@lru_cache(maxsize=None)
def catalog(lang: str) -> _gettext.NullTranslations:
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    return catalog(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalog(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    return message


def install_click() -> None:
    """Click's own messages (Usage, Options, "Missing option", "Did you mean") through kaiji's catalog.

    Click's modules each bind gettext's functions at import as `_` and `ngettext`, which read the
    process locale only; rebinding them to ours makes KAIJI_LANG choose for Click's words too."""
    import importlib

    for name in ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils",
                 "_termui_impl", "shell_completion"):
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # pragma: no cover - a Click without that module
            continue
        if hasattr(module, "_"):
            module._ = _
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext


_iso_dates: ContextVar[bool] = ContextVar("kaiji_iso_dates", default=False)


def use_iso_dates(on: bool = True) -> None:
    """Dates in ISO form whatever the language (`--iso`, for scripts)."""
    _iso_dates.set(on)


def show_date(d, weekday: bool | None = None, short: bool = False) -> str:
    """A date as the reader writes it: 令和7年1月10日（金） in Japanese, 2025-01-10 in English or with --iso.

    weekday: None for the language's habit (Japanese names it, English does not), True or False to say.
    short: the compact 和暦 of a table's cell, R7.1.10（金）."""
    if d is None:
        return ""
    if language() != "ja":
        return d.isoformat() + (f" ({d.strftime('%a')})" if weekday else "")
    from .dates import format_wareki, format_wareki_short, weekday_ja

    if _iso_dates.get():
        return d.isoformat() + (f"（{weekday_ja(d)}）" if weekday else "")
    return ((format_wareki_short if short else format_wareki)(d)
            + (f"（{weekday_ja(d)}）" if weekday is not False else ""))


def show_stored(text: str | None, weekday: bool | None = None, short: bool = False) -> str:
    """A date the records keep as ISO text (JSON, an event's data), shown as show_date shows it; "" for none."""
    from datetime import date

    return show_date(date.fromisoformat(text), weekday, short) if text else ""


def dates_as_written() -> bool:
    """Whether dates shown in text differ from their ISO form (Japanese without --iso)."""
    return language() == "ja" and not _iso_dates.get()
