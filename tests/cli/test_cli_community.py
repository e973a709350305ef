"""The user, trending and topics commands, run as a real subprocess."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import RunCli
from tests.helpers import HF_SAMPLE


def test_users_are_added_listed_promoted_and_removed(run_cli: RunCli) -> None:
    added = run_cli("user", "add", "--admin", "Ada@Example.org")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "added ada@example.org (admin)"
    assert run_cli("user", "add", "bob@example.org").returncode == 0
    listed = json.loads(run_cli("user", "list", "--json").stdout)
    assert [(u["email"], u["admin"]) for u in listed] == [("ada@example.org", True),
                                                          ("bob@example.org", False)]
    assert "is not an admin" in run_cli("user", "admin", "ada@example.org", "--revoke").stdout
    assert run_cli("user", "remove", "bob@example.org").returncode == 0
    missing = run_cli("user", "remove", "bob@example.org")
    assert missing.returncode == 3 and "no user has the address" in missing.stderr
    bad = run_cli("user", "add", "not-an-address")
    assert bad.returncode == 1 and "not an email address" in bad.stderr


def test_a_sign_in_link_can_be_printed_for_a_user(run_cli: RunCli, cli_env: dict[str, str]
                                                  ) -> None:
    env = {**cli_env, "PAPERTIDE_BASE_URL": "https://papers.example.org"}
    run_cli("user", "add", "ada@example.org", env=env)
    link = run_cli("user", "link", "ada@example.org", env=env)
    assert link.returncode == 0
    assert link.stdout.startswith("https://papers.example.org/signin/confirm?token=")
    assert run_cli("user", "link", "stranger@example.org", env=env).returncode == 3


def test_trending_and_topics_on_imported_papers(run_cli: RunCli, tmp_path: Path) -> None:
    assert run_cli("import", str(HF_SAMPLE)).returncode == 0
    trending = run_cli("trending", "--window", "month", "--json")
    assert trending.returncode == 0, trending.stderr
    listed = json.loads(trending.stdout)
    assert listed["window"] == "month" and listed["papers"]
    assert [paper["rank"] for paper in listed["papers"]] == list(
        range(1, len(listed["papers"]) + 1))
    assert "papers trending this week" in run_cli("trending").stdout
    before = run_cli("topics")
    assert before.returncode == 1 and "--recompute" in before.stderr
    computed = run_cli("topics", "--recompute", "--json")
    assert computed.returncode == 0, computed.stderr
    run = json.loads(computed.stdout)
    assert run["papers_considered"] > 0 and run["recent_weeks"] == 4
    assert run_cli("topics").returncode == 0
    assert run_cli("trending", "--window", "year").returncode == 2
