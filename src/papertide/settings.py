"""All settings, declared once with their default and help text.

Values come, in rising priority, from the defaults, an optional TOML file
(``PAPERTIDE_CONFIG`` or ``--config``) and ``PAPERTIDE_*`` environment
variables. Entry points load a :class:`Settings` and pass it down; nothing
reads the environment at import time.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from papertide.community_settings import COMMUNITY_SETTINGS, validate_community_settings
from papertide.digest.settings import DIGEST_SETTINGS, validate_digest_settings
from papertide.discussions.settings import DISCUSSION_SETTINGS, validate_discussion_settings
from papertide.exceptions import ConfigError
from papertide.jobs.settings import JOB_SETTINGS, validate_job_settings

ENV_PREFIX = "PAPERTIDE_"
MAX_SERVE_WORKERS = 32
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
        "Database to use: sqlite:///path/to/papertide.db (default: papertide.db in the data "
        "dir) or postgresql://user:password@host:5432/dbname.",
    ),
    SettingSpec("database_pool_size", int, "PostgreSQL only: most connections one process "
                "opens at once (default 10)."),
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
    # -- ingestion: sources, politeness, schedules ------------------------------------------
    SettingSpec(
        "contact_email",
        str,
        "Address named in the User-Agent of every request to arXiv and Hugging Face, so that "
        "their operators can reach you before blocking you (default: none; please set it).",
    ),
    SettingSpec(
        "arxiv_categories",
        str,
        "arXiv categories to follow, comma-separated: the daily RSS run and the incremental "
        "OAI harvest keep these (default cs.AI,cs.CL,cs.CV,cs.LG,stat.ML).",
    ),
    SettingSpec("arxiv_rss_url", str, "Base URL of arXiv's RSS feeds (default "
                "https://rss.arxiv.org/rss); the categories are appended."),
    SettingSpec("arxiv_api_url", str, "arXiv search API endpoint (default "
                "https://export.arxiv.org/api/query)."),
    SettingSpec("arxiv_oai_url", str, "arXiv OAI-PMH base URL (default "
                "https://oaipmh.arxiv.org/oai)."),
    SettingSpec(
        "oai_sets",
        str,
        "OAI-PMH sets the scheduled harvest follows, comma-separated, e.g. cs,stat "
        "(default: the sets of the followed categories).",
    ),
    SettingSpec("oai_metadata_format", str, "OAI-PMH metadata format: arXivRaw (full version "
                "history, the default) or arXiv."),
    SettingSpec("hf_daily_papers_url", str, "Hugging Face daily papers endpoint (default "
                "https://huggingface.co/api/daily_papers)."),
    SettingSpec(
        "arxiv_request_interval",
        float,
        "Seconds between two requests to arXiv, for all arXiv hosts, threads and processes "
        "sharing the data dir together (default 3, arXiv's rule; lower it only for a mirror).",
    ),
    SettingSpec("hf_request_interval", float,
                "Seconds between two requests to Hugging Face (default 1)."),
    SettingSpec("http_timeout", float, "Seconds to wait for a server to connect or send "
                "data before the attempt counts as failed (default 60)."),
    SettingSpec("http_max_attempts", int, "Attempts per request before giving up on "
                "timeouts, 5xx and 429 answers (default 5)."),
    SettingSpec("http_retry_backoff", float, "Seconds to wait after the first failed attempt "
                "when the server gives no Retry-After; doubles each time (default 2)."),
    SettingSpec("http_max_wait", float, "Longest single wait papertide accepts, whether asked "
                "by Retry-After or from backing off; a longer demand fails the run (default 600)."),
    SettingSpec("schedule_timezone", str, "Time zone of the schedules (default "
                "America/New_York, arXiv's)."),
    SettingSpec("schedule_arxiv_rss", str, "When the daily RSS run starts, as a cron line "
                "(default '30 0,6 * * mon-fri': after the announcements; 'off' disables)."),
    SettingSpec("schedule_hf_daily", str, "When the Hugging Face daily papers run starts, as "
                "a cron line (default '10 * * * *', hourly; 'off' disables)."),
    SettingSpec("schedule_arxiv_oai", str, "When the incremental OAI-PMH harvest starts, as a "
                "cron line (default '0 3 * * *', daily; 'off' disables)."),
    SettingSpec("serve_workers", int, "Web server processes `papertide serve` runs (default 1; "
                "`--workers`). Each answers requests; only the first process writes the search "
                "indexes and embeds new papers."),
    SettingSpec("web_write_wait_seconds", float, "Longest a web request waits for another "
                "writer (an import) before answering 503 with Retry-After (default 2)."),
    SettingSpec("serve_scheduler", bool, "Run the ingestion schedules inside `papertide serve` "
                "(default false: run `papertide worker` beside it, or set this to true)."),
    *(SettingSpec(*spec) for spec in COMMUNITY_SETTINGS),
    *(SettingSpec(*spec) for spec in DIGEST_SETTINGS),
    *(SettingSpec(*spec) for spec in DISCUSSION_SETTINGS),
    *(SettingSpec(*spec) for spec in JOB_SETTINGS),
    SettingSpec("recommend_window_days", int, "Days of new papers the For-you page "
                "recommends from (default 7)."),
    SettingSpec("search_mode", str, "Search mode when none is asked for: hybrid (default), "
                "keyword or semantic."),
    SettingSpec("search_replicas", str, "PostgreSQL only: local (default: each web host keeps "
                "its own copy of the search indexes in its data folder, following the "
                "database) or database (search inside PostgreSQL)."),
    SettingSpec("embedding_model", str, "Sentence-embedding model for semantic search: "
                "all-MiniLM-L6-v2 (default, shipped as a package) or a folder holding a "
                "sentence-transformers model; changing it re-embeds every paper."),
    SettingSpec("embedding_precision", str, "int8 (default: about twice as fast, same "
                "retrieval quality) or fp32; changing it re-embeds every paper."),
    SettingSpec("embedding_batch_size", int, "Texts per model call while embedding "
                "(default 32)."),
    SettingSpec("embedding_threads", int, "CPU threads the model may use to embed papers "
                "(default 0: one per core); a search query always uses one."),
    SettingSpec("embedding_device", str, "auto (default: a GPU when onnxruntime offers one, "
                "else the CPU) or cpu, to embed papers on the CPU even with a GPU."),
    SettingSpec("hybrid_keyword_weight", float, "Share of the keyword (BM25) score in hybrid "
                "search, 0..1; the rest is meaning (default 0.25, tuned on SciFact train). "
                "Raised, up to 0.6, for queries whose keyword evidence is decisive."),
    SettingSpec("vector_index_exact_max", int, "Up to this many papers semantic search is "
                "exact; above, an HNSW graph answers (default 200000)."),
    SettingSpec("vector_index_hnsw_m", int, "HNSW links per vector (default 16)."),
    SettingSpec("vector_index_ef_construction", int, "HNSW beam width while building "
                "(default 128)."),
    SettingSpec("vector_index_ef_search", int, "HNSW beam width while searching; higher is "
                "more exact and slower (default 256)."),
)


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved settings; build with :func:`load_settings`."""

    data_dir: Path
    database_url: str = ""
    database_pool_size: int = 10
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str = ""
    page_size: int = 30
    site_name: str = "papertide"
    contact_email: str = ""
    arxiv_categories: str = "cs.AI,cs.CL,cs.CV,cs.LG,stat.ML"
    arxiv_rss_url: str = "https://rss.arxiv.org/rss"
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_oai_url: str = "https://oaipmh.arxiv.org/oai"
    oai_sets: str = ""
    oai_metadata_format: str = "arXivRaw"
    hf_daily_papers_url: str = "https://huggingface.co/api/daily_papers"
    arxiv_request_interval: float = 3.0
    hf_request_interval: float = 1.0
    http_timeout: float = 60.0
    http_max_attempts: int = 5
    http_retry_backoff: float = 2.0
    http_max_wait: float = 600.0
    schedule_timezone: str = "America/New_York"
    schedule_arxiv_rss: str = "30 0,6 * * mon-fri"
    schedule_hf_daily: str = "10 * * * *"
    schedule_arxiv_oai: str = "0 3 * * *"
    serve_scheduler: bool = False
    serve_workers: int = 1
    web_write_wait_seconds: float = 2.0
    # accounts, mail, trending, topics (see papertide.community_settings)
    smtp_host: str = ""
    smtp_port: int = 0
    smtp_mode: str = "starttls"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout: float = 30.0
    mail_from: str = ""
    secret_key: str = ""
    session_days: int = 30
    open_signup: bool = True
    signin_limit_per_address: int = 5
    signin_limit_per_client: int = 20
    mail_limit_per_client: int = 30
    mail_limit_per_site: int = 500
    trusted_proxies: str = "127.0.0.1, ::1"
    trending_half_life_day: float = 6.0
    trending_half_life_week: float = 36.0
    trending_half_life_month: float = 168.0
    trending_refresh_seconds: int = 60
    topics_refresh_minutes: int = 360
    # subscriptions, digests, the outbox (see papertide.digest.settings)
    schedule_digests: bool = True
    digest_hour: int = 7
    digest_weekly_day: str = "mon"
    digest_section_size: int = 5
    digest_compose_workers: int = 2
    digest_trending_default: int = 10
    subscribe_limit_per_address: int = 3
    subscribe_limit_per_client: int = 10
    subscribe_confirm_hours: int = 48
    mail_retry_backoff: float = 300.0
    mail_max_attempts: int = 8
    mail_bounce_limit: int = 3
    mail_per_connection: int = 100
    mail_unsubscribe_address: str = ""
    # discussions on papers (see papertide.discussions.settings)
    comment_limit_per_hour: int = 20
    comment_max_chars: int = 5_000
    # the job queue and workers (see papertide.jobs.settings)
    job_threads: int = 2
    job_poll_seconds: float = 5.0
    job_lease_seconds: float = 60.0
    job_max_attempts: int = 5
    job_retry_backoff: float = 300.0
    job_delivery_jobs: int = 2
    job_embed: bool = True
    job_keep_days: int = 14

    # semantic and hybrid search
    recommend_window_days: int = 7
    search_mode: str = "hybrid"
    search_replicas: str = "local"
    embedding_model: str = "all-MiniLM-L6-v2"
    embedding_precision: str = "int8"
    embedding_batch_size: int = 32
    embedding_threads: int = 0
    embedding_device: str = "auto"
    hybrid_keyword_weight: float = 0.25
    vector_index_exact_max: int = 200_000
    vector_index_hnsw_m: int = 16
    vector_index_ef_construction: int = 128
    vector_index_ef_search: int = 256

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'papertide.db'}"

    @property
    def resolved_base_url(self) -> str:
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def search_index_dir(self) -> Path:
        return self.data_dir / "search-index"

    @property
    def vector_index_dir(self) -> Path:
        return self.data_dir / "vector-index"

    @property
    def vector_labels_dir(self) -> Path:
        """A PostgreSQL web host's record of its vector copy's labels (search/label_map.py)."""
        return self.data_dir / "vector-labels"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def followed_categories(self) -> tuple[str, ...]:
        return _comma_list(self.arxiv_categories)

    @property
    def followed_oai_sets(self) -> tuple[str, ...]:
        """The configured sets, or those of the followed categories (cs.LG -> cs)."""
        return _comma_list(self.oai_sets) or tuple(
            dict.fromkeys(oai_set_of(category) for category in self.followed_categories)
        )

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with the given values replaced (``None`` means keep)."""
        kept = {name: value for name, value in changes.items() if value is not None}
        return _validated(replace(self, **kept))


def settings_as_json(settings: Settings) -> str:
    """Every setting's value, for a process started without our command line
    (``papertide serve --workers N`` starts its web processes this way)."""
    return json.dumps({spec.name: str(value) if isinstance(value, Path) else value
                       for spec in SETTING_SPECS
                       for value in (getattr(settings, spec.name),)})


def settings_from_json(text: str) -> Settings:
    """The settings :func:`settings_as_json` wrote, validated again."""
    try:
        values = json.loads(text)
    except ValueError as error:
        raise ConfigError(f"the settings handed to this process are unreadable: {error}") \
            from None
    specs = {spec.name: spec for spec in SETTING_SPECS}
    return _validated(Settings(**{name: _convert(specs[name], raw)
                                  for name, raw in values.items() if name in specs}))


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
            if isinstance(raw, bool | float):
                raise ValueError("not a whole number")
            return int(raw)
        if spec.kind is float:
            if isinstance(raw, bool):
                raise ValueError("not a number")
            return float(raw)
        if spec.kind is bool:
            return _boolean(raw)
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
    if not 1 <= settings.serve_workers <= MAX_SERVE_WORKERS:
        raise ConfigError(f"serve_workers must be between 1 and {MAX_SERVE_WORKERS}, "
                          f"got {settings.serve_workers}")
    if not 0 < settings.web_write_wait_seconds <= 10:  # jobs wait 10 s; a person no longer
        raise ConfigError(f"web_write_wait_seconds must be above 0 and at most 10, "
                          f"got {settings.web_write_wait_seconds}")
    if not 1 <= settings.database_pool_size <= 1000:
        raise ConfigError(f"database_pool_size must be between 1 and 1000, "
                          f"got {settings.database_pool_size}")
    _validate_ingest(settings)
    values = {field.name: getattr(settings, field.name) for field in fields(settings)}
    validate_community_settings(values)
    validate_digest_settings(values)
    validate_discussion_settings(values)
    validate_job_settings(values)
    _validate_semantic(settings)
    if not 1 <= settings.recommend_window_days <= 365:
        raise ConfigError(f"recommend_window_days must be between 1 and 365, "
                          f"got {settings.recommend_window_days}")
    return settings


def _validate_semantic(settings: Settings) -> None:
    if settings.search_mode not in ("hybrid", "keyword", "semantic"):
        raise ConfigError(f"search_mode must be hybrid, keyword or semantic, "
                          f"got {settings.search_mode!r}")
    if settings.search_replicas not in ("local", "database"):
        raise ConfigError(f"search_replicas must be local or database, "
                          f"got {settings.search_replicas!r}")
    if settings.embedding_precision not in ("int8", "fp32"):
        raise ConfigError(f"embedding_precision must be int8 or fp32, "
                          f"got {settings.embedding_precision!r}")
    if settings.embedding_device not in ("auto", "cpu"):
        raise ConfigError(f"embedding_device must be auto or cpu, "
                          f"got {settings.embedding_device!r}")
    if not settings.embedding_model.strip():
        raise ConfigError("embedding_model must name a model")
    if not 0.0 <= settings.hybrid_keyword_weight <= 1.0:
        raise ConfigError(f"hybrid_keyword_weight must be between 0 and 1, "
                          f"got {settings.hybrid_keyword_weight}")
    for name, low in (("embedding_batch_size", 1), ("embedding_threads", 0),
                      ("vector_index_exact_max", 0), ("vector_index_hnsw_m", 4),
                      ("vector_index_ef_construction", 8), ("vector_index_ef_search", 8)):
        if getattr(settings, name) < low:
            raise ConfigError(f"{name} must be at least {low}, got {getattr(settings, name)}")


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_CATEGORY = re.compile(r"[a-z][a-z\-]*(?:\.[A-Za-z][A-Za-z\-]*)?")
# Archives whose OAI-PMH set sits under "physics" (arXiv's set list).
_PHYSICS_ARCHIVES = frozenset({
    "astro-ph", "cond-mat", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math-ph",
    "nlin", "nucl-ex", "nucl-th", "physics", "quant-ph",
})


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ValueError("not a boolean")


def _comma_list(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def oai_set_of(category: str) -> str:
    """The OAI-PMH set holding an arXiv category: cs.LG -> cs, hep-th -> physics:hep-th."""
    archive = category.split(".")[0]
    return f"physics:{archive}" if archive in _PHYSICS_ARCHIVES else archive


def parse_categories(text: str, setting: str = "arxiv_categories") -> tuple[str, ...]:
    """``"cs.LG, cs.CL"`` -> ``("cs.LG", "cs.CL")``; ConfigError for anything else."""
    categories = _comma_list(text)
    for category in categories:
        if not _CATEGORY.fullmatch(category):
            raise ConfigError(
                f"{setting}: {category!r} is not an arXiv category (like cs.LG or hep-th)"
            )
    return categories


def _validate_ingest(settings: Settings) -> None:
    parse_categories(settings.arxiv_categories)
    for name in ("arxiv_rss_url", "arxiv_api_url", "arxiv_oai_url", "hf_daily_papers_url"):
        url = getattr(settings, name)
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"{name} must be an http:// or https:// URL, got {url!r}")
    if settings.oai_metadata_format not in ("arXiv", "arXivRaw"):
        raise ConfigError(
            f"oai_metadata_format must be arXiv or arXivRaw, got {settings.oai_metadata_format!r}"
        )
    for name in ("arxiv_request_interval", "hf_request_interval", "http_retry_backoff"):
        if not 0 <= getattr(settings, name) <= 3_600:
            raise ConfigError(f"{name} must be between 0 and 3600 seconds")
    if not 0 < settings.http_timeout <= 3_600:
        raise ConfigError("http_timeout must be more than 0 and at most 3600 seconds")
    if not 0 <= settings.http_max_wait <= 86_400:
        raise ConfigError("http_max_wait must be between 0 and 86400 seconds")
    if not 1 <= settings.http_max_attempts <= 100:
        raise ConfigError(
            f"http_max_attempts must be between 1 and 100, got {settings.http_max_attempts}"
        )


def setting_names() -> list[str]:
    return [field.name for field in fields(Settings)]
