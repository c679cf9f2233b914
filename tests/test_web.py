"""kaiji serve through Flask's test client: the pages call the library and show its messages beside the
field; every write is one transaction; accounts, CSRF, roles, headers; every route closed when logged out.

The Maizuru case: received 令和6年12月27日 (Friday); 舞鶴市 counts 15 days from the request day itself
(「請求があった日から起算して15日以内」): 12/27 is day 1, so day 15 is 2025-01-10 (Friday, an open day).
On 2025-01-11 it is 1 day late, and an appeal against inaction is open from 2025-01-11.
"""

from __future__ import annotations

import os
import re
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from tracker import db as dbm
from tracker import schema, service
from tracker.cli import cli
from tracker.web import create_app, views

AS_OF = date(2025, 1, 11)


@pytest.fixture
def app(db_url):
    app = create_app(db_url, AS_OF, host="127.0.0.1", secret_key="test-secret")
    yield app
    app.extensions["kaiji.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def token(client, path: str) -> str:
    page = client.get(path)
    found = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True))
    assert found, (path, page.status_code)
    return found.group(1)


def counts(app) -> dict[str, int]:
    with app.extensions["kaiji.engine"].connect() as conn:
        return {t: conn.scalar(select(func.count()).select_from(getattr(schema, t)))
                for t in ("requests", "events", "decisions", "withheld_parts", "users", "requesters", "departments")}


def log_maizuru(client, **extra):
    data = {"csrf": token(client, "/requests/new"), "body": "舞鶴市長", "received": "令和6年12月27日",
            "subject": "カスタマーハラスメントアンケートの調査結果", "requester": "市民オンブズマンまいづる",
            "methods": "copy"} | extra
    return client.post("/requests/new", data=data)


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_maizuru_logged_overdue_decided_and_its_notice(client, app):
    resp = log_maizuru(client)
    assert resp.status_code == 302 and resp.headers["Location"] == "/requests/1"
    page = plain(client.get("/").get_data(as_text=True))
    overdue = page[page.index("Overdue decisions"):page.index("Due in the next 14 days")]
    # due 2025-01-10, one day late on 2025-01-11, inaction appeal open from 2025-01-11
    assert "カスタマーハラスメントアンケートの調査結果" in overdue
    assert "2025-01-10" in overdue and "1 day" in overdue and "2025-01-11" in overdue
    assert 'href="/requests/1"' in client.get("/").get_data(as_text=True)

    shown = plain(client.get("/requests/1").get_data(as_text=True))
    assert "Overdue by 1 day: the decision was due on 2025-01-10" in shown

    resp = client.post("/requests/1/decide", data={
        "csrf": token(client, "/requests/1/decide"), "kind": "partial", "on": "2025-01-20", "notified": "2025-01-22",
        "withheld_1": "店名", "ground_1": "5-2", "withheld_reason_1": "法人等の競争上の地位を害するおそれ"})
    assert resp.status_code == 302, plain(resp.get_data(as_text=True))
    shown = plain(client.get("/requests/1").get_data(as_text=True))
    assert "店名 第5条第2号" in shown and "部分開示" in shown
    assert "Overdue" not in shown
    notice = client.get("/requests/1/pdf/notice")
    assert notice.status_code == 200 and notice.headers["Content-Type"] == "application/pdf"
    import io

    from pypdf import PdfReader

    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(notice.data)).pages)
    assert "店名" in words and "第5条第2号" in words
    assert "Overdue decisions" in client.get("/").get_data(as_text=True)
    assert "カスタマーハラスメント" not in plain(client.get("/").get_data(as_text=True)).split("Due in")[0]


def test_the_statistics_page_shows_the_tables_and_the_charts_as_images(client, app):
    # Maizuru, received 2024-12-27, decided 2025-01-20 (部分開示): 24 calendar days; day 1 is 12-27, so the
    # rule counts 25; late (due 2025-01-10).
    log_maizuru(client)
    client.post("/requests/1/decide", data={
        "csrf": token(client, "/requests/1/decide"), "kind": "partial", "on": "2025-01-20",
        "withheld_1": "店名", "ground_1": "5-2", "withheld_reason_1": "法人等の競争上の地位を害するおそれ"})
    assert 'href="/stats"' in client.get("/").get_data(as_text=True)        # in the navigation
    resp = client.get("/stats")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<svg" not in html and "<script" not in html.split("</nav>")[1]
    assert all(f'id="chart-{name}"' in html for name in ("days", "kinds", "grounds"))
    # Each chart an image of its own, drawn for the same filters, the browser told when it is unchanged.
    import re

    sources = re.findall(r'<img src="([^"]+)" alt="([^"]+)"', html)
    assert [src for src, _alt in sources] == ["/stats/days.svg", "/stats/kinds.svg", "/stats/grounds.svg"]
    assert sources[1][1] == "Decisions by kind"
    for src, _alt in sources:
        chart = client.get(src)
        svg = chart.get_data(as_text=True)
        assert chart.status_code == 200 and chart.mimetype == "image/svg+xml" and svg.startswith("<svg")
        assert "style" not in svg and "<script" not in svg
        assert client.get(src, headers={"If-None-Match": chart.headers["ETag"]}).status_code == 304
    assert 'fill="#2f6db5"' in client.get("/stats/kinds.svg").get_data(as_text=True)
    one = plain(client.get("/stats?body=maizuru&received_from=2024-12-01").get_data(as_text=True))
    assert "/stats/kinds.svg?body=maizuru&amp;received_from=2024-12-01" in client.get(
        "/stats?body=maizuru&received_from=2024-12-01").get_data(as_text=True) and "24 / 24" in one
    assert client.get("/stats/kinds.svg?body=maizuru&received_from=2024-12-01").status_code == 200
    assert client.get("/stats/nothing.svg").status_code == 404
    assert client.get("/stats/kinds.svg?received_from=2026-01-01").status_code == 404   # no requests: no chart
    assert client.get("/stats/kinds.svg?received_from=2025-13-01").status_code == 404
    page = plain(html)
    assert "舞鶴市長" in page and "24 / 24" in page and "25 / 25" in page and "1 (100%)" in page
    bad = client.get("/stats?received_from=2025-13-01")
    assert bad.status_code == 400 and "<svg" not in bad.get_data(as_text=True)
    assert "No requests." in plain(client.get("/stats?received_from=2026-01-01").get_data(as_text=True))


def test_the_statistics_page_is_kept_until_anything_it_shows_changes(client, app, monkeypatch):
    from tracker import report

    built = []
    real = report.build
    monkeypatch.setattr(report, "build", lambda *a, **kw: built.append(1) or real(*a, **kw))
    log_maizuru(client)
    client.post("/requests/1/decide", data={"csrf": token(client, "/requests/1/decide"), "kind": "partial",
                                            "on": "2025-01-20", "withheld_1": "店名", "ground_1": "5-2",
                                            "withheld_reason_1": "法人等の競争上の地位を害するおそれ"})
    client.get("/")                                         # the decision's flash shown, not on the stats pages
    first = client.get("/stats").get_data(as_text=True)
    assert "舞鶴市長" in plain(first) and "24 / 24" in plain(first) and len(built) == 1
    assert client.get("/stats").get_data(as_text=True) == first and len(built) == 1    # kept
    assert "24 / 24" in plain(client.get("/stats?body=maizuru").get_data(as_text=True)) and len(built) == 2
    engine = app.extensions["kaiji.engine"]
    stale = "These figures were counted before the latest records were written"

    def after_a_write() -> str:
        # The page at once after a write (the figures kept, said to be from before it), then once counted again.
        before = plain(client.get("/stats").get_data(as_text=True).split("</form>")[-1])   # the figures, not the choices
        assert stale in before
        app.extensions["kaiji.stats_recount"].join(timeout=30)
        now = plain(client.get("/stats").get_data(as_text=True).split("</form>")[-1])
        assert stale not in now
        return before, now

    with dbm.transaction(engine) as s:                       # a body renamed: its new name once counted again
        service.edit_body(s, "maizuru", name="舞鶴市長（改称）")
    before, now = after_a_write()
    assert "舞鶴市長（改称）" not in before and "舞鶴市長（改称）" in now and len(built) == 3
    with dbm.transaction(engine) as s:                       # a new event (here a void): the request is gone
        service.record(s, 1, "voided", date(2025, 2, 3), {"reason": "二重登録"})
    before, now = after_a_write()
    assert "24 / 24" in before and "No requests." in now and len(built) == 4


def test_a_bad_date_is_shown_beside_its_field_and_nothing_is_written(client, app):
    before = counts(app)
    resp = log_maizuru(client, received="令和6年13月27日")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    field = html[html.index('id="f-received"'):]
    field = field[:field.index("</div>")]
    assert 'class="error" id="error-received"' in field and "13" in plain(field)
    assert counts(app) == before


def test_the_librarys_error_goes_beside_the_field_it_names(client, app):
    before = counts(app)
    resp = log_maizuru(client, body="どこにもない役所")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    body_field = html[html.index('id="f-body"'):html.index('id="f-subject"')]
    assert 'id="error-body"' in body_field and "there is no body" in body_field
    assert counts(app) == before


def test_every_follow_up_kind_has_its_form_and_records_through_the_library(client, app):
    from tracker.events import KINDS

    log_maizuru(client)
    for kind in KINDS.values():
        if kind.command:
            page = client.get(f"/requests/1/record/{kind.command}")
            assert page.status_code == 200, kind.command
            for f in kind.fields:
                assert f'name="{f.key}"' in page.get_data(as_text=True), (kind.command, f.key)
    resp = client.post("/requests/1/record/extend", data={
        "csrf": token(client, "/requests/1/record/extend"), "on": "令和7年1月9日", "new_due": "2025-03-11",
        "reason": "事務処理上の困難"})
    assert resp.status_code == 302
    shown = plain(client.get("/requests/1").get_data(as_text=True))
    assert "extension notice: decision due 2025-03-11 (reason: 事務処理上の困難)" in shown
    # an extension not later than the date in force is refused by the library, beside --until's box
    before = counts(app)
    resp = client.post("/requests/1/record/extend", data={
        "csrf": token(client, "/requests/1/record/extend"), "on": "2025-01-09", "new_due": "2025-01-05"})
    assert resp.status_code == 400 and counts(app) == before
    html = resp.get_data(as_text=True)
    assert 'id="error-new_due"' in html


def test_a_subject_with_markup_shows_as_text(client):
    log_maizuru(client, subject="<script>alert(1)</script>")
    for path in ("/", "/requests", "/requests/1"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path


def test_security_headers(client):
    resp = client.get("/")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in re.sub(r"<script src=[^>]+></script>", "", resp.get_data(as_text=True))
    assert client.get("/static/htmx.min.js").status_code == 200


def test_a_post_without_the_csrf_token_writes_nothing(client, app):
    before = counts(app)
    resp = client.post("/requests/new", data={"body": "maizuru", "subject": "x", "received": "2025-01-06"})
    assert resp.status_code == 400 and counts(app) == before


def test_list_filters_search_sort_and_pages(client, app, monkeypatch):
    assert log_maizuru(client, subject="文書00", received="2025-01-01", force="1").status_code == 302
    with dbm.transaction(app.extensions["kaiji.engine"]) as session:   # the rest as the form adds them, faster
        for i in range(1, 60):
            service.add_request(session, body="maizuru", subject=f"文書{i:02d}", received=date(2025, 1, i % 28 + 1),
                                requester="市民オンブズマンまいづる", methods=["copy"], force=True)
    html = client.get("/requests?sort=received_on&order=asc").get_data(as_text=True)
    assert "60 requests" in html and "page 1 of 2" in html
    first = re.findall(r'href="/requests/(\d+)"', html)
    assert first[0] in ("1", "29", "57")  # received 2025-01-01
    page2 = client.get("/requests?page=2&sort=id&order=asc").get_data(as_text=True)
    assert re.findall(r'<td class="num"><a href="/requests/(\d+)"', page2) == [str(i) for i in range(51, 61)]
    found = client.get("/requests?q=文書07").get_data(as_text=True)
    assert "Requests found, page 1" in found and 'rel="next"' not in found   # a search counts no further
    assert "文書07" in found and "文書08" not in found
    many = client.get("/requests?q=文書&sort=id&order=asc").get_data(as_text=True)   # all 60 match: a next page
    assert 'rel="next"' in many and len(re.findall(r'<td class="num"><a href="/requests/', many)) == 50
    rest = client.get("/requests?q=文書&sort=id&order=asc&page=2").get_data(as_text=True)
    assert re.findall(r'<td class="num"><a href="/requests/(\d+)"', rest) == [str(i) for i in range(51, 61)]
    assert 'rel="next"' not in rest and 'rel="prev"' in rest
    by_status = client.get("/requests?sort=status&order=asc&page=2").get_data(as_text=True)  # all "received"
    assert re.findall(r'<td class="num"><a href="/requests/(\d+)"', by_status) == [str(i) for i in range(51, 61)]
    # The box reads the search index, as kaiji search does: notes too, and words as it folds them (full-width
    # letters as half-width, upper case as lower); several words must all be in one subject or note.
    log_maizuru(client, subject="会議の記録", notes="ＳＮＳ運用方針の議事録", force="1")
    noted = client.get("/requests?q=sns 議事録").get_data(as_text=True)
    assert re.findall(r'<td class="num"><a href="/requests/(\d+)"', noted) == ["61"]
    assert "Requests found, page 1" in client.get("/requests?q=議事録 文書07").get_data(as_text=True)
    assert '<td class="num">' not in client.get("/requests?q=議事録 文書07").get_data(as_text=True)
    dated = client.get("/requests?received_from=2025-01-27&received_to=令和7年1月28日").get_data(as_text=True)
    assert "4 requests" in dated  # 2025-01-27 and -28: i = 26, 27, 54, 55
    # Past COUNT_UP_TO the list says "more than" and pages on while a next page exists: with 25 counted at most,
    # the 61 requests are more than 25: page 1 has a next page, page 2 (51–61) has none.
    monkeypatch.setattr(views, "COUNT_UP_TO", 25)
    capped = client.get("/requests?sort=id&order=asc").get_data(as_text=True)
    assert "More than 25 requests, page 1" in capped and 'rel="next"' in capped and "61 requests" not in capped
    last = client.get("/requests?sort=id&order=asc&page=2").get_data(as_text=True)
    assert "More than 25 requests, page 2" in last and 'rel="next"' not in last
    assert re.findall(r'<td class="num"><a href="/requests/(\d+)"', last) == [str(i) for i in range(51, 62)]
    assert "4 requests" in client.get("/requests?received_from=2025-01-27&received_to=2025-01-28").get_data(as_text=True)
    monkeypatch.undo()
    bad = client.get("/requests?received_from=2025-02-01&received_to=2025-01-01")
    assert bad.status_code == 400 and 'id="error-received_to"' in bad.get_data(as_text=True)


def test_bodies_show_the_rule_and_its_source(client):
    html = plain(client.get("/bodies").get_data(as_text=True))
    assert "舞鶴市長" in html and "15 days, counting from the request day itself" in html
    assert "city.maizuru.kyoto.jp" in html


def test_pages_in_japanese_by_cookie_and_english_by_choice(client, monkeypatch):
    from tracker.i18n import catalog

    monkeypatch.delenv("KAIJI_LANG")
    resp = client.get("/language/en?next=/")
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert "Dashboard" in client.get("/").get_data(as_text=True)
    client.get("/language/ja?next=/")
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="ja">' in html
    if catalog("ja").gettext("Dashboard") != "Dashboard":   # once the catalog holds the pages' words
        assert "ダッシュボード" in html
    assert client.get("/language/en?next=https://evil.example/").headers["Location"] == "/login"


# ---------------------------------------------------------------- accounts

def add_user(db_url, name, role, password="correct horse battery"):
    result = CliRunner().invoke(cli, ["--db", db_url, "user", "add", name, "--role", role],
                                input=f"{password}\n{password}\n", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def login(client, name, password="correct horse battery"):
    return client.post("/login", data={"csrf": token(client, "/login"), "name": name, "password": password})


def test_user_commands(db_url):
    out = add_user(db_url, "hanako", "editor")
    assert "hanako" in out.output
    again = CliRunner().invoke(cli, ["--db", db_url, "user", "add", "hanako", "--role", "viewer"],
                               input="another long password\nanother long password\n")
    assert again.exit_code == 1 and "exists already" in again.output
    short = CliRunner().invoke(cli, ["--db", db_url, "user", "add", "taro", "--role", "viewer"], input="short\nshort\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    listed = CliRunner().invoke(cli, ["--db", db_url, "user", "list", "--json"])
    import json

    assert [(u["name"], u["role"], u["disabled"]) for u in json.loads(listed.output)] == [("hanako", "editor", False)]
    engine = dbm.open_database(db_url)
    with engine.connect() as conn:
        stored = conn.scalar(text("SELECT password_hash FROM users WHERE name = 'hanako'"))
    engine.dispose()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert CliRunner().invoke(cli, ["--db", db_url, "user", "passwd", "hanako"],
                              input="a new long password\na new long password\n").exit_code == 0
    assert CliRunner().invoke(cli, ["--db", db_url, "user", "disable", "hanako"]).exit_code == 0
    listed = CliRunner().invoke(cli, ["--db", db_url, "user", "list", "--json"])
    assert json.loads(listed.output)[0]["disabled"] is True


def test_new_passwords_get_argon2s_recommended_parameters(session, monkeypatch):
    """The tests make cheap hashes (conftest.py); kaiji itself makes them with argon2-cffi's recommended
    parameters, RFC 9106's low-memory profile: Argon2id, 64 MiB of memory, 3 passes, 4 lanes."""
    from argon2 import PasswordHasher, extract_parameters
    from argon2.profiles import RFC_9106_LOW_MEMORY

    from tracker import users

    monkeypatch.setattr(users, "PASSWORD_PARAMETERS", None)   # as kaiji has it
    users.add_user(session, "hanako", "editor", "correct horse battery")
    stored = session.scalar(text("SELECT password_hash FROM users WHERE name = 'hanako'"))
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert extract_parameters(stored) == RFC_9106_LOW_MEMORY
    assert PasswordHasher().verify(stored, "correct horse battery")
    assert users.authenticate(session, "hanako", "correct horse battery") == {"name": "hanako", "role": "editor"}


def test_login_roles_and_throttle(app, client, db_url):
    add_user(db_url, "admin1", "admin")
    add_user(db_url, "viewer1", "viewer")
    add_user(db_url, "editor1", "editor")
    assert client.get("/").status_code == 302  # accounts exist: a login is needed even on this machine
    assert login(client, "viewer1", "wrong password!").status_code == 401
    assert login(client, "viewer1").status_code == 302
    assert client.get("/").status_code == 200
    before = counts(app)
    resp = client.post("/requests/new", data={"csrf": token(client, "/"), "body": "maizuru", "subject": "x",
                                              "received": "2025-01-06"})
    assert resp.status_code == 403 and counts(app) == before          # viewers cannot write
    client.post("/logout", data={"csrf": token(client, "/")})
    login(client, "editor1")
    assert log_maizuru(client).status_code == 302
    assert client.get("/users").status_code == 403                    # editors cannot manage accounts
    html = client.get("/requests/1").get_data(as_text=True)
    assert "entered by editor1" in html
    client.post("/logout", data={"csrf": token(client, "/")})
    login(client, "admin1")
    resp = client.post("/users", data={"csrf": token(client, "/users"), "name": "jiro", "role": "viewer",
                                       "password": "short"})
    assert resp.status_code == 400 and 'id="error-password"' in resp.get_data(as_text=True)
    client.post("/logout", data={"csrf": token(client, "/")})
    # five failures lock the account for a while, even with the right password after them
    for _ in range(5):
        assert login(client, "editor1", "not the password").status_code == 401
    resp = login(client, "editor1")
    assert resp.status_code == 401 and "Too many failed logins" in resp.get_data(as_text=True)


def test_the_session_cookie(app, client, db_url):
    add_user(db_url, "editor1", "editor")
    resp = login(client, "editor1")
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/").status_code == 200
    from datetime import timedelta

    app.permanent_session_lifetime = timedelta(seconds=-1)   # the login has outlived its day
    assert client.get("/").status_code == 302
    app.permanent_session_lifetime = timedelta(hours=12)
    https = app.test_client()
    resp = https.post("/login", base_url="https://localhost", data={
        "csrf": re.search(r'name="csrf" value="([^"]+)"', https.get("/login", base_url="https://localhost")
                          .get_data(as_text=True)).group(1), "name": "editor1", "password": "correct horse battery"})
    assert "Secure" in resp.headers["Set-Cookie"]


def test_every_route_is_closed_to_a_logged_out_visitor_on_a_shared_server(db_url):
    app = create_app(db_url, AS_OF, host="0.0.0.0", secret_key="test-secret")
    client = app.test_client()
    log_in_first = {"web.login", "web.language", "static"}  # the login page itself, its language, its CSS/JS
    before = counts(app)
    checked = 0
    for rule in app.url_map.iter_rules():
        values = {arg: {"request_id": 1, "command": "receive", "which": "notice", "lang": "en",
                        "filename": "style.css", "token": "not-a-token", "doc_id": 1, "name": "kinds"}[arg]
                  for arg in rule.arguments}
        path = rule.build(values)[1]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            resp = client.open(path, method=method, data={"body": "maizuru", "subject": "x", "received": "2025-01-06"})
            checked += 1
            if rule.endpoint in log_in_first:
                assert resp.status_code in (200, 302, 400, 401), (rule, method)
                continue
            if method == "GET" and rule.endpoint != "web.calendar_feed":   # a calendar app cannot log in: 401
                assert resp.status_code == 302 and resp.headers["Location"].startswith("/login"), (rule, method)
            else:
                assert resp.status_code == 401, (rule, method)
    assert checked >= 12 and counts(app) == before
    app.extensions["kaiji.engine"].dispose()


def test_entered_by_on_the_command_line(kaiji, monkeypatch, db_url):
    monkeypatch.setenv("KAIJI_USER", "事務局 山田")
    kaiji.ok("request", "add", "--body", "maizuru", "--subject", "s", "--received", "2024-12-27")
    engine = dbm.open_database(db_url)
    with engine.connect() as conn:
        who = conn.execute(text("SELECT DISTINCT entered_by FROM events")).scalars().all()
    engine.dispose()
    assert who == ["事務局 山田"]


def test_serve_on_a_shared_address_refuses_to_start_without_an_admin(kaiji, db_url):
    result = kaiji("serve", "--host", "0.0.0.0", "--port", "8765")
    assert result.exit_code == 1 and "no admin account exists yet" in result.output
    add_user(db_url, "editor1", "editor")
    assert "no admin account" in kaiji("serve", "--host", "0.0.0.0").output


def test_an_entry_taken_back_and_the_calendar_file(client, app):
    log_maizuru(client)
    client.post("/requests/1/record/extend", data={
        "csrf": token(client, "/requests/1/record/extend"), "on": "2025-01-09", "new_due": "2025-03-11"})
    html = client.get("/requests/1").get_data(as_text=True)
    assert "Overdue" not in plain(html)                         # extended to 2025-03-11
    event = re.search(r'<option value="(\d+)">\1: 2025-01-09 extension notice', client.get(
        "/requests/1/retract").get_data(as_text=True)).group(1)
    before = counts(app)
    resp = client.post("/requests/1/retract", data={"csrf": token(client, "/requests/1/retract"), "event": event,
                                                    "reason": "", "on": "2025-01-11"})
    assert resp.status_code == 400 and counts(app) == before  # the library wants a reason
    resp = client.post("/requests/1/retract", data={"csrf": token(client, "/requests/1/retract"), "event": event,
                                                    "reason": "別の請求の通知だった", "on": "2025-01-11"})
    assert resp.status_code == 302
    shown = plain(client.get("/requests/1").get_data(as_text=True))
    assert "Overdue by 1 day" in shown and "taken back by event" in shown
    ics = client.get("/calendar.ics?body=maizuru")
    assert ics.status_code == 200 and ics.headers["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in ics.data and b"DTSTART;VALUE=DATE:20250110" in ics.data
    assert ics.headers["Cache-Control"] == "no-store" and ics.data.endswith(b"END:VCALENDAR\r\n")
    bad = client.get("/calendar.ics?body=nowhere")                # refused before any of the file is sent
    assert bad.status_code == 400 and b"BEGIN:VCALENDAR" not in bad.data
    # As `kaiji calendar` by default: a decision still to be made however old, the other dates from 30 days
    # before the server's today on. Decided 2025-01-20 and learned of that day: appeal by 04-21 (3 months).
    app.config["KAIJI_AS_OF"] = date(2025, 6, 1)
    assert b"DTSTART;VALUE=DATE:20250110" in client.get("/calendar.ics?body=maizuru").data   # overdue, undecided
    with dbm.transaction(app.extensions["kaiji.engine"]) as s:
        service.decide(s, 1, kind="absent", on=date(2025, 1, 20), notified=date(2025, 1, 20))
    app.config["KAIJI_AS_OF"] = date(2025, 5, 21)                # 04-21 is 30 days before: still shown
    assert b"UID:request-1-appeal_due@kaiji" in client.get("/calendar.ics?body=maizuru").data
    app.config["KAIJI_AS_OF"] = date(2025, 5, 22)
    later = client.get("/calendar.ics?body=maizuru")
    assert later.status_code == 200 and b"UID:request-1-appeal_due@kaiji" not in later.data
    assert b"UID:request-1-lawsuit_due@kaiji" in later.data and later.data.endswith(b"END:VCALENDAR\r\n")
    every = client.get("/calendar.ics?body=maizuru&all=1")          # the list's second link: every date
    assert b"UID:request-1-appeal_due@kaiji" in every.data and b"UID:request-1-lawsuit_due@kaiji" in every.data
    listing = client.get("/requests?body=maizuru").get_data(as_text=True)
    assert 'href="/calendar.ics?all=1&amp;body=maizuru"' in listing


@pytest.mark.slow  # starts `kaiji serve` as a process and waits for it to answer
def test_kaiji_serve_answers_and_logs_no_query_strings(db_url, tmp_path):
    """The command itself: it serves the dashboard, and its access log leaves out what a search typed."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = open(tmp_path / "serve.log", "w+")
    env = dict(os.environ, KAIJI_SECRET_KEY="test-secret")  # else kept in the user's data folder
    proc = subprocess.Popen([sys.executable, "-c", "from tracker.launch import main; main()", "--db", db_url, "serve",
                             "--port", str(port), "--as-of", "2025-01-11"], stdout=log, stderr=subprocess.STDOUT,
                            env=env)
    try:
        for _ in range(100):
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError(open(tmp_path / "serve.log").read())
        assert "kaiji" in page and "Overdue decisions" in page
        name = urllib.request.quote("山田花子の住所")
        urllib.request.urlopen(f"http://127.0.0.1:{port}/requests?requester={name}&q={name}", timeout=5)
    except urllib.error.HTTPError as exc:
        assert exc.code == 400  # no such requester: the message is on the page, not in the log
    finally:
        proc.terminate()
        proc.wait(10)
    log.seek(0)
    text = log.read()
    assert f"http://127.0.0.1:{port}/" in text and "GET /requests" in text
    assert name not in text and "山田" not in text and "requester=" not in text


def test_under_a_wsgi_server_every_page_needs_a_login(db_url, monkeypatch):
    """waitress-serve --call 'tracker.web:create_app': no host known, so a shared server, accounts or not."""
    monkeypatch.setenv("KAIJI_DB", db_url)
    monkeypatch.setenv("KAIJI_SECRET_KEY", "from-the-environment")
    app = create_app()
    client = app.test_client()
    assert client.get("/").status_code == 302 and client.get("/").headers["Location"].startswith("/login")
    assert app.config["SECRET_KEY"] == "from-the-environment"
    app.extensions["kaiji.engine"].dispose()


def test_a_calendar_subscription_url_per_account_that_can_be_revoked(app, client, db_url):
    add_user(db_url, "viewer1", "viewer")
    login(client, "viewer1")
    log_maizuru_as_cli(db_url)
    page = client.post("/account", data={"csrf": token(client, "/account"), "action": "new"})
    url = re.search(r"<code>(http://localhost/calendar/[^<]+\.ics)</code>", page.get_data(as_text=True)).group(1)
    path = url.removeprefix("http://localhost")
    outsider = app.test_client()                     # a phone's calendar: no session, only the URL
    feed = outsider.get(path)
    assert feed.status_code == 200 and b"DTSTART;VALUE=DATE:20250110" in feed.data
    engine = dbm.open_database(db_url)
    with engine.connect() as conn:
        stored = conn.scalar(text("SELECT calendar_token_hash FROM users WHERE name = 'viewer1'"))
    engine.dispose()
    assert stored and stored not in path             # only a hash of the secret is kept
    assert outsider.get(path.replace(".ics", "x.ics")).status_code == 401
    client.post("/account", data={"csrf": token(client, "/account"), "action": "new"})
    assert outsider.get(path).status_code == 401     # a new URL replaces the old one
    client.post("/account", data={"csrf": token(client, "/account"), "action": "revoke"})
    assert "A subscription URL exists" not in client.get("/account").get_data(as_text=True)


def log_maizuru_as_cli(db_url):
    result = CliRunner().invoke(cli, ["--db", db_url, "request", "add", "--body", "maizuru", "--subject", "s",
                                      "--received", "2024-12-27"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_a_database_error_shows_one_line_and_logs_no_detail(app, client, caplog):
    """A driver's DETAIL (PostgreSQL: "Key (name)=(…) already exists") may quote personal data."""
    from sqlalchemy.exc import IntegrityError

    class Orig(Exception):
        def __str__(self):
            return "duplicate key value violates unique constraint\nDETAIL:  Key (name)=(山田花子) already exists."

    @app.route("/boom")
    def boom():
        raise IntegrityError("INSERT …", {"name": "山田花子"}, Orig())

    resp = client.get("/boom")
    assert resp.status_code == 503
    page = resp.get_data(as_text=True)
    assert "duplicate key value violates unique constraint" in page and "山田花子" not in page
    assert "山田花子" not in caplog.text and "duplicate key" in caplog.text


def test_the_dashboard_shows_the_first_lines_and_counts_them_all(client, app, monkeypatch):
    from tracker.web import views

    monkeypatch.setattr(views, "DASHBOARD_LINES", 2)
    for i in range(3):   # received 2024-12-02, 03, 04: due 12-16, 17, 18 (15 days from the request day)
        log_maizuru(client, subject=f"件{i}", received=f"2024-12-0{i + 2}")
    page = plain(client.get("/").get_data(as_text=True))
    overdue = page[page.index("Overdue decisions"):page.index("Due in the next")]
    assert "Overdue decisions 3 " in overdue and "The first 2 of 3, the most urgent first." in overdue
    assert "件0" in overdue and "件1" in overdue and "件2" not in overdue


def test_every_box_of_every_event_form_has_a_label(client):
    from tracker.events import KINDS

    log_maizuru(client)
    for kind in KINDS.values():
        if kind.command:
            html = client.get(f"/requests/1/record/{kind.command}").get_data(as_text=True)
            assert "Project-Id-Version" not in html, kind.command        # _("") is the catalog's header
            for f in kind.fields:
                label = re.search(rf'<label[^>]*(?:for="f-{f.key}"[^>]*>|>\s*<input[^>]*name="{f.key}"[^>]*>)([^<]*)<',
                                  html)
                assert label and label.group(1).strip(), (kind.command, f.key)


def test_search_page_and_the_request_pages_documents(client, app, monkeypatch):
    """The header's search box leads to the same search as `kaiji search`; the request page lists its
    documents, each a download of the file as it was added."""
    from pathlib import Path

    from tracker import documents

    papers = Path(__file__).parent / "data" / "maizuru-2024-papers.txt"
    assert log_maizuru(client).status_code == 302
    engine = app.extensions["kaiji.engine"]
    with dbm.transaction(engine) as s:
        documents.add(s, 1, [str(papers)], folder=documents.files_folder(db_url_of(engine)), kind="disclosed",
                      received=date(2025, 1, 24))
    page = client.get("/requests/1").get_data(as_text=True)
    assert 'action="/search"' in page                                   # the search box in the header
    shown = plain(page)
    assert "Documents received" in shown and "maizuru-2024-papers.txt" in shown and "disclosed documents" in shown
    assert 'href="/documents/1"' in page
    got = client.get("/documents/1")
    assert got.status_code == 200 and got.data == papers.read_bytes()
    assert got.headers["Content-Type"].startswith("text/plain")
    assert "attachment" in got.headers["Content-Disposition"]
    assert client.get("/documents/2").status_code == 404

    found = client.get("/search", query_string={"query": "民生委員"}).get_data(as_text=True)
    assert "<mark>民生委員</mark>" in found and 'href="/requests/1"' in found and 'href="/documents/1"' in found
    assert "1 hit" in plain(found)
    one = plain(client.get("/search", query_string={"query": "店", "in_documents": "1"}).get_data(as_text=True))
    assert "1 hit" in one
    none = client.get("/search", query_string={"query": "存在しない言葉"})
    assert none.status_code == 200 and "nothing found for 存在しない言葉." in plain(none.get_data(as_text=True))
    bad = client.get("/search", query_string={"query": "店", "body": "nowhere"})
    assert bad.status_code == 400
    # More hits than the page shows: it says so, without counting them (アンケート is in the subject and the papers).
    from tracker.web import views

    monkeypatch.setattr(views, "SEARCH_SHOWN", 1)
    more = client.get("/search", query_string={"query": "アンケート"}).get_data(as_text=True)
    assert "more than 1 hits: the newest 1 are shown." in plain(more) and more.count("<mark>") == 1
    monkeypatch.setattr(views, "SEARCH_SHOWN", 2)
    assert "2 hits" in plain(client.get("/search", query_string={"query": "アンケート"}).get_data(as_text=True))


def db_url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)
