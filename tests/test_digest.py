"""`kaiji digest`: the groups and their dates counted by hand, and the mail received by a real SMTP server
(aiosmtpd, in this process) and read back."""

from __future__ import annotations

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tracker.db import open_database, reading
from tracker.digest import collect, subject, text
from tracker.i18n import use_language
from tracker.dates import read_date

USER, PASSWORD = "kaiji@group", "p@ss:wörd"
SMTP_USER, SMTP_PASSWORD = "kaiji%40group", "p%40ss%3Aw%C3%B6rd"   # as KAIJI_SMTP_URL writes them


def three_requests(kaiji):
    add = ("request", "add", "--body", "maizuru", "--subject")
    kaiji.ok(*add, "職員の時間外勤務の実態調査結果", "--received", "R6.12.27")  # 1: due 2025-01-10 (15 days counting 12-27)
    kaiji.ok(*add, "議事録", "--received", "R7.1.6")                          # 2: due Monday 2025-01-20 (01-06 is day 1)
    kaiji.ok(*add, "入札結果", "--received", "R6.12.2")                       # 3: decided below
    kaiji.ok("request", "decide", "3", "--kind", "partial", "--on", "R6.12.16", "--notified", "R6.12.18",
             "--withheld", "氏名", "--ground", "5-2", "--reason", "個人の情報", "--fee", "190",
             "--disclosure-on", "R7.1.9")


def test_the_digest_groups_by_urgency(kaiji):
    three_requests(kaiji)
    out = kaiji.ok("digest", "--as-of", "2025-01-14", "--within", "70").stdout
    # 1: due 01-10, 4 days before 01-14; an appeal against inaction from the day after, 01-11.
    # 3: the appointment of 01-09 passed 5 days ago with no disclosure recorded; learned of on 12-18, so
    #    3 months run from 12-19 to 2025-03-18 (a Tuesday): 63 days after 01-14 (17 + 28 + 18); the fee is unpaid.
    # 2: due 01-20, 6 days ahead: this week (01-14 to 01-20).
    assert out == (
        "kaiji digest as of 2025-01-14 (Tue): what is overdue and what falls due within 70 days.\n"
        "\n"
        "Overdue (2)\n"
        "  2025-01-09 (Thu)  Disclosure appointment passed — request 3, 舞鶴市長: 入札結果 (5 days ago, and no "
        "disclosure is recorded)\n"
        "  2025-01-10 (Fri)  Decision due — request 1, 舞鶴市長: 職員の時間外勤務の実態調査結果 (4 days overdue; an "
        "appeal against inaction (不作為についての審査請求) can be filed from 2025-01-11)\n"
        "\n"
        "This week, to 2025-01-20 (1)\n"
        "  2025-01-20 (Mon)  Decision due — request 2, 舞鶴市長: 議事録 (in 6 days)\n"
        "\n"
        "Later, to 2025-03-25 (1)\n"
        "  2025-03-18 (Tue)  Last day to appeal — request 3, 舞鶴市長: 入札結果 (in 63 days)\n"
        "\n"
        "Unpaid fees (1)\n"
        "  Fee unpaid — request 3, 舞鶴市長: 入札結果\n"
        "\n"
        "Each date, day by day: kaiji explain ID\n")
    # The day after 01-20 is no longer this week; a day's window keeps only what falls on it.
    assert "This week" not in kaiji.ok("digest", "--as-of", "2025-01-21", "--within", "0").stdout
    assert "(in 1 day)" in kaiji.ok("digest", "--as-of", "2025-01-19", "--within", "1").stdout


def test_nothing_to_say_is_said(kaiji):
    assert kaiji.ok("digest", "--as-of", "2025-01-14").stdout.splitlines()[2] == (
        "Nothing is overdue and nothing falls due within 14 days.")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (auth_data.login, auth_data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself


@pytest.fixture(scope="module")
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    yield controller, inbox
    controller.stop()


def test_the_digest_mailed_and_read_back(kaiji, smtp_server, monkeypatch, db_url):
    controller, inbox = smtp_server
    inbox.envelopes.clear()
    three_requests(kaiji)
    monkeypatch.setenv("KAIJI_LANG", "ja")
    monkeypatch.setenv("KAIJI_SMTP_URL", f"smtp://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{controller.port}"
                                         "?starttls=no")
    monkeypatch.setenv("KAIJI_MAIL_FROM", "kaiji@example.org")
    result = kaiji.ok("digest", "--as-of", "R7.1.14", "--within", "70", "--mail-to", "a@example.org",
                      "--mail-to", "b@example.org")
    assert "a@example.org, b@example.org" in result.stdout and PASSWORD not in result.output

    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "kaiji@example.org"
    assert envelope.rcpt_tos == ["a@example.org", "b@example.org"]
    raw = envelope.content
    header = raw.split(b"\r\n\r\n", 1)[0]
    assert header.isascii() and b"=?utf-8?" in header.lower()  # the Japanese subject encoded (RFC 2047)
    msg = email.message_from_bytes(raw, policy=policy.default)
    with use_language("ja"), reading(open_database(db_url)) as s:
        digest = collect(s, read_date("R7.1.14"), 70)
        expected_subject, expected_text = subject(digest), text(digest)
    assert "令和7年1月14日" in expected_subject and msg["Subject"] == expected_subject
    assert msg["From"] == "kaiji@example.org" and msg["To"] == "a@example.org, b@example.org"
    assert msg.get_content_type() == "multipart/alternative"
    plain, page = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain.get_content() == expected_text
    assert "令和7年1月20日（月）" in plain.get_content() and "議事録" in plain.get_content()
    assert "<h2>" in page.get_content() and "入札結果" in page.get_content() and '<html lang="ja">' in page.get_content()


def test_a_failed_send_says_nothing_was_sent(kaiji, smtp_server, monkeypatch):
    controller, inbox = smtp_server
    inbox.envelopes.clear()
    monkeypatch.setenv("KAIJI_MAIL_FROM", "kaiji@example.org")
    # smtp:// means STARTTLS unless told otherwise; this server offers none.
    monkeypatch.setenv("KAIJI_SMTP_URL", f"smtp://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{controller.port}")
    result = kaiji("digest", "--mail-to", "a@example.org")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (f"kaiji: error: cannot send the mail through 127.0.0.1:{controller.port} (the server "
                             "does not offer STARTTLS; use smtps:// or, for a relay on this machine, ?starttls=no); "
                             "nothing was sent. Check KAIJI_SMTP_URL and try again.\n")
    monkeypatch.setenv("KAIJI_SMTP_URL", f"smtp://{SMTP_USER}:wrong@127.0.0.1:{controller.port}?starttls=no")
    result = kaiji("digest", "--mail-to", "a@example.org")
    assert result.exit_code == 1 and "refused the user name or password (code 535)" in result.stderr
    assert "nothing was sent" in result.stderr
    assert inbox.envelopes == []
    for out in (result.output, result.stderr):
        assert PASSWORD not in out and SMTP_PASSWORD not in out


@pytest.mark.parametrize("env, args, message", [
    ({}, ["--mail-to", "a@example.org"], "--mail-to needs the SMTP server in KAIJI_SMTP_URL"),
    ({"KAIJI_SMTP_URL": "smtp://h:25?starttls=no"}, ["--mail-to", "a@example.org"],
     "--mail-to needs the sender's address in KAIJI_MAIL_FROM"),
    ({"KAIJI_SMTP_URL": "http://user:secret@h", "KAIJI_MAIL_FROM": "k@example.org"}, ["--mail-to", "a@example.org"],
     "KAIJI_SMTP_URL is not an smtp:// or smtps:// URL"),
    ({"KAIJI_SMTP_URL": "smtp://h:25?starttls=no", "KAIJI_MAIL_FROM": "k@example.org"}, ["--mail-to", "nobody"],
     "'nobody' is not a mail address"),
    ({"KAIJI_SMTP_URL": "smtp://h:25?starttls=no", "KAIJI_MAIL_FROM": "k@example.org"},
     ["--mail-to", "a@example.org\nBcc: b@example.org"], "'a@example.org\\nBcc: b@example.org' is not a mail address"),
])
def test_mail_settings_are_checked_before_anything(kaiji, monkeypatch, env, args, message):
    for k in ("KAIJI_SMTP_URL", "KAIJI_MAIL_FROM"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    result = kaiji("digest", *args)
    assert result.exit_code == 2 and result.stdout == "" and "secret" not in result.stderr
    assert result.stderr.startswith(f"kaiji: error: {message}") and result.stderr.count("\n") == 1


def test_the_smtp_url_forms():
    from tracker.mail import smtp_settings

    s = smtp_settings("smtp://u%40x:p%3Aw@mail.example.org")
    assert (s.host, s.port, s.security, s.user, s.password) == ("mail.example.org", 587, "starttls", "u@x", "p:w")
    assert "p:w" not in repr(s)
    s = smtp_settings("smtps://u:p@mail.example.org")
    assert (s.port, s.security) == (465, "tls")
    s = smtp_settings("smtp://localhost:25?starttls=no")
    assert (s.host, s.port, s.security, s.user) == ("localhost", 25, "none", None)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A certificate for 127.0.0.1 and its key, made by the openssl command."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
def test_starttls_and_tls_with_a_checked_certificate(kaiji, monkeypatch, certificate, scheme):
    import ssl

    from tracker import mail

    cert, key = certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    inbox = Inbox()
    # aiosmtpd offers AUTH over implicit TLS only with auth_require_tls=False (it counts STARTTLS alone as TLS).
    tls = ({"tls_context": server_tls, "require_starttls": True} if scheme == "smtp" else
           {"ssl_context": server_tls, "auth_require_tls": False})
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticator, **tls)
    controller.start()
    try:
        monkeypatch.setattr(mail, "tls_context", lambda: ssl.create_default_context(cafile=str(cert)))
        monkeypatch.setenv("KAIJI_SMTP_URL", f"{scheme}://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{controller.port}")
        monkeypatch.setenv("KAIJI_MAIL_FROM", "kaiji@example.org")
        kaiji.ok("digest", "--as-of", "2025-01-14", "--mail-to", "a@example.org")
        (envelope,) = inbox.envelopes
        assert envelope.rcpt_tos == ["a@example.org"]
        # A certificate the system does not trust is refused: nothing is sent.
        monkeypatch.setattr(mail, "tls_context", ssl.create_default_context)
        result = kaiji("digest", "--mail-to", "a@example.org")
        assert result.exit_code == 1 and "TLS failed: CERTIFICATE_VERIFY_FAILED" in result.stderr
        assert "nothing was sent" in result.stderr and len(inbox.envelopes) == 1
    finally:
        controller.stop()
