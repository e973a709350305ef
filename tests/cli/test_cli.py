"""The papertide command as a user runs it: real process, real files, real database."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from tests.cli.conftest import RunCli
from tests.cli.helpers import kaggle_line, write_lines
from tests.helpers import free_port

COMMANDS = ["import", "serve", "search", "show", "reindex", "settings"]


def test_every_command_has_help(run_cli: RunCli) -> None:
    top = run_cli("--help")
    assert top.returncode == 0
    for command in COMMANDS:
        assert command in top.stdout
        result = run_cli(command, "--help")
        assert result.returncode == 0, result.stderr
        assert f"Usage: papertide {command}" in result.stdout


def test_import_then_search_and_show(run_cli: RunCli, tmp_path: Path) -> None:
    papers = write_lines(tmp_path / "papers.jsonl", [
        kaggle_line("2503.00001", "Model merging without retraining"),
        kaggle_line("2503.00002", "A survey of protein folding", categories="q-bio.BM"),
    ])
    imported = run_cli("import", str(papers))
    assert imported.returncode == 0, imported.stderr
    assert "2 new, 0 updated, 0 unchanged, 0 skipped" in imported.stdout

    found = run_cli("search", "merging", "--json")
    assert found.returncode == 0, found.stderr
    payload = json.loads(found.stdout)
    assert [paper["arxiv_id"] for paper in payload["results"]] == ["2503.00001"]
    assert payload["results"][0]["authors"] == ["Ada Lovelace", "Alan Turing"]

    shown = run_cli("show", "arXiv:2503.00002v1", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["categories"] == ["q-bio.BM"]
    human = run_cli("show", "2503.00002")
    assert "A survey of protein folding" in human.stdout
    assert "Ada Lovelace, Alan Turing" in human.stdout


def test_search_prints_a_suggestion_and_which_filter_left_nothing(
    run_cli: RunCli, tmp_path: Path
) -> None:
    papers = write_lines(tmp_path / "papers.jsonl", [
        kaggle_line("2503.00001", "Model merging without retraining"),
        kaggle_line("2503.00002", "A survey of protein folding", categories="q-bio.BM"),
    ])
    run_cli("import", str(papers))
    typo = run_cli("search", "mergng", "--mode", "keyword")
    assert typo.returncode == 0, typo.stderr
    assert "Did you mean: merging" in typo.stderr
    assert "Model merging without retraining" in typo.stdout
    empty = run_cli("search", "protein", "--cat", "cs.LG", "--json")
    payload = json.loads(empty.stdout)
    assert payload["total"] == 0
    assert payload["filter_hints"] == [
        {"filter": "cat", "label": "cat:cs.LG", "matching_without": 1}]


def test_reimport_changes_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    papers = write_lines(tmp_path / "papers.jsonl", [kaggle_line("2503.00001", "Merging")])
    run_cli("import", str(papers))
    again = run_cli("import", str(papers))
    assert "0 new, 0 updated, 1 unchanged" in again.stdout


def test_bad_lines_are_reported_with_file_and_line_and_skipped(
    run_cli: RunCli, tmp_path: Path
) -> None:
    papers = write_lines(tmp_path / "mixed.jsonl", [
        kaggle_line("2503.00001", "Good paper one"),
        "{not json",
        kaggle_line("2503.00003", ""),
        kaggle_line("2503.00004", "From the past", versions=[
            {"version": "v1", "created": "Mon, 3 Mar 1980 10:00:00 GMT"}]),
        kaggle_line("2503.00005", "Good paper two"),
    ])
    result = run_cli("import", str(papers))
    assert result.returncode == 0
    assert "2 new" in result.stdout and "3 skipped" in result.stdout
    assert f"{papers}:2: not JSON" in result.stderr
    assert f"{papers}:3: missing 'title'" in result.stderr
    assert f"{papers}:4:" in result.stderr and "before arXiv existed" in result.stderr
    assert run_cli("show", "2503.00005").returncode == 0


def test_a_truncated_gzip_import_keeps_the_whole_papers_and_fails(
    run_cli: RunCli, tmp_path: Path
) -> None:
    lines = [kaggle_line(f"2503.{number:05d}", f"Paper number {number}")
             for number in range(1, 401)]
    whole = gzip.compress(("\n".join(lines) + "\n").encode())
    cut = tmp_path / "snapshot.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])  # a download that stopped half-way
    result = run_cli("import", str(cut))
    assert result.returncode == 1
    assert "cut short" in result.stderr and "import it again" in result.stderr
    assert "Traceback" not in result.stderr
    imported = int(re.search(r"([\d,]+) new", result.stdout).group(1))  # type: ignore[union-attr]
    assert 0 < imported < 400
    assert f"cannot be read past line {imported}" in result.stderr
    assert run_cli("show", f"2503.{imported:05d}").returncode == 0
    assert run_cli("show", f"2503.{imported + 1:05d}").returncode != 0


def test_a_file_of_blank_lines_is_read_quickly_and_said_to_hold_nothing(
    run_cli: RunCli, tmp_path: Path
) -> None:
    blank = tmp_path / "newlines.jsonl.gz"
    blank.write_bytes(gzip.compress(b"\n" * 20_000_000))  # took minutes line by line
    result = run_cli("import", str(blank))
    assert result.returncode == 0
    assert "0 new" in result.stdout
    assert f"{blank}: no paper records in it (only blank lines)" in result.stderr


def test_strict_import_leaves_the_database_as_before(run_cli: RunCli, tmp_path: Path) -> None:
    first = write_lines(tmp_path / "first.jsonl", [kaggle_line("2503.00001", "Kept paper")])
    run_cli("import", str(first))
    bad = write_lines(tmp_path / "bad.jsonl", [
        kaggle_line("2503.00002", "Would be new"),
        kaggle_line("2503.00001", "Renamed by a newer version", versions=[
            {"version": "v1", "created": "Mon, 3 Mar 2025 10:00:00 GMT"},
            {"version": "v2", "created": "Tue, 4 Mar 2025 10:00:00 GMT"}]),
        "[1, 2, 3]",
    ])
    result = run_cli("import", "--strict", str(bad))
    assert result.returncode == 1
    assert f"{bad}:3: not a JSON object" in result.stderr
    assert "nothing was imported" in result.stderr
    assert run_cli("show", "2503.00002").returncode == 3
    kept = json.loads(run_cli("show", "2503.00001", "--json").stdout)
    assert kept["title"] == "Kept paper" and kept["latest_version"] == 1


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("show", "9999.99999"), 3, "not in this papertide"),
        (("show", "not an id"), 1, "not an arXiv identifier"),
        (("import", "missing.jsonl"), 1, "does not exist"),
        (("import",), 2, "give one or more FILES, or --sample"),
        (("search", "x" * 5000), 1, "at most 1,000 are searched"),
        (("search", "--from", "2025-13", "llm"), 1, "not a valid month"),
        (("search", "--limit", "0", "llm"), 2, "Invalid value for '--limit'"),
        (("frobnicate",), 2, "No such command"),
    ],
)
def test_bad_input_gives_a_message_not_a_traceback(
    run_cli: RunCli, args: tuple[str, ...], code: int, message: str
) -> None:
    result = run_cli(*args)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_folder_and_binary_files_are_refused_cleanly(run_cli: RunCli, tmp_path: Path) -> None:
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage\n" * 10)
    result = run_cli("import", str(binary))
    assert "Traceback" not in result.stderr
    assert "unreadable data" in result.stderr
    folder = run_cli("import", str(tmp_path))
    assert folder.returncode == 2
    assert "Traceback" not in folder.stderr


def test_settings_come_from_toml_and_environment(
    run_cli: RunCli, cli_env: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "papertide.toml"
    config.write_text('[papertide]\nport = 8123\nsite_name = "Lab papers"\n', encoding="utf-8")
    env = dict(cli_env, PAPERTIDE_CONFIG=str(config), PAPERTIDE_PORT="9001")
    shown = run_cli("settings", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "port = 9001" in shown.stdout  # environment beats the file
    assert "site_name = Lab papers" in shown.stdout

    broken = dict(cli_env, PAPERTIDE_PORT="eighty")
    result = run_cli("settings", env=broken)
    assert result.returncode == 1
    assert "PAPERTIDE_PORT" in result.stderr and "Traceback" not in result.stderr

    typo = tmp_path / "typo.toml"
    typo.write_text("prot = 1\n", encoding="utf-8")
    result = run_cli("--config", str(typo), "settings")
    assert result.returncode == 1 and "unknown setting(s) prot" in result.stderr


def test_an_unreachable_postgresql_server_is_a_clear_one_line_error_without_the_password(
    run_cli: RunCli, cli_env: dict[str, str]
) -> None:
    port = free_port()  # nothing listens there
    env = dict(cli_env,
               PAPERTIDE_DATABASE_URL=f"postgresql://papertide:s3cret@127.0.0.1:{port}/papers")
    result = run_cli("show", "2503.00001", env=env)
    assert result.returncode == 1
    assert f"cannot connect to the database postgresql://papertide@127.0.0.1:{port}/papers" \
        in result.stderr
    assert "s3cret" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_reindex_rebuilds_a_deleted_index(run_cli: RunCli, tmp_path: Path) -> None:
    papers = write_lines(tmp_path / "papers.jsonl", [kaggle_line("2503.00001", "Quokka sightings")])
    run_cli("import", str(papers))
    index = tmp_path / "data" / "search-index"
    for entry in index.glob("*"):  # no folder on PostgreSQL: the index is in the database
        entry.unlink()
    result = run_cli("reindex")
    assert result.returncode == 0, result.stderr
    assert "1 papers" in result.stdout
    found = json.loads(run_cli("search", "quokka", "--json").stdout)
    assert found["total"] == 1


def test_settings_never_print_the_database_password(
    run_cli: RunCli, cli_env: dict[str, str]
) -> None:
    env = dict(cli_env, PAPERTIDE_DATABASE_URL=(
        "postgresql://papertide:Pa55word@db.internal:5432/papers?password=Pa55word"))
    shown = run_cli("settings", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "database_url = postgresql://papertide@db.internal:5432/papers" in shown.stdout
    assert "Pa55word" not in shown.stdout + shown.stderr
