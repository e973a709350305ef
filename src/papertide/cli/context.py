"""What every command shares: settings from the global options, and the service."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click

from papertide.app import Papertide, open_app
from papertide.settings import Settings, load_settings


@dataclass(frozen=True, slots=True)
class GlobalOptions:
    """The options given before the command name."""

    config_file: Path | None
    data_dir: Path | None
    database_url: str | None

    def settings(self, **overrides: object) -> Settings:
        loaded = load_settings(config_file=self.config_file)
        return loaded.with_overrides(
            data_dir=self.data_dir, database_url=self.database_url, **overrides
        )


pass_options = click.make_pass_decorator(GlobalOptions)


@contextmanager
def opened_service(settings: Settings, web_host: bool = False) -> Iterator[Papertide]:
    """The service for one command; ``web_host`` for ``serve`` (see ``open_app``)."""
    service = open_app(settings, web_host=web_host)
    try:
        yield service
    finally:
        service.close()
