"""kaiji serve in a real browser: Debian's chromium and chromedriver (apt: chromium chromium-driver; .ci/run
installs them), headless, driven by Selenium through the Maizuru case as a member would do it.

Received 令和6年12月27日 (Friday) by 舞鶴市長; 15 days counted from the request day itself
(「請求があった日から起算して15日以内」): 12/27 is day 1, day 15 is 2025-01-10 (Friday). On 2025-01-11 the
request is overdue by 1 day, and an appeal against inaction is open from 2025-01-11.

With KAIJI_SCREENSHOTS=docs the dashboard and the request page are saved to docs/images/ (the README's
pictures); otherwise to the test's own folder.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker import db as dbm
from tracker import schema, users

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
pytestmark = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)),
    reason="needs Debian's chromium and chromedriver (apt-get install chromium chromium-driver); no browser is "
           "downloaded")
DOCS_IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"
SUBJECT = "カスタマーハラスメントアンケートの調査結果"


@pytest.fixture
def server(db_url, monkeypatch):
    """kaiji serve as a shared server (a login needed) on a free port of 127.0.0.1, counting from 2025-01-11."""
    from werkzeug.serving import make_server

    from tracker.web import create_app

    monkeypatch.delenv("KAIJI_LANG")  # the browser's Accept-Language chooses: Japanese
    engine = dbm.open_database(db_url)
    with dbm.transaction(engine) as s:
        users.add_user(s, "hanako", "editor", "correct horse battery")
    app = create_app(db_url, date(2025, 1, 11), host="0.0.0.0", secret_key="browser-test")
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}", engine
    srv.shutdown()
    thread.join(5)
    app.extensions["kaiji.engine"].dispose()
    engine.dispose()


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=ja",
                "--window-size=1280,1000", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option("prefs", {"intl.accept_languages": "ja,en", "download.default_directory":
                                              str(downloads), "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.implicitly_wait(5)
    driver.downloads = downloads
    yield driver
    driver.quit()


def requests_count(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(schema.requests))


def fill(driver, values: dict[str, str]) -> None:
    from selenium.webdriver.common.by import By

    for name, value in values.items():
        box = driver.find_element(By.NAME, name)
        box.clear()
        box.send_keys(value)


def submit(driver, css: str) -> None:
    """Click the form's button and wait for the next page to have replaced this one."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, css).click()
    WebDriverWait(driver, 15).until(EC.staleness_of(old))


def screenshot(driver, name: str, tmp_path: Path) -> Path:
    """The whole page (the window made as tall as the page), kept for the README with KAIJI_SCREENSHOTS=docs."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(height + 160, 600), 4000))  # the window's frame included
    folder = DOCS_IMAGES if os.environ.get("KAIJI_SCREENSHOTS") == "docs" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 1000)
    return path


def test_the_maizuru_case_in_a_browser(server, browser, tmp_path):
    from pypdf import PdfReader
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, engine = server
    d = browser
    # logged out on a shared server: the login page
    d.get(base + "/")
    assert "/login" in d.current_url
    fill(d, {"name": "hanako", "password": "correct horse battery"})
    submit(d, "#login-form button[type=submit]")
    assert d.current_url.rstrip("/") == base
    assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja"

    # a bad date: the message beside the receipt box, and nothing written
    d.get(base + "/requests/new")
    fill(d, {"body": "舞鶴市長", "subject": SUBJECT, "received": "令和6年13月27日"})
    submit(d, "#request-form button[type=submit]")
    message = d.find_element(By.ID, "error-received")
    assert message.is_displayed() and "13" in message.text
    field = message.find_element(By.XPATH, "..")
    assert field.find_element(By.ID, "f-received").get_attribute("value") == "令和6年13月27日"
    assert requests_count(engine) == 0

    # the request as the office stamped it
    fill(d, {"received": "令和6年12月27日", "requester": "市民オンブズマンまいづる"})
    submit(d, "#request-form button[type=submit]")
    assert d.current_url == base + "/requests/1"
    assert requests_count(engine) == 1

    # the list's search (htmx swaps the results in; without it the form is a plain GET)
    d.get(base + "/requests")
    fill(d, {"q": "アンケート"})
    d.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(d, 10).until(lambda drv: "q=" in drv.current_url)
    results = d.find_element(By.ID, "results")
    assert SUBJECT in results.text and len(d.find_elements(By.ID, "results")) == 1
    from selenium.common.exceptions import StaleElementReferenceException

    page = d.find_element(By.TAG_NAME, "html")
    fill(d, {"q": "該当なしの語"})
    d.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
    WebDriverWait(d, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda drv: SUBJECT not in drv.find_element(By.ID, "results").text and "q=%E8" in drv.current_url)
    assert page.tag_name == "html"  # the same page, its results swapped in by htmx (a reload would make it stale)

    # overdue on 2025-01-11: due 令和7年1月10日, 1 day late, an inaction appeal open from 令和7年1月11日
    d.get(base + "/")
    overdue = d.find_element(By.ID, "overdue")
    row = overdue.find_element(By.CSS_SELECTOR, "tbody tr")
    cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
    assert cells[0] == "1" and cells[2] == SUBJECT
    assert cells[3].startswith("令和7年1月10日") and cells[5].startswith("令和7年1月11日")
    assert cells[4].startswith("1")
    screenshot(d, "web-dashboard.png", tmp_path)

    # the partial decision, withholding the shop names under 第5条第2号: dated 令和7年1月10日 (on time), learned
    # of from the covering letter of 令和7年1月20日, as in the papers (../shared/cases/)
    d.get(base + "/requests/1")
    d.get(d.find_element(By.ID, "decide-link").get_attribute("href"))
    Select(d.find_element(By.NAME, "kind")).select_by_value("partial")
    fill(d, {"on": "令和7年1月10日", "notified": "2025-01-20", "withheld_1": "店名", "ground_1": "第5条第2号",
             "withheld_reason_1": "法人等の競争上の地位その他正当な利益を害するおそれがあるため",
             "documents": "カスタマーハラスメントに関するアンケート調査結果"})
    submit(d, "#decide-form button[type=submit]")
    assert d.current_url == base + "/requests/1"
    withheld = d.find_element(By.CSS_SELECTOR, "table.withheld tbody tr").text
    assert "店名" in withheld and "第5条第2号" in withheld
    assert not d.find_elements(By.ID, "late")
    # 3 months from 2025-01-21 end on 2025-04-20, a Sunday: the last day to appeal is Monday 4/21.
    assert "令和7年4月21日" in d.find_element(By.TAG_NAME, "body").text
    assert "遅れ" not in d.find_element(By.TAG_NAME, "body").text
    screenshot(d, "web-request.png", tmp_path)

    # the notice, downloaded as a member would
    d.find_element(By.ID, "notice-pdf").click()
    deadline = time.monotonic() + 20
    pdfs: list[Path] = []
    while time.monotonic() < deadline:
        pdfs = [p for p in d.downloads.iterdir() if p.suffix == ".pdf"]
        if pdfs and pdfs[0].stat().st_size > 0:
            break
        time.sleep(0.2)
    assert pdfs, "the notice PDF was not downloaded"
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdfs[0].read_bytes())).pages)
    assert "店名" in words and "第5条第2号" in words and "部分" in words
    # nothing the page tried was refused by the Content-Security-Policy (no inline script or style)
    refused = [e["message"] for e in d.get_log("browser") if "Content Security Policy" in e["message"]]
    assert not refused, refused
