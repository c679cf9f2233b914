"""`request show` tells each event in words (events.describe): never raw keys, in the reader's language."""

from __future__ import annotations

import json
import re

import pytest

from tracker import events
from tracker.i18n import use_language


def test_every_kind_that_carries_data_has_words_for_it():
    # A reason is told by describe() for every kind ("（理由: …）"): a kind carrying only that needs no phrase.
    missing = [k.key for k in events.KINDS.values()
               if any(f.key != "reason" for f in k.fields) and not k.says]
    assert not missing, f"give these kinds says= in tracker/events.py: {missing}"


@pytest.mark.parametrize("lang, kind, data, expected", [
    ("ja", "extension", {"new_due": "2025-03-12", "reason": "事務処理上の困難"},
     "延長通知: 決定期限 令和7年3月12日（水）（理由: 事務処理上の困難）"),
    ("en", "extension", {"new_due": "2025-03-12", "reason": "事務処理上の困難"},
     "extension notice: decision due 2025-03-12 (reason: 事務処理上の困難)"),
    ("ja", "ruling", {"outcome": "upheld", "notified": "2025-10-03"}, "裁決: 棄却。知った日 令和7年10月3日（金）"),
    ("ja", "ruling", {"outcome": "dismissed"}, "裁決: 却下"),
    ("ja", "fee_paid", {"amount": 1520}, "費用納付: 1,520円"),
    ("en", "third_party_answered", {"party": "株式会社A", "objects": False}, "third party's answer: 株式会社A: does not object"),
    ("ja", "decision", {"kind": "partial"}, "開示決定等: 部分開示"),
    ("ja", "received", {}, "受付"),
])
def test_an_event_is_a_sentence(lang, kind, data, expected):
    with use_language(lang):
        assert events.describe(kind, data) == expected


def test_a_retraction_is_told_beside_the_event_it_takes_back():
    with use_language("ja"):
        assert (events.describe("fee_paid", {"amount": 190}, retracted_by=(7, "金額の誤り"))
                == "費用納付: 190円［記録 7 で取消し: 金額の誤り］")
        assert events.describe("retraction", {}, note="金額の誤り", retracts=6) == "取消し: 記録 6 を取り消し — 金額の誤り"


def _extended_with_a_fee_taken_back(kaiji, monkeypatch, lang: str) -> str:
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "x", "--received", "2024-12-27")
    kaiji.ok("request", "extend", "1", "--on", "2025-01-09", "--until", "2025-03-11", "--reason", "事務処理上の困難")
    kaiji.ok("request", "fee", "1", "190", "--on", "2025-01-09")
    fee = [e["id"] for e in json.loads(kaiji.ok("request", "show", "1", "--json").stdout)["timeline"]
           if e["kind"] == "fee_charged"][0]
    kaiji.ok("request", "retract", "1", fee, "--reason", "金額の誤り")
    monkeypatch.setenv("KAIJI_LANG", lang)
    return kaiji.ok("request", "show", "1").stdout


def _line(text: str, part: str) -> str:
    found = [line for line in text.splitlines() if part in line]
    assert len(found) == 1, text
    return found[0]


def test_request_show_tells_the_timeline_in_japanese(kaiji, monkeypatch):
    shown = _extended_with_a_fee_taken_back(kaiji, monkeypatch, "ja")
    # 2025-03-11 is a Tuesday (3/10 a Monday); the notice of 2025-01-09 a Thursday.
    assert _line(shown, "延長通知").split("  ")[-1].strip() == "延長通知: 決定期限 令和7年3月11日（火）（理由: 事務処理上の困難）"
    assert "R7.1.9 " in _line(shown, "延長通知")   # the timeline dates: compact 和暦
    assert "金額の誤り" in _line(shown, "費用請求: 190円")  # the retraction beside the event it takes back
    assert "決定期限: 令和7年3月11日（火）" in shown
    assert not re.search(r"[a-z_]+=", shown) and "new_due" not in shown and "True" not in shown


def test_request_show_tells_the_timeline_in_english_and_its_json_keeps_the_data(kaiji, monkeypatch):
    shown = _extended_with_a_fee_taken_back(kaiji, monkeypatch, "en")
    assert "extension notice: decision due 2025-03-11 (reason: 事務処理上の困難)" in shown
    fee = _line(shown, "fee charged: 190 yen")
    retraction = _line(shown, "retraction: takes back event")
    assert fee.endswith(f"[taken back by event {retraction.split()[0]}: 金額の誤り]")
    assert not re.search(r"[a-z_]+=", shown)
    extension = [e for e in json.loads(kaiji.ok("request", "show", "1", "--json").stdout)["timeline"]
                 if e["kind"] == "extension"][0]
    assert extension["data"] == {"new_due": "2025-03-11", "reason": "事務処理上の困難"}
