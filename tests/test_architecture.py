"""The package's layering, read from its own imports (see docs/architecture.md).

Two rules keep the structure legible: no module imports itself back through
others (no cycles), and every import runs down the layers, never up. Both are
checked on the source with ``ast``, imports inside functions and
``TYPE_CHECKING`` blocks included, so a shortcut cannot hide in either.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "src" / "papertide"

# Bottom to top. A module belongs to the first layer one of whose patterns
# matches it: a name, a prefix ending in "." (a whole folder), or "*.models" /
# "*.settings" (an area's plain data types and setting declarations, which any
# layer may use because they import nothing above the base).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("papertide", "papertide.exceptions", "papertide.models", "papertide.arxiv_ids",
              "papertide.periods", "papertide.paging", "papertide.processes",
              "papertide.templates", "papertide.readable_math", "papertide.cron",
              "papertide.settings",
              "papertide.community_settings", "*.models", "*.settings")),
    ("sources", ("papertide.sources.",)),
    ("store", ("papertide.store.", "papertide.importing")),
    ("search and the building blocks", (
        "papertide.embed.", "papertide.search.", "papertide.ranking.", "papertide.topics.",
        "papertide.library.", "papertide.accounts.", "papertide.mail.")),
    ("features", ("papertide.recommend.", "papertide.subscriptions.", "papertide.digest.",
                  "papertide.follows.", "papertide.discussions.", "papertide.community",
                  "papertide.personal_data")),
    ("service", ("papertide.app",)),
    ("drivers", ("papertide.ingest.", "papertide.jobs.")),
    ("entry points", ("papertide.web.", "papertide.cli.", "papertide.__main__")),
)
# Modules that sit in a folder but belong to a higher layer than the folder.
PLACED: dict[str, str] = {"papertide.digest.jobs": "drivers"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE_ROOT.rglob("*.py"))}


def imported_modules(name: str, path: Path, known: set[str]) -> Iterator[str]:
    """The package's modules that ``name`` imports (``from x import y`` counts x.y if a module)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")[: None if is_package else -1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module
                       for alias in node.names]
        for target in targets:
            while target not in known and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in known and target != name:
                yield target


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    known = set(modules)
    return {name: set(imported_modules(name, path, known)) for name, path in modules.items()}


def layer_of(module: str) -> int:
    names = [layer for layer, _ in LAYERS]
    if module in PLACED:
        return names.index(PLACED[module])
    for position, (_, patterns) in enumerate(LAYERS):
        for pattern in patterns:
            if pattern.startswith("*."):
                if module.endswith(pattern[1:]):
                    return position
            elif pattern.endswith("."):
                if module.startswith(pattern) or module == pattern[:-1]:
                    return position
            elif module == pattern:
                return position
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in {__file__}")


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path of modules, or None (depth-first, white/grey/black)."""
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        trail.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return [*trail[trail.index(target):], target]
            if target not in state and (found := visit(target)) is not None:
                return found
        trail.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)) is not None:
            return found
    return None


def test_the_package_has_no_import_cycles() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_every_module_is_in_a_layer() -> None:
    modules = all_modules()
    assert {"papertide.app", "papertide.web.app", "papertide.store.base"} <= set(modules), \
        "the package was not found where the checks look: they would check nothing"
    for module in modules:
        layer_of(module)


def test_imports_run_down_the_layers() -> None:
    names = [layer for layer, _ in LAYERS]
    upward = sorted(
        f"{module} ({names[layer_of(module)]}) imports {target} ({names[layer_of(target)]})"
        for module, targets in import_graph().items() for target in targets
        if layer_of(target) > layer_of(module)
    )
    assert upward == []


@pytest.mark.parametrize(("graph", "expected"), [
    ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
])
def test_the_cycle_check_finds_cycles(graph: dict[str, set[str]],
                                      expected: list[str] | None) -> None:
    assert find_cycle(graph) == expected


def test_the_layer_check_reads_imports_in_functions_and_type_checking_blocks(
        tmp_path: Path) -> None:
    source = ("from typing import TYPE_CHECKING\n"
              "if TYPE_CHECKING:\n    from papertide.app import X\n"
              "def late() -> None:\n    from papertide.web import pages\n")
    path = tmp_path / "probe.py"
    path.write_text(source)
    found = set(imported_modules("papertide.store.probe", path,
                                 {"papertide.app", "papertide.web", "papertide.web.pages"}))
    assert found == {"papertide.app", "papertide.web.pages"}
