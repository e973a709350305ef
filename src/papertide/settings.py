"""All settings, declared once with their default and help text.

Values come, in rising priority, from the defaults, an optional TOML file
(``PAPERTIDE_CONFIG`` or ``--config``) and ``PAPERTIDE_*`` environment
variables. Entry points load a :class:`Settings` and pass it down; nothing
reads the environment at import time.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from papertide.exceptions import ConfigError

ENV_PREFIX = "PAPERTIDE_"
CONFIG_ENV = "PAPERTIDE_CONFIG"


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "papertide"


@dataclass(frozen=True, slots=True)
class SettingSpec:
    """How one setting is named, typed, defaulted and explained."""

    name: str
    kind: type
    help: str


SETTING_SPECS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "data_dir",
        Path,
        "Folder for the database, the search index and caches "
        "(default: $XDG_DATA_HOME/papertide or ~/.local/share/papertide).",
    ),
    SettingSpec(
        "database_url",
        str,
        "Database to use: sqlite:///path/to/papertide.db (default: papertide.db in the data dir).",
    ),
    SettingSpec("host", str, "Address the web server listens on (default 127.0.0.1)."),
    SettingSpec("port", int, "Port the web server listens on (default 8000)."),
    SettingSpec(
        "base_url",
        str,
        "Public URL of the site, used in feeds and links sent elsewhere "
        "(default: http://HOST:PORT).",
    ),
    SettingSpec("page_size", int, "Papers per page in listings and search (default 30)."),
    SettingSpec("site_name", str, "Name shown in the page header and feeds (default papertide)."),
)


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved settings; build with :func:`load_settings`."""

    data_dir: Path
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str = ""
    page_size: int = 30
    site_name: str = "papertide"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'papertide.db'}"

    @property
    def resolved_base_url(self) -> str:
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def search_index_dir(self) -> Path:
        return self.data_dir / "search-index"

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with the given values replaced (``None`` means keep)."""
        kept = {name: value for name, value in changes.items() if value is not None}
        return _validated(replace(self, **kept))


def load_settings(
    environ: Mapping[str, str] | None = None, config_file: Path | None = None
) -> Settings:
    """Read the TOML file (if any) then the environment, validating every value."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = config_file or (Path(environ[CONFIG_ENV]) if environ.get(CONFIG_ENV) else None)
    if path is not None:
        values.update(_read_toml(path))
    for spec in SETTING_SPECS:
        raw = environ.get(ENV_PREFIX + spec.name.upper())
        if raw is not None and raw != "":
            values[spec.name] = raw
    converted = {spec.name: _convert(spec, values[spec.name]) for spec in SETTING_SPECS
                 if spec.name in values}
    converted.setdefault("data_dir", _default_data_dir())
    return _validated(Settings(**converted))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read config file {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {path} is not valid TOML: {error}") from None
    section = document.get("papertide", document)
    if not isinstance(section, dict):
        raise ConfigError(f"config file {path}: [papertide] must be a table")
    known = {spec.name for spec in SETTING_SPECS}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConfigError(
            f"config file {path}: unknown setting(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}"
        )
    return dict(section)


def _convert(spec: SettingSpec, raw: Any) -> Any:
    try:
        if spec.kind is int:
            if isinstance(raw, bool):
                raise ValueError("not a number")
            return int(raw)
        if spec.kind is Path:
            return Path(str(raw)).expanduser()
        return str(raw)
    except (TypeError, ValueError):
        raise ConfigError(
            f"setting {spec.name} ({ENV_PREFIX}{spec.name.upper()}) must be "
            f"{spec.kind.__name__}, got {raw!r}"
        ) from None


def _validated(settings: Settings) -> Settings:
    if not 0 < settings.port < 65536:
        raise ConfigError(f"port must be between 1 and 65535, got {settings.port}")
    if not 1 <= settings.page_size <= 200:
        raise ConfigError(f"page_size must be between 1 and 200, got {settings.page_size}")
    return settings


def setting_names() -> list[str]:
    return [field.name for field in fields(Settings)]
