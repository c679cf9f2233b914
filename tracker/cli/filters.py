"""The options that choose requests, shared by the commands that take them (`kaiji calendar`, and the
exports to come): the same names and help everywhere, read by one library query, service.iter_requests."""

from __future__ import annotations

import functools
from typing import Any, Callable

import click

from . import DATE

FILTERS = ("body", "status", "received_from", "received_to", "requester")


def request_filters(f: Callable) -> Callable:
    """--body, --status, --from, --to, --requester; the command receives them as one dict, `filters`,
    whose keys are service.iter_requests' arguments."""
    options = [
        click.option("--body", help="Only requests to this body (its key, kaiji body list)."),
        click.option("--status", help="Only requests with this status (received, decided, …)."),
        click.option("--from", "received_from", type=DATE, help="Only requests received on or after this date."),
        click.option("--to", "received_to", type=DATE, help="Only requests received on or before this date."),
        click.option("--requester", help="Only this requester's requests (their name, kaiji requester list)."),
    ]

    @functools.wraps(f)
    def gather(*args: Any, **kwargs: Any):
        kwargs["filters"] = {k: kwargs.pop(k) for k in FILTERS}
        return f(*args, **kwargs)

    for option in reversed(options):
        gather = option(gather)
    return gather
