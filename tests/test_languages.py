"""Every command's help in Japanese and in English, fitting an 80-column terminal (issue 12's test)."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from tracker.cli import cli
from tracker.table import width


def commands(group: click.Group, path: tuple[str, ...] = ()):
    ctx = click.Context(group)
    yield path
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if isinstance(cmd, click.Group):
            yield from commands(cmd, path + (name,))
        else:
            yield path + (name,)


PATHS = list(commands(cli))
# Three English words in a row, outside an example's command line, an option's name or a `code` span.
ENGLISH = re.compile(r"\b[A-Za-z][a-z]+(?:,? [a-z]+){2,}\b")


def english_in(line: str) -> str | None:
    line = line.strip()
    if line.startswith(("kaiji ", "--")) or not line:
        return None
    line = re.sub(r"\bkaiji(?: [a-z][a-z-]*)+|`[^`]*`|--[a-z-]+(?:/--[a-z-]+)?|https?://\S+|\b[A-Z_]{2,}\b|\S+\.(?:pdf|csv|txt|toml|sqlite3)\b", " ", line)
    found = ENGLISH.search(line)
    return found.group() if found else None


def show(path, lang: str, columns: int = 80) -> str:
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="kaiji",
                                env={"KAIJI_LANG": "", "LANG": lang, "LC_ALL": "", "COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "kaiji")
def test_help_in_japanese_fits_80_columns_with_no_english_sentence(path):
    text = show(path, "ja_JP.UTF-8")
    for line in text.splitlines():
        assert width(line) <= 80, f"{width(line)} columns: {line}"
        assert english_in(line) is None, f"English in the Japanese help: {english_in(line)!r} in {line!r}"
    assert "使い方: kaiji" in text


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "kaiji")
def test_help_in_english_under_a_c_locale(path):
    text = show(path, "C.UTF-8")
    assert text.startswith("Usage: kaiji")
    assert not re.search(r"[\u3040-\u30ff]{4,}", re.sub(r"\([^)]*\)|（[^）]*）|\"[^\"]*\"|'[^']*'", "", text.split("\n\n", 1)[1].split("Options:")[0])), text
    for line in text.splitlines():
        assert width(line) <= 80, f"{width(line)} columns: {line}"


def test_a_japanese_table_shows_wareki_dates_and_fits_80_columns(kaiji, monkeypatch):
    kaiji.ok("request", "add", "--body", "舞鶴市長", "--subject", "カスタマーハラスメントアンケートの調査結果",
             "--received", "令和6年12月27日")
    monkeypatch.setenv("KAIJI_LANG", "ja")
    monkeypatch.setenv("COLUMNS", "80")
    out = kaiji.ok("request", "list").stdout
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["番号", "実施機関", "件名", "状態"], out   # a table, not stacked
    # 15 days counted from the request day itself: 2024-12-27 (R6.12.27) is day 1, 2025-01-10 day 15.
    assert "R6.12.27" in lines[2] and "R7.1.10" in lines[2]
    assert all(width(line) <= 80 for line in lines)
    assert '"received_on": "2024-12-27"' in kaiji.ok("request", "list", "--json").stdout   # machines keep ISO
    monkeypatch.setenv("KAIJI_LANG", "en")
    assert "2024-12-27" in kaiji.ok("request", "list").stdout


JAPANESE_SENTENCE = re.compile(r"(?:ます|です|ません|ました|ください)[。）]?")


def _walkthrough_commands() -> list[list[str]]:
    """The README's quick start and walk-through, then the listings the issue names, as argument lists."""
    import shlex

    from .test_input import readme_commands

    commands = readme_commands() + [
        "kaiji overdue --as-of 2025-01-11", "kaiji due --as-of 2025-02-01", "kaiji request list",
        "kaiji request show 1", "kaiji body list", "kaiji requester list --with-contacts", "kaiji explain 1",
        "kaiji rule list maizuru", "kaiji db current"]
    return [shlex.split(c, comments=True)[1:] for c in commands]


@pytest.mark.parametrize("lang", ["ja_JP.UTF-8", "C.UTF-8"])
def test_the_walk_through_fits_80_columns_in_the_readers_language(kaiji, tmp_path, monkeypatch, lang):
    """Issue 12's test: in an 80-column terminal, Japanese with no English sentence; English with no
    Japanese one (names, legal terms and the records' own text stay as they are)."""
    monkeypatch.chdir(tmp_path)          # the PDFs the walk-through writes
    monkeypatch.delenv("KAIJI_LANG")
    monkeypatch.setenv("LANG", lang)
    monkeypatch.setenv("LC_ALL", "")
    monkeypatch.setenv("COLUMNS", "80")
    commands = _walkthrough_commands()
    assert len(commands) >= 15
    for args in commands:
        result = kaiji(*args)
        assert result.exit_code == 0, (args, result.output)
        lines = (result.stdout + result.stderr).splitlines()
        for line in lines:
            assert width(line) <= 80, f"kaiji {' '.join(args)}: {width(line)} columns: {line}"
            if lang.startswith("ja"):
                assert english_in(line) is None, f"kaiji {' '.join(args)}: English {english_in(line)!r} in {line!r}"
        if not lang.startswith("ja"):  # kaiji's own words, the records' Japanese text taken out
            said = "".join(line.strip() for line in lines)
            for value in re.findall(r'"([^"]*[\u3040-\u30ff][^"]*)"|(?<=\s)([^\s-][^\s]*[\u3040-\u30ff]\S*)',
                                    " " + " ".join(" ".join(c) for c in commands)):
                said = said.replace("".join(value), "")
            assert not JAPANESE_SENTENCE.search(said), f"kaiji {' '.join(args)}: Japanese in {said!r}"
