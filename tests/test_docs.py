"""The docs keep step with the code: every setting and command is documented."""

from __future__ import annotations

from pathlib import Path

from papertide.cli.main import cli
from papertide.settings import SETTING_SPECS

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_in_the_settings_doc() -> None:
    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for spec in SETTING_SPECS:
        assert f"`{spec.name}`" in doc, f"docs/settings.md does not describe {spec.name}"
        assert f"`PAPERTIDE_{spec.name.upper()}`" in doc


def test_every_command_is_in_the_readme_and_has_help_text() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert f"papertide {name}" in readme, f"README does not mention `papertide {name}`"
        assert command.help, f"`papertide {name}` has no help text"


def test_readme_starts_with_the_run_and_test_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    assert "scripts/run" in first_block and "scripts/test" in first_block
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test" in ci
