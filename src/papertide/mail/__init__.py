"""Outgoing mail: composing messages and sending them over SMTP."""
