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


class SchemaVersionError(StorageError):
    """The database was written by a newer papertide than this one."""


class NotFoundError(PapertideError):
    """The thing asked for does not exist (maps to HTTP 404)."""


class InvalidInputError(PapertideError):
    """Input from a person or a file is malformed (maps to HTTP 400)."""


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
