"""The whole papertide error tree, in one place.

Every error carries a message meant for the person who has to fix the
problem; entry points (web, CLI) show ``str(error)`` and pick a status from
the class, never a traceback.
"""


class PapertideError(Exception):
    """Base class of every error papertide raises on purpose."""


class ConfigError(PapertideError):
    """A setting is missing, malformed or names something unusable."""


class StorageError(PapertideError):
    """The database failed; ``__cause__`` keeps the driver's error."""


class DatabaseUnavailableError(StorageError):
    """The database server cannot be reached (down, restarting, network); retry later."""


class DatabaseBusyError(DatabaseUnavailableError):
    """Another writer held the database longer than we wait (a big import); retry soon."""

    retry_after = 5


class SchemaVersionError(StorageError):
    """The database was written by a newer papertide than this one."""


class NotFoundError(PapertideError):
    """The thing asked for does not exist (maps to HTTP 404)."""


class InvalidInputError(PapertideError):
    """Input from a person or a file is malformed (maps to HTTP 400)."""


class TooLargeError(InvalidInputError):
    """The input is longer than allowed, like a comment over the length limit (HTTP 413)."""


class InvalidPaperIdError(InvalidInputError):
    """A string is not an arXiv identifier."""


class InvalidPeriodError(InvalidInputError):
    """A date, ISO week or month could not be understood."""


class InvalidQueryError(InvalidInputError):
    """A search query cannot be run (too long, nothing searchable...)."""


class RecordError(InvalidInputError):
    """One imported record is unusable; says which field and why."""


class ImportAbortedError(PapertideError):
    """A strict import met a bad record and left the database untouched."""


class SearchIndexError(PapertideError):
    """The keyword index cannot be opened or written."""


class AuthenticationRequiredError(PapertideError):
    """The action needs a signed-in person (maps to HTTP 401)."""


class PermissionDeniedError(PapertideError):
    """The request is refused: a missing or wrong CSRF token, or not an admin (HTTP 403)."""


class ConflictError(PapertideError):
    """The request contradicts the current state, like a second upvote (HTTP 409)."""


class RateLimitedError(PapertideError):
    """Too many requests of one kind; ``retry_after`` says when to try again (HTTP 429)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InvalidSignInLinkError(InvalidInputError):
    """A sign-in link is forged, expired or used already."""


class MailError(PapertideError):
    """A message could not be handed to the SMTP server; says which and why."""


class EmbeddingError(PapertideError):
    """The embedding model cannot be exported, loaded or run."""


class InvalidSubscriptionLinkError(InvalidInputError):
    """A confirm, preferences or unsubscribe link is forged, cut short or expired."""


class SourceError(PapertideError):
    """A network source could not deliver: unreachable, failing, or asking for too long a wait."""


class SourceHTTPError(SourceError):
    """The server answered with a client error (4xx) that no retry can fix."""

    def __init__(self, message: str, status: int, url: str, body: bytes = b"") -> None:
        super().__init__(message)
        self.status = status
        self.url = url
        self.body = body


class SourceProtocolError(SourceError):
    """The server answered, but with an error of its protocol (an OAI-PMH ``<error>``...)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class RunBusyError(PapertideError):
    """A run of the same source is already going on (possibly in another process)."""
