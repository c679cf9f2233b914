"""The message catalogs: find every message kaiji shows, keep the Japanese catalog in step, compile it.

    python -m tracker.i18n_catalog          # extract, update ja's .po (new messages empty), compile .mo

Needs Babel (in the test extras: pip install -e '.[test]'); kaiji itself reads the compiled .mo with
the standard library's gettext. The messages are:

- every `_()`, `N_()` and `ngettext()` in tracker/ (Babel's Python extractor), and in the web pages'
  templates (tracker/web/templates, Jinja2's extractor);
- every command's help and short help, its example's heading, every option's help (the Click tree,
  walked: they are declared in English in the decorators and translated when shown);
- Click's own messages (Usage, Options, "Missing option", "Did you mean"), from the installed Click.

tests/test_i18n.py fails when a message has no Japanese translation, a translation drops or adds a
placeholder, or the compiled catalog is older than its .po.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from .i18n import DOMAIN, LOCALE_DIR

# Click translates "required" from a variable (core.Option.get_help_extra); the usage line's pieces
# are translated by cli._Translated.collect_usage_pieces.
EXTRA = ("required", "[OPTIONS]", "COMMAND [ARGS]...")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
HEADING = re.compile(r"^Examples?\b.*:$")  # an example's heading in a command's epilog (cli.KaijiCommand)
PO = LOCALE_DIR / "ja" / "LC_MESSAGES" / f"{DOMAIN}.po"
MO = PO.with_suffix(".mo")
PACKAGE = Path(__file__).parent


def _from_source(folder: Path, prefix: str):
    from babel.messages.extract import extract_from_dir

    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(folder), method_map=[("**.py", "python"), ("web/templates/**.html", "jinja2.ext:babel_extract")],
            keywords=KEYWORDS, comment_tags=(),
            strip_comment_tags=True):
        if filename.endswith("i18n_catalog.py"):
            continue
        yield message, f"{prefix}/{filename}", lineno


def _commands():
    """Every Click command and group of kaiji, the root first."""
    import importlib

    from .cli import RootGroup, cli

    for module in set(RootGroup.MODULES.values()):
        importlib.import_module(f"tracker.cli.{module}")
    todo = [cli]
    while todo:
        command = todo.pop(0)
        yield command
        todo.extend(getattr(command, "commands", {}).values())


def _from_commands():
    import click

    for command in _commands():
        where = f"command:{command.name}"
        for text in (command.help, command.short_help):
            if text:
                yield text, where, 0
        for line in (command.epilog or "").splitlines():
            if HEADING.match(line):
                yield line, where, 0
        ctx = click.Context(command)
        for param in command.get_params(ctx):  # --help's own words too: cli._Translated keeps them English
            if getattr(param, "help", None):
                yield param.help, f"{where}:{param.name}", 0


def _from_presets():
    """The notes on the shipped rules (presets.toml): shown translated when a stored note is one of them."""
    from .compat import tomllib

    data = tomllib.loads((PACKAGE / "data" / "presets.toml").read_text(encoding="utf-8"))
    for jurisdiction in data.get("jurisdiction", []):
        for rule in jurisdiction.get("rule", []):
            if rule.get("note"):
                yield rule["note"], f"presets:{jurisdiction['key']}", 0


def messages() -> dict:
    """msgid (str, or a (singular, plural) pair) -> where it is used."""
    import click

    found: dict = {}
    sources = [_from_source(PACKAGE, "tracker"), _from_commands(), _from_presets(),
               _from_source(Path(click.__file__).parent, "click")]
    sources.append((m, "click", 0) for m in EXTRA)
    for source in sources:
        for message, where, lineno in source:
            if message:
                found.setdefault(message, []).append((where, lineno))
    return found


def read_catalog():
    from babel.messages.pofile import read_po

    with open(PO, "rb") as f:
        return read_po(f, locale="ja", domain=DOMAIN)


def update() -> tuple[int, int]:
    """Bring ja's .po in step with the messages and compile it; (messages, untranslated)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    old = read_catalog() if PO.exists() else Catalog(locale="ja", domain=DOMAIN)
    new = Catalog(locale="ja", domain=DOMAIN, project="kaiji", version="", charset="utf-8", fuzzy=False,
                  copyright_holder="the kaiji developers", msgid_bugs_address="",
                  creation_date=old.creation_date, revision_date=old.creation_date,
                  header_comment="# kaiji's messages in Japanese. Legal terms in the statutes' wording.\n"
                                 "# Kept by `python -m tracker.i18n_catalog` (see its docstring).")
    for msgid, places in messages().items():
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        before = old.get(key)
        new.add(msgid, string=before.string if before else ("", "") if isinstance(msgid, tuple) else "",
                locations=[(w, n) for w, n in places][:3])
    PO.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, new, width=100, sort_output=True, omit_header=False, include_previous=False)
    PO.write_bytes(buf.getvalue())
    compile_mo()
    missing = sum(1 for m in new if m.id and not _translated(m))
    return len(new), missing


def compile_mo(catalog=None) -> bytes:
    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, catalog or read_catalog(), use_fuzzy=False)
    if catalog is None:
        MO.write_bytes(buf.getvalue())
    return buf.getvalue()


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return bool(strings) and all(strings) and not message.fuzzy


PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:![rsa])?(?::[^{}]*)?\}|%\([A-Za-z_]+\)[sdr]|%[sdr]")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


if __name__ == "__main__":
    total, missing = update()
    print(f"{PO.relative_to(PACKAGE.parent)}: {total} messages, {missing} without a Japanese translation")
    sys.exit(0)
