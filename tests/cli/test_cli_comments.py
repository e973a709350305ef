"""``papertide comments``: moderation from the command line, run as a real subprocess."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import RunCli
from tests.helpers import FIXED_NOW, make_record, open_test_app


def _discussion(tmp_path: Path) -> tuple[int, int]:
    """A paper with a comment by ada and a report of it by bob."""
    service = open_test_app(tmp_path / "data")
    try:
        service.store.upsert_papers([make_record("2501.00001")], FIXED_NOW)
        ada, _ = service.community.accounts.add_user("ada@example.org")
        bob, _ = service.community.accounts.add_user("bob@example.org")
        first = service.discussions.post(ada, "2501.00001", "Spam, *spam*").comment
        kept = service.discussions.post(bob, "2501.00001", "On topic").comment
        service.discussions.report(bob, first.id, "it is spam")
        return first.id, kept.id
    finally:
        service.close()


def test_comments_are_listed_hidden_shown_and_deleted(run_cli: RunCli, tmp_path: Path) -> None:
    spam, kept = _discussion(tmp_path)
    listed = json.loads(run_cli("comments", "list", "--json").stdout)
    assert [(c["id"], c["email"], c["state"]) for c in listed] == [
        (kept, "bob@example.org", "visible"), (spam, "ada@example.org", "visible")]
    reports = run_cli("comments", "list", "--reports")
    assert reports.returncode == 0 and "it is spam" in reports.stdout
    assert "1 open report" in reports.stdout
    hidden = run_cli("comments", "hide", str(spam))
    assert hidden.returncode == 0 and hidden.stdout.strip() == \
        f"comment #{spam} on 2501.00001: hidden"
    assert "0 open reports" in run_cli("comments", "list", "--reports").stdout
    assert run_cli("comments", "show", str(spam)).stdout.strip().endswith("visible")
    assert run_cli("comments", "delete", str(spam)).stdout.strip().endswith("deleted")
    listed = json.loads(run_cli("comments", "list", "--json").stdout)
    assert {c["id"]: (c["state"], c["body"]) for c in listed}[spam] == ("deleted", "")
    again = run_cli("comments", "show", str(spam))
    assert again.returncode != 0 and "deleted and stays so" in again.stderr
    unknown = run_cli("comments", "hide", "999999")
    assert unknown.returncode == 3 and "not in this papertide" in unknown.stderr
    bad = run_cli("comments", "hide", "zero")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_a_suspended_reader_cannot_comment_and_their_comments_are_hidden(
    run_cli: RunCli, tmp_path: Path,
) -> None:
    _, kept = _discussion(tmp_path)
    suspended = run_cli("comments", "suspend", "bob@example.org")
    assert suspended.returncode == 0 and "suspended from discussions" in suspended.stdout
    service = open_test_app(tmp_path / "data")
    try:
        bob = service.community.accounts.user("bob@example.org")
        assert kept not in [item.id for item in service.discussions.discussion(
            "2501.00001").comments]
        assert service.discussions.counts(["2501.00001"]) == {"2501.00001": 1}
    finally:
        service.close()
    assert bob.email == "bob@example.org"
    lifted = run_cli("comments", "suspend", "bob@example.org", "--lift")
    assert lifted.returncode == 0 and "may comment again" in lifted.stdout
    missing = run_cli("comments", "suspend", "nobody@example.org")
    assert missing.returncode == 3
