"""Accounts: people, passwordless sign-in links, sessions, CSRF, rate limits.

Importing this package loads nothing; use ``papertide.accounts.service``.
"""
