"""Personal data stays where it belongs: a new database file is its owner's alone; lists and exports
leave out addresses and telephone numbers unless asked; error messages and logs do not quote them."""

from __future__ import annotations

import json
import logging
import os
import stat
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tracker import db as dbm
from tracker import service
from tracker.cli import cli


ADDRESS = "京都府舞鶴市字南田辺1番地"
PHONE = "0773-75-4321"
CONTACT_PHONE = "090-1234-5678"
EMAIL = "yamada@example.jp"
PERSONAL = (ADDRESS, PHONE, CONTACT_PHONE, EMAIL)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def loose_umask():
    """Even where files are made world-readable by default, kaiji's are not."""
    old = os.umask(0o000)
    yield
    os.umask(old)


def test_a_new_database_file_and_its_folder_are_the_owners_alone(tmp_path, loose_umask):
    path = tmp_path / "data" / "kaiji" / "kaiji.sqlite3"
    result = CliRunner().invoke(cli, ["--db", str(path), "request", "add", "--body", "maizuru", "--subject", "x",
                                      "--received", "2025-01-06"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    for extra in ("-wal", "-shm"):  # SQLite gives its side files the database's permissions
        if os.path.exists(f"{path}{extra}"):
            assert mode(f"{path}{extra}") == 0o600, extra


def test_backups_are_the_owners_alone(tmp_path, loose_umask):
    db = tmp_path / "kaiji.sqlite3"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(db), "request", "list"]).exit_code == 0
    result = runner.invoke(cli, ["--db", str(db), "db", "backup", str(tmp_path / "copy.sqlite3")])
    assert result.exit_code == 0, result.output
    assert mode(tmp_path / "copy.sqlite3") == 0o600
    result = runner.invoke(cli, ["--db", str(db), "db", "downgrade", "0001"])  # a schema change copies first
    assert result.exit_code == 0, result.output
    saved = result.stdout.splitlines()[0].split(": ", 1)[1]
    assert mode(saved) == 0o600


@pytest.fixture
def with_contacts(kaiji, engine):
    with dbm.transaction(engine) as s:
        service.add_requester(s, "山田 花子", "person", address=ADDRESS, phone=PHONE, email=EMAIL)
        service.add_requester(s, "市民オンブズマンまいづる", "group", address=ADDRESS, phone=PHONE,
                              representative="代表 太郎", contact_name="連絡 次郎", contact_phone=CONTACT_PHONE)
        r = service.add_request(s, body="maizuru", subject="市長交際費", received=date(2024, 12, 27),
                                requester="山田 花子")
        service.decide(s, r.id, kind="partial", on=date(2025, 1, 10), notified=date(2025, 1, 20),
                       withheld=[service.Withheld("店名", "第5条第2号", "競争上の地位を害するおそれ")], fee=190,
                       disclosure_on=date(2025, 1, 30))
        service.add_request(s, body="maizuru", subject="公用車の運行記録", received=date(2024, 12, 1),
                            requester="市民オンブズマンまいづる")
    return kaiji


SHARED = [
    ["request", "list"], ["request", "list", "--json"], ["request", "show", "1"], ["request", "show", "1", "--json"],
    ["request", "show", "2", "--json"], ["overdue", "--as-of", "2025-02-01", "--json"],
    ["overdue", "--as-of", "2025-02-01"], ["due", "--as-of", "2025-01-21", "--json"], ["due", "--as-of", "2025-01-21"],
    ["explain", "1"], ["requester", "list"], ["requester", "list", "--json"],
]


@pytest.mark.parametrize("args", SHARED, ids=[" ".join(a) for a in SHARED])
def test_lists_and_exports_leave_out_addresses_and_telephones(with_contacts, args):
    out = with_contacts.ok(*args).output
    assert any(shown in out for shown in ("山田 花子", "市長交際費", "公用車の運行記録"))  # it did show the records
    for value in PERSONAL:
        assert value not in out, (value, args)


def test_contacts_are_shown_when_asked_for(with_contacts):
    rows = json.loads(with_contacts.ok("requester", "list", "--with-contacts", "--json").output)
    yamada = next(r for r in rows if r["name"] == "山田 花子")
    assert (yamada["address"], yamada["phone"], yamada["email"]) == (ADDRESS, PHONE, EMAIL)
    assert CONTACT_PHONE in with_contacts.ok("requester", "list", "--with-contacts").output


@pytest.mark.parametrize("args,field", [
    (["requester", "add", "佐藤", "--phone", PHONE + "0" * 40], "phone"),
    (["requester", "add", "佐藤", "--address", ADDRESS + "\x1b"], "address"),
    (["requester", "edit", "山田 花子", "--contact-phone", "090\n1234-5678"], "contact phone"),
    (["requester", "edit", "山田 花子", "--email", EMAIL + "\x00"], "email"),
    (["requester", "add", "山田 花子", "--address", ADDRESS], "exists already"),
])
def test_error_messages_name_the_field_not_its_value(with_contacts, args, field):
    result = with_contacts(*args)
    assert result.exit_code in (1, 2) and field in result.stderr
    for value in PERSONAL:
        assert value not in result.output


def test_a_database_error_shows_the_drivers_first_line_only(with_contacts, monkeypatch):
    """PostgreSQL puts the offending values on a DETAIL line; kaiji's message stops before it."""
    class Orig(Exception):
        pass

    def fails(*args, **kwargs):
        raise IntegrityError("INSERT INTO requesters …", {"address": ADDRESS}, Orig(
            'duplicate key value violates unique constraint "uq_requesters_name"\n'
            f"DETAIL:  Key (name, address)=(山田 花子, {ADDRESS}) already exists."))

    monkeypatch.setattr(service, "add_requester", fails)
    result = with_contacts("requester", "add", "山田 花子", "--address", ADDRESS)
    assert result.exit_code == 1
    assert result.stderr.startswith("kaiji: error: the database refused the operation (duplicate key value")
    assert ADDRESS not in result.output


def test_sql_logs_and_driver_errors_do_not_carry_the_values(with_contacts, engine, caplog):
    """Whoever turns on SQLAlchemy's logging sees statements, not the addresses and telephones in them."""
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    with_contacts.ok("requester", "add", "鈴木 一郎", "--address", ADDRESS, "--phone", PHONE)
    assert "INSERT INTO requesters" in caplog.text  # the log was on
    for value in (ADDRESS, PHONE):
        assert value not in caplog.text
    with pytest.raises(IntegrityError) as exc:  # and an error's text (what --debug prints) hides them too
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO requesters (kind, name, address) VALUES ('person', :n, :a)"),
                         {"n": "鈴木 一郎", "a": ADDRESS})
    assert ADDRESS not in str(exc.value)


def test_the_csv_import_does_not_echo_a_bad_rows_personal_text(kaiji, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("body,subject,received,requester\n"
                    f"maizuru,議会の会議録,2025-01-06,{ADDRESS}\x07\n", encoding="utf-8")
    result = kaiji("request", "import", str(path))
    assert result.exit_code == 2 and "row 2, column requester" in result.stderr
    assert ADDRESS not in result.output


def test_postgresql_urls_lose_their_password_in_messages(tmp_path):
    secret = "s3cret-pw"
    url = f"postgresql+psycopg://kaiji:{secret}@127.0.0.1:1/kaiji"
    result = CliRunner().invoke(cli, ["--db", url, "request", "list"])
    assert result.exit_code == 1 and "cannot reach the database" in result.stderr
    assert secret not in result.output
    result = CliRunner().invoke(cli, ["--db", url, "db", "backup", str(tmp_path / "b")])
    assert "pg_dump" in result.stderr and secret not in result.output


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://kaiji@127.0.0.1:1/kaiji?sslmode=bogus&password=s3cretpw",
    "postgresql+psycopg://kaiji@127.0.0.1:1/kaiji?password=s3cretpw",
    "postgresql://kaiji:s3cretpw@127.0.0.1:1/kaiji?sslmode=bogus",
    "postgresql+psycopg://kaiji:s3cretpw@127.0.0.1:1/kaiji?sslmode=bogus&password=s3cretpw",
    "oracle://scott:s3cretpw@db/x?password=s3cretpw",
])
@pytest.mark.parametrize("args", [["request", "list"], ["db", "current"], ["db", "upgrade"], ["db", "backup", "b"]])
def test_no_password_of_a_url_is_printed_wherever_it_is_given(url, args, tmp_path):
    """Issue 10, item 7: neither the user-info part's password nor the query string's is shown."""
    result = CliRunner().invoke(cli, ["--db", url, *[str(tmp_path / a) if a == "b" else a for a in args]])
    assert result.exit_code in (1, 2) and result.stderr.startswith("kaiji: error: ")
    assert "s3cretpw" not in result.output
    assert "Traceback" not in result.output
