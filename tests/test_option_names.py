"""Options renamed so that one word means one thing (issue 11): the telephone's extension (内線) is
--phone-ext, "extension" being 延長 everywhere else; decide's reasons are --withheld-reason (one per
withheld part) and --decision-reason (the decision's own). The old spellings still work, unlisted."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from tracker.models import Decision, Department


def _request(kaiji, *extra: str) -> None:
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "調査結果", "--received", "2025-01-06", "--force", *extra)


def _decisions(kaiji, request_id: int = 1) -> list[dict]:
    return json.loads(kaiji.ok("request", "show", str(request_id), "--json").stdout)["decisions"]


def test_phone_ext_and_its_old_spelling_both_keep_the_extension(kaiji, session):
    _request(kaiji, "--department", "人事課", "--phone-ext", "1342")
    _request(kaiji, "--department", "総務課", "--extension", "2210")
    kaiji.ok("request", "decide", "1", "--kind", "full", "--on", "2025-01-10", "--department", "秘書課",
             "--phone-ext", "3301")
    kaiji.ok("request", "decide", "2", "--kind", "full", "--on", "2025-01-10", "--department", "広報課",
             "--extension", "4402")
    kept = dict(session.execute(select(Department.name, Department.extension)).all())
    assert kept == {"人事課": "1342", "総務課": "2210", "秘書課": "3301", "広報課": "4402"}
    for command in (("request", "add"), ("request", "decide")):
        help_text = kaiji.ok(*command, "--help").stdout
        assert "--phone-ext" in help_text and "--extension" not in help_text, command


def test_an_extension_without_a_department_is_refused_under_either_spelling(kaiji, session):
    for option in ("--phone-ext", "--extension"):
        result = kaiji("request", "add", "--body", "maizuru", "--subject", "x", "--received", "2025-01-06",
                       option, "1342")
        assert result.exit_code == 2 and "needs the department it belongs to; add --department" in result.stderr
    assert json.loads(kaiji.ok("request", "list", "--json").stdout) == []


def test_withheld_and_decision_reasons_each_have_their_option(kaiji):
    _request(kaiji)
    _request(kaiji)
    kaiji.ok("request", "decide", "1", "--kind", "partial", "--on", "2025-01-10",
             "--withheld", "店名", "--ground", "第5条第2号", "--withheld-reason", "競争上の地位を害する",
             "--withheld", "個人名", "--ground", "第5条第2号", "--withheld-reason", "個人が識別される")
    kaiji.ok("request", "decide", "2", "--kind", "absent", "--on", "2025-01-10",
             "--decision-reason", "作成していないため")
    (partial,), (absent,) = _decisions(kaiji, 1), _decisions(kaiji, 2)
    assert [(w["part"], w["reason"]) for w in partial["withheld"]] == [("店名", "競争上の地位を害する"),
                                                                        ("個人名", "個人が識別される")]
    assert partial["reason"] is None
    assert (absent["reason"], absent["withheld"]) == ("作成していないため", [])
    help_text = kaiji.ok("request", "decide", "--help").stdout
    assert "--withheld-reason" in help_text and "--decision-reason" in help_text
    assert "--reason" not in help_text


def test_the_old_reason_still_works_where_it_is_unambiguous(kaiji):
    _request(kaiji)
    _request(kaiji)
    kaiji.ok("request", "decide", "1", "--kind", "partial", "--on", "2025-01-10",
             "--withheld", "店名", "--ground", "第5条第2号", "--reason", "競争上の地位を害する")
    kaiji.ok("request", "decide", "2", "--kind", "absent", "--on", "2025-01-10", "--reason", "作成していないため")
    assert [(w["part"], w["reason"]) for w in _decisions(kaiji, 1)[0]["withheld"]] == [("店名", "競争上の地位を害する")]
    assert _decisions(kaiji, 2)[0]["reason"] == "作成していないため"


def test_the_old_reason_where_it_is_ambiguous_is_one_sentence_naming_the_new_options(kaiji, session):
    _request(kaiji)
    for args, words in (
            (["--reason", "一", "--reason", "二"],
             "--reason is given 2 times with no --withheld part; use --decision-reason once"),
            (["--reason", "一", "--decision-reason", "二"],
             "--reason is the old spelling of --withheld-reason and --decision-reason; give only the new options."),
            (["--withheld", "店名", "--ground", "第5条第2号", "--reason", "一", "--withheld-reason", "二"],
             "--reason is the old spelling of --withheld-reason and --decision-reason")):
        result = kaiji("request", "decide", "1", "--kind", "absent", "--on", "2025-01-10", *args)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"kaiji: error: {words}") and len(result.stderr.splitlines()) == 1
    assert session.scalar(select(func.count()).select_from(Decision)) == 0
