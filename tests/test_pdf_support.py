"""Helpers for the PDF tests: the Maizuru case as the CLI records it, and reading PDFs back.

Text is read back with poppler's pdftotext (-raw: in the order it was drawn), pages are rendered
with pdftoppm; CI installs poppler-utils and fonts-ipaexfont.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from tracker import db as dbm
from tracker.models import Body

from .conftest import prepared

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
                                   reason="poppler-utils (pdftotext, pdftoppm) is not installed")

# The real case (../shared/cases/maizuru-2024-customer-harassment.md).
GROUP = "市民オンブズマンまいづる"
REPRESENTATIVE = "森本 隆"
ADDRESS = "京都府舞鶴市喜多1105-40 (株)DIYSTYLE 内事務局"
PHONE = "090-0000-0000"
SUBJECT = "舞鶴市が実施した「カスタマーハラスメント」アンケートの調査結果を請求します。"
REASON = "行政ハラスメントの調査のため"
DOCUMENT = "カスタマーハラスメントに関するアンケート結果"
PLACE = "舞鶴市役所人事課"
PART = "店名の部分"
GROUND = "第5条第2号"
REASON_5_2 = ("法人その他の団体に関する情報又は事業を営む個人の当該事業に関する情報であって、当該法人等又は当該個人の"
              "権利、競争上の地位その他正当な利益を害するおそれがあるため")
DEPARTMENT, DEPT_PHONE, DEPT_EXTENSION = "総務部人事課", "0773-66-1066", "1342"
MAYOR = "鴨田 秋津"


def add_group(kaiji) -> None:
    kaiji.ok("requester", "add", GROUP, "--group", "--address", ADDRESS, "--phone", PHONE,
             "--representative", REPRESENTATIVE, "--contact-name", REPRESENTATIVE, "--contact-phone", PHONE)


def add_request(kaiji, *, subject: str = SUBJECT, received: str = "2024-12-27", body: str = "maizuru",
                requester: str = GROUP, extra: tuple[str, ...] = ("--method", "copy", "--mail")) -> int:
    result = kaiji.ok("request", "add", "--body", body, "--subject", subject, "--received", received,
                      "--requester", requester, "--reason", REASON, *extra)
    return int(result.stdout.strip())


def decide_partial(kaiji, request_id: int = 1, *more: str) -> None:
    kaiji.ok("request", "decide", str(request_id), "--kind", "partial", "--on", "2025-01-10",
             "--notified", "2025-01-20", "--document", DOCUMENT, "--disclosure-place", PLACE,
             "--disclosure-method", "copy", "--withheld", PART, "--ground", GROUND, "--reason", REASON_5_2,
             "--department", DEPARTMENT, "--department-phone", DEPT_PHONE, "--extension", DEPT_EXTENSION,
             "--fee", "190", *more)


def set_head_name(db_url: str, key: str = "maizuru", name: str = MAYOR) -> None:
    """The mayor's name; no command sets a preset body's head_name yet."""
    engine = dbm.open_database(db_url)
    with dbm.transaction(engine) as s:
        s.scalar(select(Body).where(Body.key == key)).head_name = name
    engine.dispose()


def maizuru_case(kaiji, decided: bool = True) -> None:
    """The group, its request 1 to 舞鶴市長 (named), and if decided its partial disclosure (on SQLite made
    once per session and copied: conftest.prepared)."""
    def build(kaiji) -> None:
        add_group(kaiji)
        assert add_request(kaiji) == 1
        set_head_name(kaiji.url)
        if decided:
            decide_partial(kaiji)

    prepared(kaiji, f"maizuru_case decided={decided}", build)


def pdf_text(path: Path, page: int | None = None) -> str:
    """The PDF's text in drawing order (one page, or all)."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", *pages, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def flat(s: str) -> str:
    """Text without white space: a value wrapped over lines still reads as one."""
    return re.sub(r"\s+", "", s)


def page_count(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def assert_has(path: Path, *values: str) -> None:
    text = flat(pdf_text(path))
    missing = [v for v in values if flat(v) not in text]
    assert not missing, f"not in {path.name}: {missing}"
