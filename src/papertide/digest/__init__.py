"""Email digests: what goes in (pure composition), how it looks (rendering),
and how it leaves exactly once (the outbox).

Importing this package loads nothing; use ``papertide.digest.service``.
"""
