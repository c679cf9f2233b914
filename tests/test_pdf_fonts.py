"""The font: a subset of a Japanese TrueType font embedded, found automatically or chosen; without
one, ReportLab's built-in CID font and a one-line warning."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from tracker.pdf import fonts

from .test_pdf_support import (
    SUBJECT,
    add_group,
    add_request,
    assert_has,
    maizuru_case,
    needs_poppler,
    pdf_text,
)

IPAEX_MINCHO = Path("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf")   # Debian's fonts-ipaexfont-mincho
IPAEX_GOTHIC = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
needs_ipaex = pytest.mark.skipif(not IPAEX_MINCHO.is_file(), reason="fonts-ipaexfont is not installed")


def pdf_fonts(path: Path) -> list[dict]:
    """Every font the pages use: its name and whether its program is embedded."""
    found = {}
    for page in PdfReader(str(path)).pages:
        for f in page["/Resources"]["/Font"].values():
            f = f.get_object()
            descriptor = f.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in f:
                descriptor = f["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(f["/BaseFont"])] = {"name": str(f["/BaseFont"]), "embedded": embedded}
    return list(found.values())


@needs_ipaex
def test_a_request_embeds_a_subset_of_ipaex_mincho_and_stays_small(kaiji, tmp_path, monkeypatch):
    monkeypatch.delenv("KAIJI_FONT", raising=False)
    maizuru_case(kaiji, decided=False)
    out = tmp_path / "request.pdf"
    result = kaiji.ok("pdf", "request", "1", "-o", out)
    assert "warning" not in result.stderr
    used = pdf_fonts(out)
    assert used and all(f["embedded"] for f in used)
    # a subset is named with a six-letter tag: ABCDEF+IPAexMincho
    assert all(f["name"].split("+", 1)[1] == "IPAexMincho" and len(f["name"].split("+")[0]) == 7 for f in used)
    assert out.stat().st_size < 100_000
    assert out.stat().st_size < IPAEX_MINCHO.stat().st_size / 20     # a subset, not the whole font


@needs_ipaex
@pytest.mark.skipif(not IPAEX_GOTHIC.is_file(), reason="IPAex Gothic is not installed")
def test_font_chosen_by_option_or_setting(kaiji, tmp_path, monkeypatch):
    maizuru_case(kaiji, decided=False)
    out = tmp_path / "g.pdf"
    kaiji.ok("pdf", "request", "1", "--font", IPAEX_GOTHIC, "-o", out)
    assert {f["name"].split("+")[1] for f in pdf_fonts(out)} == {"IPAexGothic"}
    monkeypatch.setenv("KAIJI_FONT", str(IPAEX_GOTHIC))
    setting = tmp_path / "s.pdf"
    kaiji.ok("pdf", "request", "1", "-o", setting)
    assert setting.read_bytes() == out.read_bytes()


def test_without_a_japanese_font_the_builtin_one_and_one_line_saying_so(kaiji, tmp_path, monkeypatch):
    monkeypatch.delenv("KAIJI_FONT", raising=False)
    monkeypatch.setattr(fonts, "candidates", list)
    maizuru_case(kaiji, decided=False)
    out = tmp_path / "cid.pdf"
    result = kaiji.ok("pdf", "request", "1", "-o", out)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("kaiji: warning:")]
    assert len(warnings) == 1 and "relies on the reader's fonts" in warnings[0]
    assert "fonts-ipaexfont" in warnings[0]
    used = pdf_fonts(out)
    assert used and not any(f["embedded"] for f in used)
    assert {f["name"] for f in used} == {"/HeiseiMin-W3"}


def test_builtin_by_choice(kaiji, tmp_path):
    maizuru_case(kaiji, decided=False)
    out = tmp_path / "cid.pdf"
    result = kaiji.ok("pdf", "request", "1", "--font", "builtin", "-o", out)
    assert "relies on the reader's fonts" in result.stderr
    assert not any(f["embedded"] for f in pdf_fonts(out))


@needs_ipaex
@needs_poppler
def test_a_character_the_font_lacks_is_shown_as_geta_and_named(kaiji, tmp_path, monkeypatch):
    monkeypatch.delenv("KAIJI_FONT", raising=False)
    add_group(kaiji)
    add_request(kaiji, subject="𠮷野家に関する文書")       # 𠮷 (U+20BB7) is not in IPAex Mincho
    out = tmp_path / "r.pdf"
    result = kaiji.ok("pdf", "request", "1", "-o", out)
    assert "U+20BB7" in result.stderr and "--font" in result.stderr
    assert_has(out, "〓野家に関する文書")


def test_an_opentype_cff_font_is_refused_in_one_sentence(kaiji, tmp_path):
    maizuru_case(kaiji, decided=False)
    otf = tmp_path / "NotoSerifCJK.otf"
    otf.write_bytes(b"OTTO" + b"\0" * 200)
    result = kaiji("pdf", "request", "1", "--font", otf, "-o", tmp_path / "x.pdf")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "cannot be used as the PDF font" in result.stderr and len(result.stderr.strip().splitlines()) == 1


@needs_ipaex
def test_a_font_without_japanese_is_refused(kaiji, tmp_path):
    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not dejavu.is_file():
        pytest.skip("DejaVu Sans is not installed")
    maizuru_case(kaiji, decided=False)
    result = kaiji("pdf", "request", "1", "--font", dejavu, "-o", tmp_path / "x.pdf")
    assert result.exit_code == 2 and "has no Japanese characters" in result.stderr


def test_the_search_finds_fonts_by_file_name_in_the_usual_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path))
    (tmp_path / ".local/share/fonts").mkdir(parents=True)
    mine = tmp_path / ".local/share/fonts/ipaexm.ttf"
    mine.write_bytes(b"")
    assert next(fonts.candidates()) == mine        # the user's own copy comes first


@needs_poppler
def test_text_survives_extraction_with_the_embedded_font(kaiji, tmp_path):
    maizuru_case(kaiji, decided=False)
    out = tmp_path / "r.pdf"
    kaiji.ok("pdf", "request", "1", "-o", out)
    assert SUBJECT in pdf_text(out).replace("\n", "")
    from pypdf import PdfReader

    assert SUBJECT in PdfReader(str(out)).pages[0].extract_text().replace("\n", "")   # and in another reader


# ---------------------------------------------------------------- the parsed font, kept between runs

def _count_parses(monkeypatch) -> list[Path]:
    """Every font file parsed from here on (rather than read from the cache)."""
    parsed: list[Path] = []
    real = fonts._parse

    def counting(name, path):
        parsed.append(path)
        return real(name, path)
    monkeypatch.setattr(fonts, "_parse", counting)
    return parsed


@needs_ipaex
def test_the_parsed_font_is_kept_between_runs_and_gives_the_same_bytes(kaiji, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setattr(fonts, "cache_dir", lambda: cache)
    monkeypatch.setattr(fonts, "_registered", {})        # as in a new process
    maizuru_case(kaiji, decided=False)
    parsed = _count_parses(monkeypatch)
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    kaiji.ok("pdf", "request", "1", "--font", IPAEX_MINCHO, "-o", first)
    assert len(parsed) == 1 and len(list(cache.glob("*.pickle"))) == 1

    monkeypatch.setattr(fonts, "_registered", {})
    kaiji.ok("pdf", "request", "1", "--font", IPAEX_MINCHO, "-o", second)
    assert len(parsed) == 1                               # read from the cache, not parsed again
    assert second.read_bytes() == first.read_bytes()


@needs_ipaex
def test_a_damaged_cache_file_is_parsed_anew_and_replaced(kaiji, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setattr(fonts, "cache_dir", lambda: cache)
    monkeypatch.setattr(fonts, "_registered", {})
    maizuru_case(kaiji, decided=False)
    good = tmp_path / "good.pdf"
    kaiji.ok("pdf", "request", "1", "--font", IPAEX_MINCHO, "-o", good)
    [kept] = cache.glob("*.pickle")
    kept.write_bytes(kept.read_bytes()[:1000])            # as a run killed while writing would leave it (without os.replace)

    monkeypatch.setattr(fonts, "_registered", {})
    parsed = _count_parses(monkeypatch)
    again = tmp_path / "again.pdf"
    kaiji.ok("pdf", "request", "1", "--font", IPAEX_MINCHO, "-o", again)
    assert len(parsed) == 1 and again.read_bytes() == good.read_bytes()
    assert fonts._cached("KaijiJP-test", IPAEX_MINCHO) is not None   # and the cache file is whole again
    assert not list(cache.glob("*.tmp"))


@needs_ipaex
def test_a_changed_font_file_is_parsed_anew_and_its_old_cache_file_removed(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setattr(fonts, "cache_dir", lambda: cache)
    mine = tmp_path / "mine.ttf"
    mine.write_bytes(IPAEX_MINCHO.read_bytes())
    fonts._load_ttf(mine)
    [before] = cache.glob("*.pickle")
    os.utime(mine, ns=(mine.stat().st_atime_ns, mine.stat().st_mtime_ns + 10**9))   # the file changed
    assert fonts._cached("KaijiJP-test", mine) is None
    fonts._load_ttf(mine)
    [after] = cache.glob("*.pickle")
    assert after != before


@needs_ipaex
def test_a_cache_folder_that_cannot_be_written_does_not_stop_the_pdf(kaiji, tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setattr(fonts, "cache_dir", lambda: blocked / "fonts")
    monkeypatch.setattr(fonts, "_registered", {})
    maizuru_case(kaiji, decided=False)
    result = kaiji.ok("pdf", "request", "1", "--font", IPAEX_MINCHO, "-o", tmp_path / "r.pdf")
    assert "warning" not in result.stderr and (tmp_path / "r.pdf").stat().st_size > 1000
