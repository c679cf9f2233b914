"""Who an appeal goes to (審査庁, 行政不服審査法第4条): a property of a body, printed on the 教示 and the 審査請求書.

An appeal against a 委員会's decision goes to the 委員会 itself, not to its 教育長 the forms are addressed
to; against the mayor's, to the mayor. A body may name another explicitly.
"""

from __future__ import annotations

import json

from tracker import service
from tracker.models import Body

from .test_pdf_support import add_group, add_request, assert_has, decide_partial, flat, needs_poppler, pdf_text

EDU, EDU_HEAD = "舞鶴市教育委員会", "舞鶴市教育委員会教育長"


def add_board(kaiji, *more: str) -> None:
    kaiji.ok("body", "add", "maizuru-edu", "--name", EDU, "--head", EDU_HEAD, "--jurisdiction", "maizuru", *more)


def test_the_appeal_authority_is_derived_from_the_body(session):
    jur = service.get_jurisdiction(session, "maizuru")
    board = service.add_body(session, key="maizuru-edu", name=EDU, head=EDU_HEAD, jurisdiction=jur)
    election = service.add_body(session, key="maizuru-senkan", name="舞鶴市選挙管理委員会",
                                head="舞鶴市選挙管理委員会委員長", jurisdiction=jur)
    assert board.appeal_authority is None and board.appeal_to == EDU
    assert election.appeal_to == "舞鶴市選挙管理委員会"
    assert service.get_body(session, "maizuru").appeal_to == "舞鶴市長"          # no 委員会: the head
    service.edit_body(session, "maizuru", appeal_authority="京都府知事")
    assert service.get_body(session, "maizuru").appeal_to == "京都府知事"
    service.edit_body(session, "maizuru", appeal_authority="")                  # empty: derived again
    assert session.get(Body, service.get_body(session, "maizuru").id).appeal_authority is None
    assert service.get_body(session, "maizuru").appeal_to == "舞鶴市長"


def test_body_add_edit_and_list_show_the_appeal_authority(kaiji):
    add_board(kaiji)
    rows = {r["key"]: r for r in json.loads(kaiji.ok("body", "list", "--json").stdout)}
    assert rows["maizuru-edu"]["appeal_authority"] == EDU and rows["maizuru-edu"]["appeal_authority_derived"]
    assert rows["maizuru"]["appeal_authority"] == "舞鶴市長"
    assert EDU_HEAD not in kaiji.ok("body", "list").stdout.split("maizuru-edu")[1].splitlines()[0]
    out = kaiji.ok("body", "edit", "maizuru-edu", "--appeal-authority", "舞鶴市教育委員会（審査庁）").stdout
    assert "appeals to 舞鶴市教育委員会（審査庁）" in out
    assert "舞鶴市教育委員会（審査庁）" in kaiji.ok("body", "list").stdout
    kaiji.ok("body", "edit", "maizuru-edu", "--appeal-authority", "")
    rows = {r["key"]: r for r in json.loads(kaiji.ok("body", "list", "--json").stdout)}
    assert rows["maizuru-edu"]["appeal_authority"] == EDU and rows["maizuru-edu"]["appeal_authority_derived"]
    kaiji.ok("body", "add", "maizuru-x", "--name", "舞鶴市消防長", "--jurisdiction", "maizuru",
             "--appeal-authority", "舞鶴市長")
    rows = {r["key"]: r for r in json.loads(kaiji.ok("body", "list", "--json").stdout)}
    assert rows["maizuru-x"]["appeal_authority"] == "舞鶴市長" and not rows["maizuru-x"]["appeal_authority_derived"]


def test_a_bad_appeal_authority_is_refused_and_nothing_written(kaiji):
    add_board(kaiji)
    for args in (["body", "edit", "maizuru-edu", "--appeal-authority", "教育\x07委員会"],
                 ["body", "edit", "maizuru-edu", "--appeal-authority", "委" * 201],
                 ["body", "add", "maizuru-y", "--name", "y", "--jurisdiction", "maizuru", "--appeal-authority",
                  "a\nb"]):
        result = kaiji(*args)
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "appeal authority" in lines[0], result.stderr
    rows = {r["key"]: r for r in json.loads(kaiji.ok("body", "list", "--json").stdout)}
    assert "maizuru-y" not in rows and rows["maizuru-edu"]["appeal_authority_derived"]


@needs_poppler
def test_the_boards_notice_and_appeal_go_to_the_board_not_its_head(kaiji, tmp_path):
    add_board(kaiji)
    add_group(kaiji)
    add_request(kaiji, body="maizuru-edu")
    decide_partial(kaiji)
    notice, appeal = tmp_path / "notice.pdf", tmp_path / "appeal.pdf"
    kaiji.ok("pdf", "notice", "1", "-o", notice)
    kaiji.ok("pdf", "appeal", "1", "--on", "2025-02-01", "-o", appeal)
    assert_has(notice, f"{EDU_HEAD}", f"3月以内に、{EDU}に対して審査請求をすることができます。")
    assert flat(f"{EDU_HEAD}に対して") not in flat(pdf_text(notice))
    assert flat(pdf_text(appeal)).startswith(flat(f"審査請求書令和7年2月1日{EDU}様"))
    # set explicitly, it is what both print
    kaiji.ok("body", "edit", "maizuru-edu", "--appeal-authority", "舞鶴市教育委員会（委員会会議）")
    kaiji.ok("pdf", "notice", "1", "-o", notice, "--force")
    assert_has(notice, "舞鶴市教育委員会（委員会会議）に対して審査請求")


@needs_poppler
def test_the_inaction_appeal_goes_to_the_board(kaiji, tmp_path):
    add_board(kaiji)
    add_group(kaiji)
    add_request(kaiji, body="maizuru-edu")
    out = tmp_path / "appeal.pdf"
    kaiji.ok("pdf", "appeal", "1", "--on", "2025-01-15", "-o", out)
    text = flat(pdf_text(out))
    assert text.startswith(flat(f"審査請求書令和7年1月15日{EDU}様")) and "不作為" in text
    assert flat(f"{EDU_HEAD}様") not in text
