"""Messages in Japanese and English: the catalog is complete and true to its messages, the language is
chosen as tracker/i18n.py says, and Click's own errors come out in kaiji's one-line format."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker import i18n
from tracker.cli import cli
from tracker.i18n_catalog import MO, compile_mo, messages, placeholders, read_catalog

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def catalog():
    return read_catalog()


@pytest.fixture(scope="module")
def found():
    return messages()


def _key(msgid):
    return msgid[0] if isinstance(msgid, tuple) else msgid


def test_every_message_has_a_japanese_translation(catalog, found):
    missing = []
    for msgid in found:
        entry = catalog.get(_key(msgid))
        strings = () if entry is None else entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry is None or entry.fuzzy or not strings or not all(strings):
            missing.append(_key(msgid))
    assert not missing, (f"{len(missing)} messages have no Japanese translation; run `python -m "
                         f"tracker.i18n_catalog` and fill in tracker/locale/ja/LC_MESSAGES/kaiji.po: {missing[:20]}")


def test_translations_keep_the_placeholders(catalog):
    wrong = []
    for entry in catalog:
        if not entry.id:
            continue
        if isinstance(entry.id, tuple):  # Japanese has one form: it says what the plural form says
            pairs = [(entry.id[1], s) for s in entry.string if s]
        else:
            pairs = [(entry.id, entry.string)] if entry.string else []
        for original, translated in pairs:
            if placeholders(original) != placeholders(translated):
                wrong.append((original, translated))
    assert not wrong, f"translations that drop or add a placeholder: {wrong[:10]}"


def test_the_catalog_holds_no_message_kaiji_no_longer_shows(catalog, found):
    keys = {_key(m) for m in found}
    stale = [e.id for e in catalog if e.id and _key(e.id) not in keys]
    assert not stale, f"run `python -m tracker.i18n_catalog` to drop: {stale[:10]}"


def test_the_compiled_catalog_is_the_po_compiled(catalog):
    assert MO.read_bytes() == compile_mo(catalog), "run `python -m tracker.i18n_catalog` to compile the .po"


def test_the_compiled_catalogs_ship_in_the_wheel():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    compiled = [p.relative_to(ROOT / "tracker").as_posix() for p in (ROOT / "tracker" / "locale").rglob("*.mo")]
    assert compiled, "no compiled catalog in tracker/locale"
    for path in compiled:
        assert any(fnmatch.fnmatch(path, pattern) for pattern in data.get("tracker", [])), path


@pytest.mark.parametrize("env, expected", [
    ({"KAIJI_LANG": "ja"}, "ja"),
    ({"KAIJI_LANG": "ja_JP.UTF-8"}, "ja"),
    ({"LANG": "ja_JP.UTF-8"}, "ja"),
    ({"LC_ALL": "ja_JP.UTF-8", "LANG": "C.UTF-8"}, "ja"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "ja_JP.UTF-8", "KAIJI_LANG": "en"}, "en"),
    ({"LC_ALL": "C", "LANG": "ja_JP.UTF-8"}, "en"),
    ({}, "en"),
])
def test_the_language_comes_from_kaiji_lang_then_the_locale(monkeypatch, env, expected):
    for var in ("KAIJI_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert i18n.language() == expected


def test_use_language_overrides_the_environment(monkeypatch):
    monkeypatch.setenv("KAIJI_LANG", "en")
    with i18n.use_language("ja"):
        assert i18n._("Usage:") == "使い方:"
    assert i18n._("Usage:") == "Usage:"


@pytest.mark.parametrize("lang, prefix, words", [
    ("ja", "kaiji: エラー: ", ["オプション '--bodyy' はありません", "'--body' のことですか", "kaiji request add --help"]),
    ("en", "kaiji: error: ", ["No such option '--bodyy'", "Did you mean '--body'?", "kaiji request add --help"]),
])
def test_a_usage_error_is_one_line_in_the_readers_language(lang, prefix, words):
    result = CliRunner().invoke(cli, ["request", "add", "--bodyy", "x"], env={"KAIJI_LANG": lang}, prog_name="kaiji")
    assert result.exit_code == 2
    lines = result.stderr.splitlines() if hasattr(result, "stderr") else result.output.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(prefix)
    for word in words:
        assert word in lines[0]


def test_an_unknown_command_suggests_the_nearest_in_one_line():
    result = CliRunner().invoke(cli, ["reqest"], env={"KAIJI_LANG": "ja"}, prog_name="kaiji")
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "kaiji: エラー: コマンド 'reqest' はありません。 'request', 'requester' のことですか？"
        "（'kaiji --help' で使い方が分かります）"]


def test_clicks_help_words_are_translated():
    ja = CliRunner().invoke(cli, ["due", "--help"], env={"KAIJI_LANG": "ja"}, prog_name="kaiji").output
    en = CliRunner().invoke(cli, ["due", "--help"], env={"KAIJI_LANG": "en"}, prog_name="kaiji").output
    assert ja.startswith("使い方: kaiji due [オプション]") and "オプション:" in ja and "\n  例:\n" in ja
    assert "Usage:" not in ja and "Options:" not in ja and "Show this message" not in ja
    assert en.startswith("Usage: kaiji due [OPTIONS]") and "Options:" in en and "\n  Example:\n" in en


@pytest.mark.parametrize("first, then", [("ja", "en"), ("en", "ja")])
def test_the_help_options_words_follow_each_reader_whoever_asked_first(first, then):
    """Click words a command's --help option once, when first asked: a Japanese reader first must not leave
    it Japanese for an English one (nor the catalog's extraction find a Japanese msgid), and the reverse."""
    from tracker.cli.requests import request

    command = request.get_command(None, "show")
    command._help_option = None  # as a fresh process has it
    words = {"ja": "この説明を表示して終了します。", "en": "Show this message and exit."}
    for lang in (first, then):
        out = CliRunner().invoke(cli, ["request", "show", "--help"], env={"KAIJI_LANG": lang}, prog_name="kaiji").output
        assert words[lang] in out and words["en" if lang == "ja" else "ja"] not in out
    assert "この説明を表示して終了します。" not in messages()


@pytest.mark.parametrize("lang, iso, weekday, expected", [
    ("ja", False, None, "令和7年1月10日（金）"),
    ("ja", False, False, "令和7年1月10日"),
    ("ja", True, None, "2025-01-10"),
    ("ja", True, True, "2025-01-10（金）"),
    ("en", False, None, "2025-01-10"),
    ("en", False, True, "2025-01-10 (Fri)"),
])
def test_dates_are_shown_as_the_reader_writes_them(lang, iso, weekday, expected):
    from datetime import date

    i18n.use_iso_dates(iso)
    try:
        with i18n.use_language(lang):
            assert i18n.show_date(date(2025, 1, 10), weekday=weekday) == expected
    finally:
        i18n.use_iso_dates(False)
