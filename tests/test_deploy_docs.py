"""The deployment guide and the reference compose file promise only what papertide has.

No container engine runs in CI, so ``compose.yaml`` and the ``Dockerfile`` are
checked by reading them: the compose file must parse and wire the database into
the web and worker services, and every ``papertide`` command line the guide
shows must be one the CLI accepts.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs

from papertide.cli.main import cli
from papertide.community_settings import parse_trusted_proxies
from papertide.settings import CONFIG_ENV, setting_names

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "deploy.md"
COMPOSE_FILE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"

# The guide documents these with the PostgreSQL engine; they must exist on the click group.
EXPECTED_COMMANDS = (("db", "upgrade"), ("db", "copy"))
# `papertide` in command position (line start, after a space, a quote, a path), then words.
COMMAND_LINE = re.compile(
    r"(?:^|(?<=[\s`'\"(/]))papertide[ \t]+([a-z][a-z0-9-]*)(?:[ \t]+([a-z][a-z0-9-]*))?(.*)$",
    re.MULTILINE,
)
SHELL_BREAK = re.compile(r"&&|\|\||[;|'`#]")
LONG_OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")
COMPOSE_VARIABLE = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True)
class Invocation:
    """One `papertide NAME [SUB] --options...` written in the guide."""

    name: str
    sub: str | None
    options: tuple[str, ...]
    text: str


def code_in(markdown: str) -> list[str]:
    """Fenced blocks and inline code spans: where the guide writes commands to type."""
    fence = r"^[ \t]*```[^\n]*\n(.*?)^[ \t]*```"
    fenced = re.findall(fence, markdown, flags=re.DOTALL | re.MULTILINE)
    prose = re.sub(fence, "", markdown, flags=re.DOTALL | re.MULTILINE)
    return fenced + re.findall(r"`([^`]+)`", prose)


def invocations(markdown: str) -> list[Invocation]:
    found: list[Invocation] = []
    for code in code_in(markdown):
        code = code.replace("\\\n", " ")  # shell line continuations
        for match in COMMAND_LINE.finditer(code):
            name, sub, rest = match.group(1), match.group(2), match.group(3)
            rest = SHELL_BREAK.split(rest, maxsplit=1)[0]
            found.append(Invocation(name, sub, tuple(LONG_OPTION.findall(rest)),
                                    match.group(0).strip()))
    return found


def resolve(invocation: Invocation) -> click.Command | None:
    """The click command the line runs, or None when it does not exist."""
    command = cli.commands.get(invocation.name)
    if isinstance(command, click.Group):
        return command.commands.get(invocation.sub or "")
    return command


def long_options(command: click.Command) -> set[str]:
    names = {"--help"}
    for param in command.params:
        names.update(opt for opt in (*param.opts, *param.secondary_opts) if opt.startswith("--"))
    return names


def guide_invocations() -> list[Invocation]:
    return invocations(GUIDE.read_text(encoding="utf-8"))


def test_the_guide_shows_the_commands_an_operator_needs() -> None:
    shown = {(item.name, item.sub) for item in guide_invocations()}
    for needed in (*EXPECTED_COMMANDS, ("serve", None), ("worker", None), ("reindex", None),
                   ("settings", None)):
        assert any(name == needed[0] and (needed[1] is None or sub == needed[1])
                   for name, sub in shown), f"docs/deploy.md never shows papertide {needed}"


def test_the_database_commands_exist() -> None:
    for group_name, sub in EXPECTED_COMMANDS:
        group = cli.commands.get(group_name)
        assert isinstance(group, click.Group), f"`papertide {group_name}` is not a command group"
        assert sub in group.commands, f"`papertide {group_name} {sub}` does not exist"


def test_every_papertide_command_in_the_guide_is_real() -> None:
    unknown: list[str] = []
    for item in guide_invocations():
        if (item.name, item.sub) in EXPECTED_COMMANDS:
            continue  # checked by test_the_database_commands_exist
        if resolve(item) is None:
            unknown.append(item.text)
    assert not unknown, f"docs/deploy.md shows commands the CLI lacks: {unknown}"


def test_every_option_in_the_guide_is_accepted_by_its_command() -> None:
    wrong: list[str] = []
    for item in guide_invocations():
        command = resolve(item)
        if command is None:
            continue  # reported by the tests above
        wrong.extend(f"{item.text}: {option}" for option in item.options
                     if option not in long_options(command))
    assert not wrong, f"docs/deploy.md uses options the commands do not have: {wrong}"


def test_the_checker_catches_a_made_up_command_and_option() -> None:
    sample = "```sh\npapertide serve --port 80 --turbo 4\n/opt/bin/papertide frobnicate\n```\n"
    found = invocations(sample)
    assert [item.name for item in found] == ["serve", "frobnicate"]
    assert resolve(found[1]) is None
    serve = resolve(found[0])
    assert serve is not None
    assert [o for o in found[0].options if o not in long_options(serve)] == ["--turbo"]


def test_every_environment_variable_named_is_a_setting() -> None:
    known = {f"PAPERTIDE_{name.upper()}" for name in setting_names()} | {CONFIG_ENV}
    for path in (GUIDE, COMPOSE_FILE, DOCKERFILE):
        named = set(re.findall(r"\bPAPERTIDE_[A-Z_]+\b", path.read_text(encoding="utf-8")))
        assert named, f"{path.name} names no setting"
        assert named <= known, f"{path.name} names unknown settings: {sorted(named - known)}"


def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment, written as a mapping or as a list of KEY=VALUE."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        return dict(str(item).partition("=")[::2] for item in raw)
    return {str(key): str(value) for key, value in raw.items()}


def test_compose_runs_a_pgvector_database_a_web_process_and_a_worker() -> None:
    services = compose()["services"]
    assert {"db", "web", "worker"} <= set(services)
    assert "pgvector" in services["db"]["image"]
    assert services["web"]["command"][:2] == ["papertide", "serve"]
    assert "--no-scheduler" in services["web"]["command"]
    assert services["worker"]["command"] == ["papertide", "worker"]


@pytest.mark.parametrize("name", ["web", "worker"])
def test_compose_points_web_and_worker_at_the_db_service(name: str) -> None:
    services = compose()["services"]
    database = environment_of(services["db"])
    url = environment_of(services[name])["PAPERTIDE_DATABASE_URL"]
    parts = urlsplit(COMPOSE_VARIABLE.sub("secret", url))
    assert parts.scheme == "postgresql"
    assert (parts.hostname, parts.port) == ("db", 5432)
    assert parts.username == database["POSTGRES_USER"]
    assert parts.path == "/" + database["POSTGRES_DB"]
    assert "db" in services[name]["depends_on"]


def test_the_shipped_proxy_setup_lets_no_visitor_name_its_own_address() -> None:
    web = environment_of(compose()["services"]["web"])
    assert "FORWARDED_ALLOW_IPS" not in web  # uvicorn's "*" took the left-most, forged hop
    trusted = re.sub(r"\$\{[^:}]*:-([^}]*)\}", r"\1", web["PAPERTIDE_TRUSTED_PROXIES"])
    parse_trusted_proxies(trusted)  # addresses and networks only: "*" would be refused
    nginx = GUIDE.read_text(encoding="utf-8")
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx
    assert "$proxy_add_x_forwarded_for" not in nginx


def test_the_dockerfile_installs_the_source_tree_and_pins_nothing_else() -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"pip install \.(\s|$)", dockerfile)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pinned = {dependency.replace(" ", "") for dependency in project["dependencies"]}
    written = set(re.findall(r"[A-Za-z0-9_.-]+==[0-9][A-Za-z0-9.+]*", dockerfile))
    assert written <= pinned, f"the Dockerfile pins {sorted(written - pinned)}"


def test_the_reference_files_say_they_are_not_exercised_in_ci() -> None:
    for path in (COMPOSE_FILE, DOCKERFILE, ROOT / ".dockerignore"):
        header = path.read_text(encoding="utf-8").split("\n\n")[0]
        assert "not" in header.lower() and "CI" in header, f"{path.name} lacks the notice"
    assert "not exercised in CI" in GUIDE.read_text(encoding="utf-8")


def test_the_readme_links_the_guide() -> None:
    assert "(docs/deploy.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
