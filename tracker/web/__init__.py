"""`kaiji serve`: the tracker in a browser, a second thin face over the same library as the command line.

The pages parse what a person typed, call tracker.service / events / reports / explain / pdf, and
render what they return; every check is the library's, and its typed errors (tracker/errors.py) are
shown beside the box their `field` names. Flask with Jinja2 templates (autoescaped), htmx shipped as a
static file (the pages work without it), sessions in a signed cookie, a CSRF token in every form.

Production: `waitress-serve --call 'tracker.web:create_app'` (KAIJI_DB says which database), or
gunicorn; see the README.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import time
from collections import defaultdict, deque
from datetime import date, timedelta
from pathlib import Path

from flask import Flask, abort, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface

from ..i18n import _, ngettext, use_language

LOOPBACK = ("127.0.0.1", "localhost", "::1")
WRITE_ROLES = ("editor", "admin")


def is_loopback(host: str) -> bool:
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Session(SecureCookieSessionInterface):
    """The signed session cookie, marked Secure when the request came over HTTPS (behind a reverse proxy
    that says so, with KAIJI_PROXIES=1)."""

    def get_cookie_secure(self, app):
        return request.is_secure or super().get_cookie_secure(app)


class Throttle:
    """Failed logins per account and per address: after `limit` within `window` seconds, refuse for a while."""

    def __init__(self, limit: int, window: float = 900.0):
        self.limit, self.window = limit, window
        self.failures: dict[str, deque] = defaultdict(deque)

    def _recent(self, key: str) -> deque:
        q, now = self.failures[key], time.monotonic()
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, key: str) -> int:
        """Seconds to wait, 0 if not blocked."""
        q = self._recent(key)
        if len(q) < self.limit:
            return 0
        return int(self.window - (time.monotonic() - q[0])) + 1

    def fail(self, key: str) -> None:
        if len(self.failures) > 10_000:  # names tried at random must not fill the memory: forget the stale
            for stale in [k for k in self.failures if not self._recent(k)]:
                del self.failures[stale]
        self._recent(key).append(time.monotonic())

    def clear(self, key: str) -> None:
        self.failures.pop(key, None)


def _secret_key() -> str:
    """KAIJI_SECRET_KEY, else a random key kept in kaiji's data folder (readable by its owner only), so that
    sessions outlive a restart and every worker of one server signs alike."""
    key = os.environ.get("KAIJI_SECRET_KEY")
    if key:
        return key
    from ..db import default_path

    path = default_path().parent / "web-secret-key"
    try:
        return path.read_text(encoding="ascii").strip()
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key)
    return key


def create_app(db_url: str | None = None, as_of: date | None = None, *, host: str | None = None,
               secret_key: str | None = None) -> Flask:
    """The web app on the database db_url (default: KAIJI_DB, else kaiji's own file).

    as_of: the day the pages count from (tests); default today. host: the address `kaiji serve` listens on;
    a loopback one with no accounts needs no login. Any other, or none (under waitress or gunicorn, which
    may listen anywhere), makes it a shared server, where every page needs a login (so does any server once
    an account exists)."""
    from ..db import database_url, open_database

    app = Flask(__name__)
    app.session_interface = _Session()
    app.config.update(
        SECRET_KEY=secret_key or _secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="kaiji_session",
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),  # a login lasts a working day
        KAIJI_AS_OF=as_of,
        # Under a WSGI server (no host given) kaiji cannot tell who can reach it: a shared server.
        KAIJI_SHARED=host is None or not is_loopback(host),
    )
    if os.environ.get("KAIJI_PROXIES") == "1":  # behind a reverse proxy: trust its X-Forwarded-* (HTTPS)
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    app.extensions["kaiji.engine"] = open_database(database_url(db_url))
    app.extensions["kaiji.throttle"] = (Throttle(5), Throttle(20))  # per account, per address
    app.jinja_env.globals.update(_=_, ngettext=ngettext, csrf_token=csrf_token)
    app.jinja_env.filters["method_label"] = method_label
    app.jinja_env.filters["to_date"] = lambda text: date.fromisoformat(text) if text else None
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.autoescape = True

    @app.before_request
    def _before():
        g.lang = choose_language()
        g.lang_cm = use_language(g.lang)
        g.lang_cm.__enter__()
        g.user, g.role = current_user()
        endpoint = request.endpoint or ""
        if endpoint in ("static", "web.login", "web.language"):
            return None
        if endpoint == "web.calendar_feed":   # its secret token is its key (users.by_calendar_token)
            return None
        if g.user is None:
            if request.method != "GET" or request.headers.get("HX-Request"):
                abort(401)
            return redirect(url_for("web.login", next=request.full_path if request.query_string else request.path))
        if request.method == "POST":
            check_csrf()
            if g.role not in WRITE_ROLES and endpoint not in ("web.logout", "web.account"):
                abort(403)
        return None

    @app.teardown_request
    def _teardown(_exc):
        cm = g.pop("lang_cm", None)
        if cm is not None:
            try:
                cm.__exit__(None, None, None)
            except ValueError:  # reset from another context: nothing to undo
                pass

    @app.after_request
    def _headers(resp):
        resp.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "same-origin"
        if resp.mimetype in ("text/html", "application/pdf", "text/calendar"):
            resp.headers["Cache-Control"] = "no-store"  # pages and PDFs hold personal data
        return resp

    @app.errorhandler(401)
    def _401(_e):
        return render_template("error.html", message=_("Log in to see this page."), code=401), 401

    @app.errorhandler(403)
    def _403(_e):
        return render_template("error.html", message=_("Your account may not do this; ask an admin."), code=403), 403

    @app.errorhandler(400)
    def _400(_e):
        return render_template("error.html", message=_("The form had expired or was not sent from kaiji's own "
                                                       "page; go back, reload it and try again."), code=400), 400

    from sqlalchemy.exc import DatabaseError

    @app.errorhandler(DatabaseError)
    def _database(exc):
        # Only the driver's first line, as the command line does: later lines (PostgreSQL's DETAIL) may
        # quote the records' personal data, which must not reach the server's log.
        from ..db import driver_message

        app.logger.error("database error on %s %s: %s", request.method, request.path,
                         driver_message(exc, str(engine().url)))
        return render_template("error.html", code=503, message=_(
            "the database refused the operation ({reason}); nothing was written. Try again, or "
            "run with --debug for details.").format(reason=driver_message(exc, str(engine().url)))), 503

    @app.errorhandler(404)
    def _404(_e):
        return render_template("error.html", message=_("There is no such page."), code=404), 404

    from .views import bp

    app.register_blueprint(bp)
    return app


def engine():
    from flask import current_app

    return current_app.extensions["kaiji.engine"]


def as_of() -> date:
    from flask import current_app

    return current_app.config["KAIJI_AS_OF"] or date.today()


def login_required() -> bool:
    """A shared server, or any server once an account exists, asks everyone to log in."""
    from flask import current_app

    from .. import users
    from ..db import reading

    if current_app.config["KAIJI_SHARED"]:
        return True
    with reading(engine()) as s:
        return users.count(s) > 0


def current_user() -> tuple[str | None, str | None]:
    """(name, role): the logged-in account; on the local machine with no accounts, the OS user as admin."""
    from .. import users
    from ..db import reading

    name = session.get("user")
    if name:
        with reading(engine()) as s:
            role = users.role_of(s, name)
        if role is not None:
            return name, role
        session.pop("user", None)  # disabled or removed since
    if not login_required():
        return users.entered_by() or "local", "admin"
    return None, None


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    sent, kept = request.form.get("csrf", ""), session.get("csrf", "")
    if not kept or not hmac.compare_digest(sent, kept):
        abort(400)


def choose_language() -> str:
    """The cookie set by the language links, else KAIJI_LANG, else the browser's Accept-Language; Japanese
    when none of them says."""
    lang = request.cookies.get("lang")
    if lang in ("ja", "en"):
        return lang
    env = os.environ.get("KAIJI_LANG")
    if env:
        return "ja" if env.lower().startswith("ja") else "en"
    return request.accept_languages.best_match(["ja", "en"], default="ja")


def method_label(key: str) -> str:
    """inspect, view, copy: the forms' Japanese words in Japanese, the key in English."""
    from ..i18n import language
    from ..schema import METHODS

    return METHODS.get(key, key) if language() == "ja" else key


STATIC = Path(__file__).parent / "static"
