"""kaiji's own XLSX writer (tracker/xlsx.py): the sheet's XML is what XlsxWriter writes in its constant_memory mode
for the same cells, byte for byte; every part is well-formed XML; openpyxl reads the workbook back as written."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from xml.etree import ElementTree

import openpyxl
import pytest

from tracker import exports
from tracker.xlsx import DATE, HEADER, Sheet, column_letter, excel_width

xlsxwriter = pytest.importorskip("xlsxwriter")

# Texts a sheet must keep as they are: XML's characters, white space at either end (a full-width space too), line
# ends, a carriage return and other control characters (written _x000D_), a text that looks like such an escape,
# Japanese, a lone apostrophe, an empty string.
TEXTS = ["plain", "a & b < c > d \"q\" 'a'", " leading", "trailing ", "\u3000全角の空白", "二行\n目", "CR\rLF",
         "bell\x07", "_x0041_ stays", "_X00ff_", "舞鶴市長　多々見良三", "'=1+1", "", "\t tab", "not XML \ufffe\uffff"]
# Excel's serial days, its fictitious 1900-02-29 between the first two.
DATES = [date(1900, 2, 28), date(1900, 3, 1), date(1900, 1, 1), date(2019, 5, 1), date(2024, 12, 27),
         date(9999, 12, 31)]
NUMBERS = [0, 1, 19, 300, 1_000_000, 12345678901234]


def _rows() -> list[list]:
    """Rows of every kind of cell, with gaps (None) and rows of different lengths."""
    rows = [[t, n, d] for t, n, d in zip(TEXTS, NUMBERS * 3, DATES * 3)]
    rows += [[None, 5, None, "after a gap"], ["only one"], [None, None, date(2025, 1, 10)]]
    return rows


def _ours(rows: list[list], widths: dict[int, int], name: str = "requests") -> bytes:
    ws = Sheet(name)
    ws.row(["id", "件名", "受付日", "more"], HEADER)
    for row in rows:
        ws.row(row)
    ws.widths = widths
    return b"".join(ws.workbook("yyyy-mm-dd"))


def _theirs(rows: list[list], widths: dict[int, int], name: str = "requests") -> bytes:
    """The same cells through XlsxWriter, as kaiji wrote them before tracker/xlsx.py."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})
    book.set_properties({"created": datetime(2000, 1, 1)})   # as kaiji's export set it
    bold, dated = book.add_format({"bold": True}), book.add_format({"num_format": "yyyy-mm-dd"})
    ws = book.add_worksheet(name)
    for col, h in enumerate(["id", "件名", "受付日", "more"]):
        ws.write_string(0, col, h, bold)
    for n, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, date):
                ws.write_datetime(n, col, value, dated)
            elif isinstance(value, int):
                ws.write_number(n, col, value)
            else:
                ws.write_string(n, col, value)
    for col, w in widths.items():
        ws.set_column(col, col, w)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), 3)   # as kaiji's export called it: the row below the header at least
    book.close()
    return out.getvalue()


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        return {name: z.read(name) for name in z.namelist()}


WIDTHS = {0: 8, 1: 44, 2: 12, 3: 12}   # the last two alike: one <col> for both, as XlsxWriter writes them


def test_the_sheet_is_what_xlsxwriter_writes_for_the_same_cells():
    rows = _rows()
    ours, theirs = _parts(_ours(rows, WIDTHS)), _parts(_theirs(rows, WIDTHS))
    sheet = "xl/worksheets/sheet1.xml"
    assert ours[sheet] == theirs[sheet]
    assert b'<col min="3" max="4" width="12.7109375" customWidth="1"/>' in ours[sheet]
    assert b"CR_x000D_LF" in ours[sheet] and b"_x005F_x0041_ stays" in ours[sheet] and b"bell_x0007_" in ours[sheet]
    for name in ("[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml"):
        if name in theirs:   # XlsxWriter names its theme in the content types: kaiji writes none
            assert name == "[Content_Types].xml" or ours[name] == theirs[name], name


def test_a_sheet_with_the_header_alone_is_what_xlsxwriter_writes():
    sheet = "xl/worksheets/sheet1.xml"
    assert _parts(_ours([], {}))[sheet] == _parts(_theirs([], {}))[sheet]


def test_every_part_is_well_formed_and_named_in_the_content_types():
    parts = _parts(_ours(_rows(), WIDTHS, name="請求 & 'x'"))
    for name, data in parts.items():
        ElementTree.fromstring(data)   # raises if not well-formed
    types = ElementTree.fromstring(parts["[Content_Types].xml"])
    named = {o.get("PartName") for o in types if o.get("PartName")}
    assert named == {"/" + n for n in parts if n.endswith(".xml") and not n.startswith("[")}
    book = ElementTree.fromstring(parts["xl/workbook.xml"])
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    assert book.find("m:sheets/m:sheet", ns).get("name") == "請求 & 'x'"
    assert book.find("m:definedNames/m:definedName", ns).text == "'請求 & ''x'''!$A$1:$D$19"


def test_openpyxl_reads_back_every_cell_the_widths_the_frozen_header_and_the_filter(tmp_path):
    rows = _rows()
    path = tmp_path / "t.xlsx"
    path.write_bytes(_ours(rows, WIDTHS))
    ws = openpyxl.load_workbook(path).active
    assert ws.title == "requests" and ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:D19"
    assert [c.value for c in ws[1]] == ["id", "件名", "受付日", "more"] and ws["A1"].font.b
    for n, row in enumerate(rows, start=2):
        for col, value in enumerate(row):
            cell = ws.cell(n, col + 1)
            if isinstance(value, date):
                assert (cell.value, cell.number_format) == (datetime.combine(value, datetime.min.time()),
                                                            "yyyy-mm-dd")
            elif value == "":
                assert cell.value in ("", None)   # an empty text cell reads as empty
            elif isinstance(value, str) and re.search(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_", value):
                # Excel reads _xHHHH_ back as the character; openpyxl leaves it (compared with XlsxWriter's above).
                assert cell.value.startswith(value[:2]), (n, col)
            else:
                assert cell.value == value, (n, col)
    assert [ws.column_dimensions[x].width for x in "AB"] == [8.7109375, 44.7109375]


def test_a_text_that_looks_like_rich_text_is_escaped():
    """XlsxWriter writes a text that starts with <r> and ends with </r> as it is (its rich strings): a subject
    typed so would break the sheet. kaiji escapes it as any other text."""
    text = "<r><t>件名</t></r>"
    data = _ours([[text]], {})
    ElementTree.fromstring(_parts(data)["xl/worksheets/sheet1.xml"])
    assert openpyxl.load_workbook(io.BytesIO(data)).active["A2"].value == text


def test_columns_and_widths():
    assert [column_letter(c) for c in (0, 25, 26, 51, 52, 701, 702, 16383)] == \
        ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]
    # XlsxWriter's set_column(width): (width × 7 + 5) pixels in 256ths of a 7-pixel digit.
    assert [excel_width(w) for w in (2, 10, 62)] == ["2.7109375", "10.7109375", "62.7109375"]
    with pytest.raises(TypeError):
        Sheet("x").row([1.5])
    assert DATE == 2


def _xlsxwriter_export(batches, fields, sheet: str, lang: str) -> bytes:
    """exports.write_xlsx as it was before tracker/xlsx.py, through XlsxWriter (the widths measured alike)."""
    from tracker.table import width

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})
    bold, dated = book.add_format({"bold": True}), book.add_format({"num_format": exports.DATE_FORMAT[lang]})
    ws = book.add_worksheet(sheet[:31])
    head = exports.headers(fields)
    widths = [width(h) for h in head]
    for col, h in enumerate(head):
        ws.write_string(0, col, h, bold)
    yes_no = [{True: exports._yes_no(True, f.key), False: exports._yes_no(False, f.key)} for f in fields]
    n = 0
    for batch in batches:
        for n, row in enumerate(batch, start=n + 1):
            for col, (f, value) in enumerate(zip(fields, row)):
                if value is None:
                    continue
                if f.type == "date":
                    ws.write_datetime(n, col, exports.as_date(value), dated)
                    w = exports.DATE_WIDTH[lang]
                elif f.type == "int":
                    ws.write_number(n, col, value)
                    w = len(str(value))
                else:
                    text = yes_no[col][bool(value)] if f.type == "bool" else exports.neutral(str(value))
                    ws.write_string(n, col, text)
                    w = max(width(line) for line in text.split("\n"))
                widths[col] = max(widths[col], w)
    for col, w in enumerate(widths):
        ws.set_column(col, col, min(w, exports.MAX_WIDTH) + 2)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(n, 1), len(fields) - 1)
    book.close()
    return out.getvalue()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_requests_export_in_xlsx_is_the_sheet_xlsxwriter_wrote(kaiji, tmp_path, monkeypatch, lang):
    """`kaiji export requests --format xlsx` through kaiji's writer: the sheet XlsxWriter wrote for the same rows
    (和暦 dates in Japanese), and openpyxl reads the dates back in the reader's format."""
    from tests.test_export import _maizuru_case

    from tracker import db as dbm
    from tracker import service
    from tracker.cli import today
    from tracker.i18n import _, use_language

    _maizuru_case(kaiji)
    monkeypatch.setenv("KAIJI_LANG", lang)
    out = tmp_path / f"{lang}.xlsx"
    kaiji.ok("export", "requests", "--format", "xlsx", "-o", str(out))
    engine = dbm.open_database(kaiji.url)
    with use_language(lang), dbm.reading(engine) as s:
        fields = exports.choose_fields("requests", None, False)
        rows = exports.rows(s, "requests", fields, {}, service.jurisdiction_lookup(s), today())
        theirs = _xlsxwriter_export(rows, fields, _(exports.SHEET_NAMES["requests"]), lang)
    engine.dispose()
    sheet = "xl/worksheets/sheet1.xml"
    assert _parts(out.read_bytes())[sheet] == _parts(theirs)[sheet]
    ws = openpyxl.load_workbook(out).active
    assert ws.max_row == 4 and ws["A2"].value == 1
    formats = {c.number_format for r in ws.iter_rows(min_row=2) for c in r if isinstance(c.value, datetime)}
    assert formats == {exports.DATE_FORMAT[lang]}


def test_what_excel_cannot_hold_is_refused_and_nothing_written(kaiji, tmp_path, monkeypatch):
    """A text longer than an Excel cell holds (32,767 UTF-16 units; a withheld cell joins every part), or more rows
    than a sheet holds: one sentence naming the row and column or the limit, exit 2, no file; CSV takes them."""
    from tests.test_export import _maizuru_case

    from tracker import db as dbm
    from tracker import service, xlsx

    _maizuru_case(kaiji)
    engine = dbm.open_database(kaiji.url)
    with dbm.transaction(engine) as s:
        long = "長" * 16_000 + "𠮷" * 400   # 16,400 characters, 16,800 UTF-16 units: fits one cell, not two
        service.decide(s, 3, kind="partial", on=date(2025, 2, 3),
                       withheld=[service.Withheld(long, "第5条第1号", "個人に関する情報"),
                                 service.Withheld(long, "第5条第1号", "個人に関する情報")])
    engine.dispose()
    out = tmp_path / "r.xlsx"
    result = kaiji("export", "requests", "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr.startswith("kaiji: error: row 4, column withheld parts (grounds): the text is longer than "
                                    "the 32,767 characters an Excel cell holds") and len(result.stderr.splitlines()) == 1
    kaiji.ok("export", "requests", "--format", "xlsx", "--fields", "id,subject", "-o", str(out))
    assert openpyxl.load_workbook(out).active.max_row == 4
    assert long in kaiji.ok("export", "requests", "--format", "csv").stdout_bytes.decode("utf-8-sig")
    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)   # the header and two requests
    out.unlink()
    result = kaiji("export", "requests", "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr == ("kaiji: error: an Excel sheet holds at most 2 rows; export fewer requests (--body, "
                             "--status, --from, --to) or as CSV or JSON (nothing was written).\n")
