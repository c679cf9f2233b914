"""`request show` tells each event in words (events.describe): never raw keys, in the reader's language."""

from __future__ import annotations

import pytest

from tracker import events
from tracker.i18n import use_language


def test_every_kind_that_carries_data_has_words_for_it():
    # A reason is told by describe() for every kind ("（理由: …）"): a kind carrying only that needs no phrase.
    missing = [k.key for k in events.KINDS.values()
               if any(f.key != "reason" for f in k.fields) and k.key not in events.SAYS]
    assert not missing, f"add a phrase to events.SAYS for {missing}"


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
                == "費用納付: 190円［イベント7で取消し: 金額の誤り］")
        assert events.describe("retraction", {}, note="金額の誤り", retracts=6) == "取消し: イベント6を取り消し — 金額の誤り"
