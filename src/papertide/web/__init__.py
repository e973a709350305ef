"""The web layer: HTML pages, JSON API, Atom feeds. It only calls the service."""

from papertide.web.app import create_web_app

__all__ = ["create_web_app"]
