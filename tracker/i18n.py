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
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "kaiji"
LANGUAGES = ("ja", "en")


def language() -> str:
    """'ja' or 'en', from KAIJI_LANG, then the locale's variables."""
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
