"""PDFs of the forms a citizen group hands in, receives and appeals with, filled in from the records.

The functions here take a session and plain values and return the PDF's bytes with any warnings;
the `kaiji pdf` commands call them. What a form says comes from forms/<jurisdiction>.toml
(forms.py), how it is laid out from layout.py, which font it is set in from fonts.py. The request
form is filled in from plain rows (records.py); the notices and the appeal, from the ORM's objects
and the request's worked-out timeline, imported when they are printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ..errors import NotFound, Refused
from ..i18n import _
from . import fonts, forms, layout, records
from .documents import (
    Appeal,
    Office,
    appeal_document,
    extension_document,
    notice_document,
    request_document,
)

if TYPE_CHECKING:
    from ..models import Body, Decision, Request

__all__ = ["Appeal", "Rendered", "appeal_pdf", "blank_request_pdf", "notice_pdf", "request_pdf", "request_pdfs"]

MAX_REASONS = 100_000


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)


def _render(docs: list[layout.Document], font_path: str | None, warnings: list[str] | None = None,
            loaded: tuple[fonts.Font, str | None] | None = None) -> Rendered:
    """`loaded`: what fonts.load(font_path) returned, for a batch that searches for the font once."""
    font, warning = loaded if loaded is not None else fonts.load(font_path)
    font.missing = set()  # the characters this PDF lacks, not the batch's earlier ones
    pdf, pages = layout.render(docs, font)
    return Rendered(pdf, pages, [w for w in (warning, *(warnings or []), font.missing_message()) if w])


def _forms_for(body: Body) -> forms.Forms:
    return forms.load(body.jurisdiction.key)


def _forms_once():
    """_forms_for for a batch: each form file read and parsed once, not once a request."""
    by_file: dict[str, forms.Forms] = {}
    by_jurisdiction: dict[str, forms.Forms] = {}

    def forms_for(body: Body) -> forms.Forms:
        key = body.jurisdiction.key
        if key not in by_jurisdiction:
            file = forms.file_for(key)       # its own, or the generic one that most jurisdictions share
            if file not in by_file:
                by_file[file] = forms.load(file)
            by_jurisdiction[key] = by_file[file]
        return by_jurisdiction[key]
    return forms_for


def _request_docs(session: Session, request_ids: Sequence[int]) -> list[layout.Document]:
    forms_for = _forms_once()
    docs = []
    for req, body in records.request_forms(session, request_ids):   # every id checked before anything is rendered
        docs.append(request_document(forms_for(body), body, req))
    return docs


def request_pdf(session: Session, request_ids: Sequence[int], font: str | None = None) -> Rendered:
    """様式第1号 for each request, one after the other in one PDF."""
    return _render(_request_docs(session, request_ids), font)


def request_pdfs(session: Session, request_ids: Sequence[int], font: str | None = None) -> list[Rendered]:
    """様式第1号 for each request, each its own PDF."""
    docs = _request_docs(session, request_ids)
    loaded = fonts.load(font)  # the font search (a stat of every font folder) once for the batch
    return [_render([d], font, loaded=loaded) for d in docs]


def campaign_pdfs(session: Session, name: str, font: str | None = None, combined: bool = False
                  ) -> list[tuple[str, Rendered]]:
    """A campaign's request forms (様式第1号), each in its body's jurisdiction's wording (forms/<key>.toml, else
    the generic form) and addressed to its body: (body key, PDF) for each body, or one (campaign name, PDF)
    with them all one after the other when combined."""
    from .. import campaigns

    c = campaigns.get_campaign(session, name)
    reqs = campaigns.requests_of(session, c)
    if not reqs:
        from ..errors import Refused
        from ..i18n import _

        raise Refused(_("campaign {name} has no requests left to print.").format(name=c.name))
    ids = [r.id for r in reqs]
    if combined:
        return [(c.name, request_pdf(session, ids, font))]
    return list(zip([r.filed_body.key for r in reqs], request_pdfs(session, ids, font)))


def blank_request_pdf(session: Session, body_key: str | None = None, font: str | None = None) -> Rendered:
    """The empty request form of a body's jurisdiction (the generic one without a body), to fill in by hand."""
    from .. import service

    if body_key is None:
        return _render([request_document(forms.load(forms.GENERIC), None, None)], font)
    body = service.get_body(session, body_key)
    return _render([request_document(_forms_for(body), body, None)], font)


def notice_pdf(session: Session, request_id: int, decision_id: int | None = None, extension: bool = False,
               font: str | None = None) -> Rendered:
    """The notice of each of the request's decisions (or only decision_id), or of its extensions."""
    from .. import service
    from ..models import Body
    from ..timeline import live_events

    req = service.get_request(session, request_id)
    st = service.state(session, req)
    office = Office(session.get(Body, st.body_id))
    f = _forms_for(office.body)
    if extension:
        events = [e for e in live_events(req) if e.kind in ("extension", "special_extension")]
        if not events:
            raise Refused(_("request {id} has no extension (延長) on record; record one with "
                            "`kaiji request extend {id}`.").format(id=req.id))
        return _render([extension_document(f, office, req, e) for e in events], font)
    decisions = _decisions(req, st.decisions, decision_id)
    unnamed = [d for d in decisions if not d.documents and "documents" in f.notice(d.kind)["rows"]]
    warnings = [_("decision {id} names no document disclosed; its notice says so where the title goes (record "
                  "the titles with `kaiji request decide … --document`).").format(id=d.id) for d in unnamed]
    return _render([notice_document(f, office, req, d) for d in decisions], font, warnings)


def _decisions(req: Request, live: list[Decision], decision_id: int | None) -> list[Decision]:
    if decision_id is not None:
        chosen = [d for d in live if d.id == decision_id]
        if not chosen:
            raise NotFound(_("request {id} has no decision {decision}; `kaiji request show {id}` lists "
                             "its decisions.").format(id=req.id, decision=decision_id))
        return chosen
    if not live:
        raise Refused(_("request {id} has no decision yet, so there is no notice to print; record it with "
                        "`kaiji request decide {id}`.").format(id=req.id))
    return live


def appeal_pdf(session: Session, request_id: int, appeal: Appeal, decision_id: int | None = None,
               font: str | None = None) -> Rendered:
    """審査請求書 against the request's latest appealable decision, or against inaction once it is overdue."""
    from .. import service
    from ..deadlines import appeal_due
    from ..events import check_appeal
    from ..models import Body
    from ..timeline import DECISION_KINDS, closed_days

    req = service.get_request(session, request_id)
    st = service.state(session, req)
    office = Office(session.get(Body, st.body_id))
    appeal.reasons = service.clean(appeal.reasons, _("the reasons (審査請求の理由)"), multiline=True, limit=MAX_REASONS)
    appeal.purpose = service.clean(appeal.purpose, _("the purpose (審査請求の趣旨)"), multiline=True)
    appeal.instruction = service.clean(appeal.instruction, _("the instruction (教示)"), multiline=True)
    warnings: list[str] = []
    d: Decision | None = None
    if st.decisions:
        if decision_id is not None:
            d = _decisions(req, st.decisions, decision_id)[0]
            if not DECISION_KINDS[d.kind][1]:
                raise Refused(_("decision {id} is a {kind}: nothing was withheld, so there is nothing to appeal.")
                              .format(id=d.id, kind=DECISION_KINDS[d.kind][0]))
        else:
            appealable = [x for x in st.decisions if DECISION_KINDS[x.kind][1]]
            if not appealable:
                raise Refused(_("request {id}'s decision is a {kind}: nothing was withheld, so there is nothing to "
                                "appeal.").format(id=req.id, kind=DECISION_KINDS[st.decisions[-1].kind][0]))
            d = appealable[-1]
        period = appeal_due(closed_days(office.body.jurisdiction), d.decided_on, d.notified_on)
        warnings.extend(check_appeal(st, req.id, appeal.on, d, period))
        if d.notified_on is None:
            warnings.append(_("the day the requester learned of the decision is not on record; the form leaves it "
                              "blank to write in by hand."))
    elif decision_id is not None:
        raise NotFound(_("request {id} has no decision {decision}; it has no decision yet.").format(
            id=req.id, decision=decision_id))
    else:
        check_appeal(st, req.id, appeal.on)  # against inaction: refused unless the decision is overdue
    doc = appeal_document(_forms_for(office.body), office, req, d, appeal, st.decision_due)
    return _render([doc], font, warnings)
