"""The weekly digest: what is overdue and what falls due soon, grouped by urgency, as text and as HTML.

It reads reports.overdue and reports.due (the stored dates, as `kaiji overdue` and `kaiji due` list them)
and only sorts and words what they return; tracker/mail.py sends it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage

from sqlalchemy.orm import Session

from .calendar_ics import LABELS
from .i18n import _, language, ngettext, show_date
from .reports import due, overdue

WEEK = 7   # "this week": the day of the digest and the six after it


@dataclass
class Item:
    on: date | None
    kind: str               # LABELS' keys
    request_id: int
    body_name: str
    subject: str
    note: str               # how late, or how soon, in words


@dataclass
class Digest:
    as_of: date
    within: int
    overdue: list[Item] = field(default_factory=list)
    this_week: list[Item] = field(default_factory=list)
    later: list[Item] = field(default_factory=list)
    fees: list[Item] = field(default_factory=list)

    @property
    def week_end(self) -> date:
        return self.as_of + timedelta(days=min(WEEK - 1, self.within))

    @property
    def until(self) -> date:
        return self.as_of + timedelta(days=self.within)

    def sections(self) -> list[tuple[str, list[Item]]]:
        """The groups that have something, each with its heading."""
        named = [(_("Overdue ({n})").format(n=len(self.overdue)), self.overdue),
                 (_("This week, to {date} ({n})").format(date=show_date(self.week_end), n=len(self.this_week)),
                  self.this_week),
                 (_("Later, to {date} ({n})").format(date=show_date(self.until), n=len(self.later)), self.later),
                 (_("Unpaid fees ({n})").format(n=len(self.fees)), self.fees)]
        return [(heading, items) for heading, items in named if items]


def collect(session: Session, as_of: date, within: int) -> Digest:
    d = Digest(as_of, within)
    for o in overdue(session, as_of):
        days = (as_of - o.since).days
        note = (ngettext("{n} day overdue; an appeal against inaction (不作為についての審査請求) can be filed from "
                         "{start}", "{n} days overdue; an appeal against inaction (不作為についての審査請求) can be "
                         "filed from {start}", days) if o.what == "decision" else
                ngettext("{n} day overdue", "{n} days overdue", days))
        d.overdue.append(Item(o.since, o.what, o.request_id, o.body_name, o.subject,
                              note.format(n=days, start=show_date(o.inaction_from))))
    for i in due(session, as_of, within):
        if i.on is None:
            d.fees.append(Item(None, i.kind, i.request_id, i.body_name, i.subject, ""))
            continue
        days = (i.on - as_of).days
        if i.kind == "disclosure missed":
            note = ngettext("{n} day ago, and no disclosure is recorded", "{n} days ago, and no disclosure is "
                            "recorded", -days).format(n=-days)
            d.overdue.append(Item(i.on, i.kind, i.request_id, i.body_name, i.subject, note))
            continue
        note = _("today") if days == 0 else ngettext("in {n} day", "in {n} days", days).format(n=days)
        (d.this_week if i.on <= d.week_end else d.later).append(
            Item(i.on, i.kind, i.request_id, i.body_name, i.subject, note))
    d.overdue.sort(key=lambda i: (i.on, i.request_id))
    return d


def headline(d: Digest) -> str:
    return ngettext("kaiji digest as of {date}: what is overdue and what falls due within {days} day.",
                    "kaiji digest as of {date}: what is overdue and what falls due within {days} days.",
                    d.within).format(date=show_date(d.as_of, weekday=True), days=d.within)


def _line(i: Item) -> str:
    if i.on is None:
        return _("{what} — request {id}, {body}: {subject}").format(
            what=_(LABELS[i.kind]), id=i.request_id, body=i.body_name, subject=i.subject)
    return _("{date}  {what} — request {id}, {body}: {subject} ({note})").format(
        date=show_date(i.on, weekday=True), what=_(LABELS[i.kind]), id=i.request_id, body=i.body_name,
        subject=i.subject, note=i.note)


def nothing(d: Digest) -> str:
    return ngettext("Nothing is overdue and nothing falls due within {days} day.",
                    "Nothing is overdue and nothing falls due within {days} days.", d.within).format(days=d.within)


def text(d: Digest) -> str:
    """The digest as plain text: a headline, then each group with one line per date."""
    out = [headline(d)]
    sections = d.sections()
    for heading, items in sections:
        out += ["", heading] + ["  " + _line(i) for i in items]
    if not sections:
        out += ["", nothing(d)]
    out += ["", _("Each date, day by day: kaiji explain ID")]
    return "\n".join(out) + "\n"


def html_text(d: Digest) -> str:
    """The same digest as a small HTML page, for the mail's HTML part."""
    esc = html.escape
    body = [f"<p>{esc(headline(d))}</p>"]
    sections = d.sections()
    for heading, items in sections:
        body.append(f"<h2>{esc(heading)}</h2>")
        body.append("<ul>" + "".join(f"<li>{esc(_line(i))}</li>" for i in items) + "</ul>")
    if not sections:
        body.append(f"<p>{esc(nothing(d))}</p>")
    body.append(f"<p>{esc(_('Each date, day by day: kaiji explain ID'))}</p>")
    return (f'<!DOCTYPE html>\n<html lang="{language()}"><head><meta charset="utf-8"><title>{esc(subject(d))}'
            f"</title></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n")


def subject(d: Digest) -> str:
    soon = len(d.this_week) + len(d.later)
    return ngettext("kaiji digest {date}: {overdue} overdue, {soon} due within {days} day",
                    "kaiji digest {date}: {overdue} overdue, {soon} due within {days} days", d.within).format(
        date=show_date(d.as_of), overdue=len(d.overdue), soon=soon, days=d.within)


def message(d: Digest, sender: str, to: list[str]) -> EmailMessage:
    """The digest as a mail: the text, with the HTML as its alternative (multipart/alternative)."""
    from email.utils import formatdate, make_msgid

    msg = EmailMessage()
    msg["Subject"] = subject(d)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid("kaiji", domain=sender.rpartition("@")[2].strip("> ") or "kaiji")
    # Japanese text in base64: any relay carries it (no 8BITMIME needed), and it is a third of quoted-printable's size.
    plain, page = text(d), html_text(d)
    msg.set_content(plain, cte="7bit" if plain.isascii() else "base64")
    msg.add_alternative(page, subtype="html", cte="7bit" if page.isascii() else "base64")
    return msg
