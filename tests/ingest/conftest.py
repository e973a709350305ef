"""A replay server, and a papertide whose sources all point at it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from papertide.app import Papertide
from papertide.ingest.runtime import Sources, build_sources
from tests.helpers import data_dir_environment, open_test_app
from tests.ingest.replay import ReplayServer, replay_server

CONTACT = "papers-ops@example.org"
# Fast enough for tests, slow enough that the limiter's pause is measurable.
TEST_INTERVAL = 0.05

RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with replay_server() as running:
        yield running


def source_settings(server: ReplayServer, **overrides: str) -> dict[str, str]:
    """Settings (as PAPERTIDE_* values, lower-case names) pointing every source at ``server``."""
    values = {
        "arxiv_rss_url": f"{server.url}/rss",
        "arxiv_api_url": f"{server.url}/api/query",
        "arxiv_oai_url": f"{server.url}/oai",
        "hf_daily_papers_url": f"{server.url}/api/daily_papers",
        "arxiv_request_interval": str(TEST_INTERVAL),
        "hf_request_interval": "0",
        "http_retry_backoff": "0.05",
        "http_max_attempts": "3",
        "contact_email": CONTACT,
        "arxiv_categories": "cs.LG,cs.AI,cs.CL,stat.ML",
    }
    values.update(overrides)
    return values


@pytest.fixture
def service(server: ReplayServer, data_dir: Path) -> Iterator[Papertide]:
    opened = open_test_app(data_dir, **source_settings(server))
    yield opened
    opened.close()


@pytest.fixture
def sources(service: Papertide) -> Iterator[Sources]:
    built = build_sources(service.settings)
    yield built
    built.close()


@pytest.fixture
def cli_env(server: ReplayServer, data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAPERTIDE_")}
    env.update(data_dir_environment(data_dir))
    env["NO_COLOR"] = "1"
    env.update({f"PAPERTIDE_{name.upper()}": value
                for name, value in source_settings(server).items()})
    return env


@pytest.fixture
def run_cli(cli_env: dict[str, str], tmp_path: Path) -> RunCli:
    """Run the real ``papertide`` command against the replay server."""
    def run(*args: str, timeout: float = 60, **extra_env: str
            ) -> subprocess.CompletedProcess[str]:
        env = cli_env | {f"PAPERTIDE_{name.upper()}": value for name, value in extra_env.items()}
        return subprocess.run(
            [sys.executable, "-m", "papertide", *args], env=env, cwd=tmp_path,
            capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
            check=False,
        )

    return run
