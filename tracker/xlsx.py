"""An Excel workbook (.xlsx, Office Open XML) of one sheet, written by kaiji a row at a time.

What `kaiji export --format xlsx` needs and no more: text, whole numbers and dates (a number with a date format)
in cells, a bold header row frozen with filters, and columns as wide as their widest cell. XlsxWriter did this
at some 6 µs a cell (2.9 million cells in an export of 100,000 requests: 18 s), its workbook zipped in memory;
here a row's cells are one string each, the sheet's rows go to a temporary file as they are made (the column
widths, which the sheet names before its rows, are known only at the end), and the workbook is zipped into
another temporary file and given back in pieces: memory stays flat at any number of rows.

The sheet's XML is the XML XlsxWriter writes in its constant_memory mode for the same calls, byte for byte
(tests/test_xlsx.py compares them): inline strings, control characters as _xHHHH_, leading or trailing white
space preserved, numbers as %.16G, dates as serial days with a number format of their own. The workbook has
no theme (nothing here uses its colours or fonts).
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date
from xml.sax.saxutils import escape, quoteattr

# What a text cell needs besides its characters: XML's three escapes, a control character (_xHHHH_, as Excel
# writes it; a text that already looks like such an escape gets its underscore escaped), white space kept.
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_LOOKALIKE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_EDGE_SPACE = re.compile(r"^\s|\s$")

_EPOCH = date(1899, 12, 30).toordinal()   # Excel's day 0 for dates from 1900-03-01 (its fictitious 1900-02-29)
_MARCH_1900 = date(1900, 3, 1)
MAX_ROWS = 1_048_576                      # a sheet's rows, the header's among them
MAX_TEXT = 32_767                         # a cell's text, in UTF-16 units
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)         # every part's time: the same records give the same file
HEADER, DATE = 1, 2                        # the cell styles (styles.xml's cellXfs)

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "application/vnd.openxmlformats-officedocument"


def column_letter(col: int) -> str:
    """A column's letters, counted from 0: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def text_cell(ref: str, value: str, style: int = 0) -> str:
    """A text cell (an inline string), as XlsxWriter writes it."""
    s = f' s="{style}"' if style else ""
    if not _SPECIAL.search(value):
        return f'<c r="{ref}"{s} t="inlineStr"><is><t>{value}</t></is></c>'
    value = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", _LOOKALIKE.sub(r"_x005F\1", value))
    value = value.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")   # no place in XML either
    keep = ' xml:space="preserve"' if _EDGE_SPACE.search(value) else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{keep}>{escape(value)}</t></is></c>'


def excel_width(width: int) -> str:
    """A column's width in characters as the sheet gives it: XlsxWriter's set_column() conversion (a digit 7
    pixels wide, 5 pixels of margin, in 1/256ths)."""
    pixels = int(width * 7 + 0.5) + 5
    return f"{(pixels * 256 // 7) / 256.0:.16g}"


class TooBig(ValueError):
    """What Excel cannot hold: a text longer than MAX_TEXT (`column` set: its row and column, from 1), or more rows
    than MAX_ROWS (`column` None). Nothing of the workbook is given."""

    def __init__(self, row: int, column: int | None):
        super().__init__(f"row {row}, column {column}" if column else f"row {row}")
        self.row, self.column = row, column


def serial(day: date) -> int:
    """A date as Excel's serial day (XlsxWriter's, 1900-02-28 is 59 and 1900-03-01 61)."""
    return day.toordinal() - _EPOCH - (day < _MARCH_1900)


class Sheet:
    """The rows of one sheet, written to a temporary file as they are given (`row`), the workbook made at the
    end (`workbook`). Cells are text (str), whole numbers (int) or dates (date); None leaves a cell empty."""

    def __init__(self, name: str):
        self.name = name
        self.letters: list[str] = []   # column_letter of each column so far
        self.rows = tempfile.TemporaryFile()
        self.count = 0          # rows written
        self.columns = 0        # the widest row's cells
        self.widths: dict[int, int] = {}

    def row(self, cells: Sequence, style: int = 0) -> None:
        """The next row: its cells in order, each str, int, date or None; `style` for its text cells."""
        n = self.count = self.count + 1
        if n > MAX_ROWS:
            raise TooBig(n, None)
        number = str(n)
        letters = self.letters
        while len(letters) < len(cells):
            letters.append(column_letter(len(letters)))
        out = [f'<row r="{n}">']
        for col, (letter, value) in enumerate(zip(letters, cells)):
            if value is None:
                continue
            t = type(value)
            ref = letter + number
            if t is str:
                if len(value) > MAX_TEXT // 2 and len(value.encode("utf-16-le")) > 2 * MAX_TEXT:
                    raise TooBig(n, col + 1)
                out.append(text_cell(ref, value, style))
            elif t is int:
                out.append(f'<c r="{ref}"><v>{value:.16G}</v></c>')
            elif t is date:
                out.append(f'<c r="{ref}" s="{DATE}"><v>{serial(value)}</v></c>')
            else:
                raise TypeError(f"an xlsx cell holds text, a whole number or a date, not {t.__name__}")
        out.append("</row>")
        self.columns = max(self.columns, len(cells))
        self.rows.write("".join(out).encode())

    def sheet_xml(self) -> tuple[bytes, bytes]:
        """The sheet's XML before its rows and after them."""
        last = f"{column_letter(max(self.columns, 1) - 1)}{max(self.count, 1)}"
        runs: list[list[int]] = []   # [first, last, width]: neighbouring columns of one width are one <col>
        for c, w in sorted(self.widths.items()):
            if runs and runs[-1][1] == c - 1 and runs[-1][2] == w:
                runs[-1][1] = c
            else:
                runs.append([c, c, w])
        cols = "".join(f'<col min="{a + 1}" max="{b + 1}" width="{excel_width(w)}" customWidth="1"/>'
                       for a, b, w in runs)
        head = (f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="A1:{last}"/>'
                '<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews>'
                f'<sheetFormatPr defaultRowHeight="15"/>{"<cols>" + cols + "</cols>" if cols else ""}<sheetData>')
        tail = (f'</sheetData><autoFilter ref="A1:{self._filtered()}"/><pageMargins left="0.7" right="0.7" top="0.75" '
                'bottom="0.75" header="0.3" footer="0.3"/></worksheet>')
        return head.encode(), tail.encode()

    def _filtered(self, absolute: bool = False) -> str:
        """The last cell of the filter's range: the header and at least the row below it."""
        d = "$" if absolute else ""
        return f"{d}{column_letter(max(self.columns, 1) - 1)}{d}{max(self.count, 2)}"

    def workbook_xml(self) -> str:
        last = self._filtered(absolute=True)
        quoted = "'" + self.name.replace("'", "''") + "'"   # a sheet's name may always be quoted in a reference
        return (f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><fileVersion appName="xl" lastEdited="4" '
                'lowestEdited="4" rupBuild="4505"/><workbookPr defaultThemeVersion="124226"/><bookViews>'
                '<workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews>'
                f'<sheets><sheet name={quoteattr(self.name)} sheetId="1" r:id="rId1"/></sheets><definedNames>'
                f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
                f'{escape(quoted)}!$A$1:{last}</definedName></definedNames>'
                '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>')

    def workbook(self, date_format: str, piece: int = 1 << 20) -> Iterator[bytes]:
        """The .xlsx file, a piece at a time (zipped into a temporary file first: a zip's directory comes last
        and names every part's size)."""
        head, tail = self.sheet_xml()
        size = self.rows.tell()
        parts = {
            "[Content_Types].xml": _content_types(),
            "_rels/.rels": _package_rels(),
            "xl/_rels/workbook.xml.rels": _workbook_rels(),
            "xl/worksheets/sheet1.xml": None,
            "xl/workbook.xml": self.workbook_xml(),
            "xl/styles.xml": _styles(date_format),
            "docProps/core.xml": _core(),
            "docProps/app.xml": _app(self.name),
        }
        with tempfile.TemporaryFile() as out:
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
                for name, text in parts.items():
                    info = zipfile.ZipInfo(name, _ZIP_DATE)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    if text is not None:
                        z.writestr(info, text.encode())
                        continue
                    info.file_size = len(head) + size + len(tail)   # zip64 only if it needs it
                    with z.open(info, "w") as sheet:
                        sheet.write(head)
                        self.rows.seek(0)
                        while chunk := self.rows.read(piece):
                            sheet.write(chunk)
                        sheet.write(tail)
            self.rows.close()
            out.seek(0)
            while chunk := out.read(piece):
                yield chunk


def _content_types() -> str:
    types = [("/docProps/app.xml", f"{_OFFICE}.extended-properties+xml"),
             ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
             ("/xl/styles.xml", f"{_OFFICE}.spreadsheetml.styles+xml"),
             ("/xl/workbook.xml", f"{_OFFICE}.spreadsheetml.sheet.main+xml"),
             ("/xl/worksheets/sheet1.xml", f"{_OFFICE}.spreadsheetml.worksheet+xml")]
    return (f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in types) + "</Types>")


def _package_rels() -> str:
    return (f'{_XML}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>")


def _workbook_rels() -> str:
    return (f'{_XML}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>')


def _styles(date_format: str) -> str:
    font = '<sz val="11"/><name val="Calibri"/><family val="2"/><scheme val="minor"/>'
    return (f'{_XML}<styleSheet xmlns="{_MAIN}"><numFmts count="1"><numFmt numFmtId="164" '
            f'formatCode={quoteattr(date_format)}/></numFmts>'
            f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill '
            'patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/>'
            '<diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            'borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
            'xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf '
            'numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/>'
            '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>'
            "</styleSheet>")


def _core() -> str:
    return (f'{_XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<dc:creator></dc:creator><cp:lastModifiedBy></cp:lastModifiedBy><dcterms:created xsi:type="dcterms:'
            'W3CDTF">2000-01-01T00:00:00Z</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">'
            "2000-01-01T00:00:00Z</dcterms:modified></cp:coreProperties>")


def _app(sheet: str) -> str:
    return (f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>Microsoft '
            'Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector '
            'size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>'
            '1</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="1" baseType="lpstr">'
            f"<vt:lpstr>{escape(sheet)}</vt:lpstr></vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>"
            "false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
            "<AppVersion>12.0000</AppVersion></Properties>")
