"""The errors kaiji's library raises; the command line turns each into one sentence and an exit code."""


class KaijiError(Exception):
    """Base: the message is one sentence for the user, saying what is wrong and how to put it right.

    `field`, where the error is about one piece of the input, names it as the library's function takes
    it (add_request's keyword, an events.Field key), so that a face can point at its own box or column
    (imports.py: the CSV column) without reading the message.
    """

    exit_code = 1

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Refused(KaijiError):
    """An operation the records do not allow (exit 1)."""


class BadInput(KaijiError):
    """Input that cannot be right whatever the records say (exit 2)."""

    exit_code = 2


class NotFound(BadInput):
    """An id or key that names nothing."""


def no_request(request_id: int) -> NotFound:
    from .i18n import _

    return NotFound(_("there is no request {id}; `kaiji request list` shows the ids.").format(id=request_id))


def refuse_missing_requests(request_ids, found) -> None:
    """Refuse the first of request_ids (in the order given) that is not among the ids found."""
    missing = next((i for i in request_ids if i not in found), None)
    if missing is not None:
        raise no_request(missing)
