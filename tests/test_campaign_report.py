"""A campaign's report (`kaiji report --campaign`, issue 16): the chart of days taken and decisions per body, and
the side-by-side table, in the PDF, the HTML file and on the web's 一斉請求 page.

The campaign is tests/test_campaigns.py's, followed as of 2025-05-01 (`follow`); the bars' lengths below were
worked out by hand from the dates in its comments.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
from datetime import date

import pytest

from tests.test_campaigns import follow
from tests.test_stats import _fonts_warnings
from tests.test_web import app, client, plain  # noqa: F401  (fixtures)
from tracker import db as dbm
from tracker import report

from .conftest import Kaiji, ipaex, prepared

D = date.fromisoformat
AS_OF = D("2025-05-01")
NAMES = ("綾部市長", "安曇野市長", "福知山市長", "京丹後市長", "京都市長", "舞鶴市長", "宮津市長", "国の行政機関",
         "東京都知事")


def followed(kaiji: Kaiji) -> None:
    engine = dbm.open_database(kaiji.url)
    with dbm.transaction(engine) as s:
        follow(s)
    engine.dispose()


def made_for(db_url):
    prepared(Kaiji(db_url), "followed campaign", followed)   # the campaign followed once a session, then copied
    engine = dbm.open_database(db_url)
    with dbm.reading(engine) as s:
        made = report.build_campaign(s, "kosaihi-2025", AS_OF)
    engine.dispose()
    return made


def bars(fig) -> dict[float, list[tuple[float, float, str, str]]]:
    """The chart's bars by their centre's height: (left, width, face colour, hatch)."""
    from matplotlib.colors import to_hex

    found: dict[float, list] = {}
    for r in fig.axes[0].patches:
        found.setdefault(round(r.get_y() + r.get_height() / 2, 2), []).append(
            (r.get_x(), r.get_width(), to_hex(r.get_facecolor()), r.get_hatch() or ""))
    return found


def test_the_chart_draws_each_bodys_days_outcome_due_date_and_lateness(db_url):
    made = made_for(db_url)
    rows = [c.body_key for c in made.comparison.rows]
    fig = report.campaign_chart(made)
    got = bars(fig)

    def main(key):    # the bar of calendar days, centred 0.1 above the row
        return sorted(got.get(round(rows.index(key) - 0.1, 2), []))

    def counted(key):  # the thin bar of the days the rule counts, below it
        return [w for _x, w, _c, _h in got.get(round(rows.index(key) + 0.26, 2), [])]

    k = report.KIND_COLOURS
    # ayabe: received 04-02, due 04-16 (14 days on), full disclosure 04-25 (23 days): 14 solid, 9 hatched; day 24.
    assert main("ayabe") == [(0, 14, k["full"], ""), (14, 9, "#ffffff", "////")] and counted("ayabe") == [24]
    # maizuru: partial on its due date (14 days): one solid bar, blue; its rule counts day 15.
    assert main("maizuru") == [(0, 14, k["partial"], "")] and counted("maizuru") == [15]
    # azumino: 不存在 after 22 days, due after 20 (04-22): 20 solid, 2 hatched; 16 working days.
    assert main("azumino") == [(0, 20, k["absent"], ""), (20, 2, "#ffffff", "////")] and counted("azumino") == [16]
    # tokyo: undecided, 29 days so far (04-02 to 05-01), due after 14 (04-16): grey, 14 solid and 15 hatched.
    assert main("tokyo") == [(0, 14, report.UNDECIDED, ""), (14, 15, "#ffffff", "////")] and counted("tokyo") == []
    # kyotango: no rule, full after 19 days, nothing counted and no due date; miyazu: never received, no bar.
    assert main("kyotango") == [(0, 19, k["full"], "")] and counted("kyotango") == [] and main("miyazu") == []
    # The due ticks: kyoto-city's in force is the extension's 05-16, 44 days after 04-02; national's 05-02, 30.
    ticks = {round(sum(line.get_ydata()) / 2 + 0.1, 2): line.get_xdata()[0] for line in fig.axes[0].lines}
    assert ticks[rows.index("kyoto-city")] == 44 and ticks[rows.index("national")] == 30
    assert rows.index("kyotango") not in ticks and rows.index("miyazu") not in ticks
    # Labels in the reader's language: the bodies' names, the undecided's days so far.
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [c.body for c in made.comparison.rows]
    assert "undecided: 29 days so far (15 past due)" in texts and "23 days (9 past due)" in texts and "14 days" in texts
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["full", "partial", "absent", "undecided (days so far)", "days past the decision due",
                      "decision due (extensions included)", "days counted by the body's rule"]   # what it shows


def test_the_chart_is_drawn_in_the_japanese_font(db_url, monkeypatch):
    if not ipaex():
        pytest.skip("IPAex fonts not installed")
    monkeypatch.setenv("KAIJI_LANG", "ja")
    made = made_for(db_url)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svg = report.campaign_svg(made)
    assert _fonts_warnings(caught) == [] and svg.startswith("<svg") and "style" not in svg
    monkeypatch.setattr(report, "_font", lambda: None)   # matplotlib's own font: 綾部市長 drawn as boxes
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tofu = report.campaign_svg(made)
    assert _fonts_warnings(caught) and tofu != svg


def test_the_campaign_report_as_pdf_and_html(kaiji, db_url, tmp_path, monkeypatch):
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        pytest.skip("poppler-utils (pdftoppm, pdftotext) not installed")
    if not ipaex():
        pytest.skip("IPAex fonts not installed")
    monkeypatch.setenv("KAIJI_LANG", "ja")
    made_for(db_url)
    out = tmp_path / "kosaihi.pdf"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kaiji.ok("report", "--campaign", "kosaihi-2025", "--as-of", "2025-05-01", "-o", str(out))
    assert _fonts_warnings(caught) == []
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "一斉請求 kosaihi-2025" in text and "令和6年度の市長交際費の支出がわかる文書" in text
    assert "令和7年4月1日" in text and "令和7年5月1日" in text      # filed, and as of
    assert "9機関: 受付 8、決定 5（期限内 2）、期限超過 4" in text   # the summary line, in Japanese
    table = text.split("比較表")[1]
    assert all(name in table for name in NAMES)
    assert "店名の部分" in table and "期限超過 +9日" in table and "一部認容" in table   # withheld, late, ruling
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(out), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    from PIL import Image

    gray = Image.open(pages[0]).convert("L")
    assert len(pages) == 2 and sum(gray.histogram()[:200]) / (gray.width * gray.height) > 0.02   # the chart, drawn

    page = tmp_path / "kosaihi.html"
    kaiji.ok("report", "--campaign", "kosaihi-2025", "--as-of", "2025-05-01", "--format", "html", "-o", str(page))
    html = page.read_text("utf-8")
    assert html.count("<svg") == 1 and not re.findall(r'(?:src|href)="(?!#)', html)
    shown = plain(html)
    assert "一斉請求 kosaihi-2025" in shown and all(name in shown for name in NAMES)


def test_campaign_goes_alone_and_names_a_campaign(kaiji, db_url, tmp_path):
    made_for(db_url)
    out = tmp_path / "r.pdf"
    for args in (("--campaign", "kosaihi-2025", "--year", "2025"), ("--campaign", "kosaihi-2025", "--body", "maizuru"),
                 ("--as-of", "2025-05-01",), ("--campaign", "nosuch")):
        result = kaiji("report", *args, "-o", str(out))
        assert result.exit_code == 2 and "Traceback" not in result.output and not out.exists(), args
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_the_campaigns_page_shows_each_campaigns_chart_and_table(app, client):  # noqa: F811
    engine = app.extensions["kaiji.engine"]
    with dbm.transaction(engine) as s:
        follow(s)
    assert 'href="/campaigns"' in client.get("/").get_data(as_text=True)     # in the navigation
    resp = client.get("/campaigns")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and html.count("<svg") == 1 and 'id="campaign-kosaihi-2025"' in html
    shown = plain(html)
    assert all(name in shown for name in NAMES) and "9 bodies: 8 received" in shown


def test_the_campaigns_page_draws_a_chart_again_only_when_what_it_shows_changes(app, client, monkeypatch):  # noqa: F811
    from tracker import service

    drawn = []
    real = report.campaign_svg
    monkeypatch.setattr(report, "campaign_svg", lambda made: drawn.append(made) or real(made))
    engine = app.extensions["kaiji.engine"]
    with dbm.transaction(engine) as s:
        follow(s)
    first = client.get("/campaigns").get_data(as_text=True)
    assert client.get("/campaigns").get_data(as_text=True) == first and len(drawn) == 1     # kept
    with dbm.transaction(engine) as s:     # a body renamed: its bar is named anew
        service.edit_body(s, "maizuru", name="舞鶴市長（改称）")
    client.get("/campaigns")
    assert len(drawn) == 2 and "舞鶴市長（改称）" in [r.body for r in drawn[-1].comparison.rows]


def test_each_kind_has_its_colour_a_withdrawn_body_its_status_and_an_empty_campaign_no_chart(session):
    from tracker import campaigns, service

    bodies = ["maizuru", "ayabe", "tokyo", "azumino"]
    campaigns.add_campaign(session, name="kinds", subject="全種類", bodies=bodies, filed=D("2025-04-01"))
    for b in bodies:
        campaigns.receive(session, "kinds", b, D("2025-04-02"))

    def rid(body):
        return campaigns.request_for(session, campaigns.get_campaign(session, "kinds"), body).id

    service.decide(session, rid("maizuru"), kind="refusal", on=D("2025-04-10"),
                   withheld=[service.Withheld("全部", "第5条第2号", "競争上の地位を害するおそれ")])
    service.decide(session, rid("ayabe"), kind="neither", on=D("2025-04-11"), reason="存否を答えると不開示情報を開示する")
    service.decide(session, rid("tokyo"), kind="rejected", on=D("2025-04-12"), reason="補正に応じない")
    service.record(session, rid("azumino"), "withdrawn", D("2025-04-05"))
    made = report.build_campaign(session, "kinds", AS_OF)
    fig = report.campaign_chart(made)
    rows = [c.body_key for c in made.comparison.rows]
    got = bars(fig)
    k = report.KIND_COLOURS
    # Received 04-02: decided 04-10, 04-11, 04-12 are 8, 9 and 10 days on; the withdrawn request has no bar.
    assert [got[round(rows.index(b) - 0.1, 2)] for b in ("maizuru", "ayabe", "tokyo")] == [
        [(0, 8, k["refusal"], "")], [(0, 9, k["neither"], "")], [(0, 10, k["rejected"], "")]]
    assert round(rows.index("azumino") - 0.1, 2) not in got
    assert "withdrawn" in [t.get_text() for t in fig.axes[0].texts]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]   # nobody late or undecided: not said
    assert legend == ["refusal", "neither", "rejected", "decision due (extensions included)",
                      "days counted by the body's rule"]
    assert len(set(k.values()) | {report.UNDECIDED, report.COUNTED}) == len(k) + 2   # no two alike

    campaigns.add_campaign(session, name="empty", subject="x", bodies=["maizuru"], filed=D("2025-04-01"))
    campaigns.remove_body(session, "empty", "maizuru", D("2025-04-02"))
    html = report.campaign_html(report.build_campaign(session, "empty", AS_OF))
    assert "<svg" not in html and "No requests." in html
