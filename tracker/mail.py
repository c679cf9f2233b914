"""Sending a mail through the group's SMTP server, named by one URL (KAIJI_SMTP_URL):

    smtp://user:pass@host:587         STARTTLS (the default for smtp://; port 587 if none is given)
    smtps://user:pass@host:465        TLS from the first byte (port 465 if none is given)
    smtp://host:25?starttls=no        no encryption: a relay on this machine or this network

A user name or password with @, : or / in it is written percent-encoded (%40, %3A, %2F). The password
is never shown: not in a message, not in the repr of the settings, not in a log.
"""

from __future__ import annotations

import base64
import smtplib
import socket
import ssl
from contextlib import suppress
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from .errors import BadInput, Refused
from .i18n import _

TIMEOUT = 30  # seconds to wait for the server at each step


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    security: str                                # "starttls", "tls" or "none"
    user: str | None = None
    password: str | None = field(default=None, repr=False)


def smtp_settings(url: str | None) -> Smtp:
    """The settings a KAIJI_SMTP_URL gives; a URL that is not one is refused without repeating it (it may
    hold a password)."""
    if not url:
        raise BadInput(_("--mail-to needs the SMTP server in KAIJI_SMTP_URL, e.g. smtp://user:password@host:587; "
                         "set it and try again."))
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        query = parse_qs(parts.query)
    except ValueError:
        raise BadInput(_("KAIJI_SMTP_URL is not a URL kaiji can read; write it as smtp://user:password@host:587, "
                         "smtps://user:password@host:465 or smtp://host:25?starttls=no.")) from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise BadInput(_("KAIJI_SMTP_URL is not an smtp:// or smtps:// URL with a host; write it as "
                         "smtp://user:password@host:587, smtps://user:password@host:465 or smtp://host:25?starttls=no."))
    starttls = [v.lower() for v in query.get("starttls", [])]
    if any(v not in ("yes", "no", "true", "false", "1", "0") for v in starttls):
        raise BadInput(_("KAIJI_SMTP_URL's starttls takes yes or no, e.g. smtp://host:25?starttls=no."))
    if parts.scheme == "smtps":
        security = "tls"
    else:
        security = "none" if starttls and starttls[-1] in ("no", "false", "0") else "starttls"
    return Smtp(parts.hostname, port or (465 if security == "tls" else 587), security,
                unquote(parts.username) if parts.username else None,
                unquote(parts.password) if parts.password is not None else None)


def address(value: str) -> str:
    """A mail address as given (`--mail-to`), checked: one address, with an @ and no spaces."""
    name, addr = parseaddr(value)
    if not value.isprintable() or not addr or "@" not in addr or any(c.isspace() for c in addr) or addr.startswith("@") or addr.endswith("@"):
        raise BadInput(_("{value!r} is not a mail address; give one like someone@example.org.").format(value=value))
    return value.strip()


def _reason(exc: Exception, step: str) -> str:
    """What went wrong, in a few words that never hold the password."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return _("the server refused the user name or password (code {code})").format(code=exc.smtp_code)
    if isinstance(exc, smtplib.SMTPNotSupportedError) and step == "starttls":
        return _("the server does not offer STARTTLS; use smtps:// or, for a relay on this machine, ?starttls=no")
    if isinstance(exc, smtplib.SMTPNotSupportedError) and step == "login":
        return _("the server offers no login (AUTH); leave the user name and password out of the URL")
    if isinstance(exc, UnicodeEncodeError):
        return _("the user name or password is not plain ASCII, and the server offers no login (AUTH PLAIN) that "
                 "takes other characters")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return _("the server refused every recipient ({addresses})").format(addresses=", ".join(exc.recipients))
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return _("the server answered {code}: {text}").format(code=exc.smtp_code, text=" ".join(str(error).split()))
    if isinstance(exc, ssl.SSLError):
        return _("TLS failed: {reason}").format(reason=exc.reason or type(exc).__name__)
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return _("no answer within {seconds} seconds").format(seconds=TIMEOUT)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__


def tls_context() -> ssl.SSLContext:
    """The system's trusted certificates, the host name checked (the tests put their own authority here)."""
    return ssl.create_default_context()


def _login(client: smtplib.SMTP, user: str, password: str) -> None:
    """AUTH PLAIN, the user name and password in UTF-8 (RFC 4616), when the server offers it; smtplib's own
    login() would send them only in ASCII, and after a refusal try the other mechanisms one by one."""
    client.ehlo_or_helo_if_needed()
    if not client.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("no AUTH")
    if "PLAIN" not in client.esmtp_features["auth"].upper().split():
        client.login(user, password)
        return
    token = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode("ascii")
    code, answer = client.docmd("AUTH", "PLAIN " + token)
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, answer)


def send(msg: EmailMessage, smtp: Smtp) -> None:
    """Send the message to its To addresses; any failure is a Refused that says nothing was sent (or, if the
    server took some addresses and refused others, which)."""
    context = tls_context()
    client, step = None, "connect"
    try:
        if smtp.security == "tls":
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT, context=context)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT)
        if smtp.security == "starttls":
            step = "starttls"
            client.starttls(context=context)
        if smtp.user:
            step = "login"
            _login(client, smtp.user, smtp.password or "")
        step = "send"
        refused = client.send_message(msg)
    except (smtplib.SMTPException, OSError, UnicodeEncodeError) as exc:
        if client is not None:
            client.close()
        raise Refused(_("cannot send the mail through {host}:{port} ({reason}); nothing was sent. Check "
                        "KAIJI_SMTP_URL and try again.").format(host=smtp.host, port=smtp.port,
                                                                 reason=_reason(exc, step))) from None
    with suppress(smtplib.SMTPException, OSError):  # the mail is sent: a goodbye that fails changes nothing
        client.quit()
    if refused:
        raise Refused(_("the mail was sent, but the server refused {addresses}; check those addresses.").format(
            addresses=", ".join(sorted(refused))))
