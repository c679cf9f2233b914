"""What a request form (様式第1号) is filled in from, read as plain rows.

A request form shows a request, its requester and the body it was filed with. Reading them through
the ORM would cost `kaiji pdf request` declaring and configuring every mapped class (~70 ms, as much
as the rest of the command beyond its imports), so the form reads its tables with Core queries into
plain objects that carry the attributes documents.request_document reads of a Request, its
Requester and its Body with the Body's Jurisdiction. Notices and appeals, which need a request's
whole timeline worked out, go through the ORM and timeline.compute.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import refuse_missing_requests
from ..schema import bodies, id_batches, jurisdictions, requesters, requests


def _by_id(session: Session, table, ids) -> dict[int, SimpleNamespace]:
    found: dict[int, SimpleNamespace] = {}
    for batch in id_batches(i for i in ids if i is not None):
        rows = session.execute(select(table).where(table.c.id.in_(batch)))
        found.update((r.id, SimpleNamespace(**r._mapping)) for r in rows)
    return found


def request_forms(session: Session, request_ids: Sequence[int]) -> list[tuple[SimpleNamespace, SimpleNamespace]]:
    """(request, the body it was filed with) for each id, in the order given; the first id that does
    not exist is refused. The request has its requester (or None) as `.requester`; the body has its
    jurisdiction as `.jurisdiction`."""
    reqs = _by_id(session, requests, request_ids)
    refuse_missing_requests(request_ids, reqs)
    # The form is addressed to the body the request was filed with (requests.filed_body_id); a
    # transfer (移送) later moves the request, not its form.
    people = _by_id(session, requesters, [r.requester_id for r in reqs.values()])
    for r in reqs.values():
        r.requester = people.get(r.requester_id)
    places = _by_id(session, bodies, [r.filed_body_id for r in reqs.values()])
    governs = _by_id(session, jurisdictions, [b.jurisdiction_id for b in places.values()])
    for b in places.values():
        b.jurisdiction = governs[b.jurisdiction_id]
    return [(reqs[i], places[reqs[i].filed_body_id]) for i in request_ids]
