"""The options that choose requests, shared by the commands that take them (`kaiji request list`,
`kaiji calendar`, the exports): the same names and help everywhere, read by one library query, service.iter_requests."""

from __future__ import annotations

import functools
from typing import Any, Callable

import click

from . import DATE, STATUS

FILTERS = ("body", "status", "received_from", "received_to", "requester")


def request_filters(f: Callable) -> Callable:
    """--body, --status, --from, --to, --requester; the command receives them as one dict, `filters`,
    whose keys are service.iter_requests' arguments."""
    options = [
        click.option("--body", help="Only requests to this body: its key, name (舞鶴市長), jurisdiction (舞鶴市) or a "
                                    "prefix."),
        click.option("--status", type=STATUS,
                     help="Only requests with this status: filed, received, correction, extended, decided, disclosed, "
                          "appealed, ruled or withdrawn, or its Japanese name (受付済, 決定済 …)."),
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
