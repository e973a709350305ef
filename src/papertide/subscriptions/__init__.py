"""Subscriptions to the digests: double opt-in, preferences, unsubscribing.

Importing this package loads nothing; use ``papertide.subscriptions.service``.
"""
