"""Moving a papertide database between engines: ``papertide db copy`` and ``db upgrade``."""
