"""The one exception a source raises when it cannot be used at all.

A single bad record never raises; it is yielded as ``Rejected``. ``SourceError`` is for
failures that stop the whole source: the server keeps failing, the protocol reports an
error, or the input file is missing or unreadable.
"""


class SourceError(Exception):
    """A source that cannot go on; ``code`` carries a protocol error code when there is one.

    The code (for example OAI-PMH's ``idDoesNotExist``) lets callers tell "no such paper"
    from "the server is down" without parsing the message.
    """

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code
