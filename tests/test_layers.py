"""No module imports one that stands above it in docs/architecture.md's layers, not even inside
a function: the pipeline reads one way, from the vocabulary up to the front-ends."""

from __future__ import annotations

import ast
from pathlib import Path

import spott_migrate

PACKAGE = Path(spott_migrate.__file__).parent

# The layers of docs/architecture.md, lowest first; a module may import its own layer or below.
LAYERS: list[set[str]] = [
    {"spott_api", "errors", "codes", "config", "progress", "crashpoints"},
    {
        "manifest",
        "sniff",
        "collisions",
        "columns",
        "leftover",
        "renaming",
        "probe",
        "validation",
        "jobs",
        "plan",
        "client",
        "journal",
        "run",
        "writeback",
        "results",
        "tenant",
    },
    {"pipeline"},
    {"cli", "cli_tenant", "notebook", "report", "legacy", "sandbox", "demo", "__main__"},
]


def _layer(top: str) -> int:
    for number, names in enumerate(LAYERS):
        if top in names:
            return number
    raise AssertionError(f"{top} is in no layer: add it to docs/architecture.md and here")


def _imports(path: Path) -> list[str]:
    """Top-level names of spott_migrate that ``path`` imports, wherever the import stands."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module.split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = [*base, *(node.module.split(".") if node.module else [])]
                if not node.module:  # from . import x, y
                    found += [".".join([*target, a.name]) for a in node.names]
                    continue
            else:
                target = (node.module or "").split(".")
            found.append(".".join(target))
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names]
    tops = []
    for name in found:
        parts = name.split(".")
        if parts[0] == "spott_migrate" and len(parts) > 1:
            tops.append(parts[1])
    return tops


def test_no_module_imports_one_above_it() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts == ("__init__.py",):
            continue  # the package's lazy exports stand above everything by design
        top = rel.parts[0].removesuffix(".py")
        for imported in _imports(path):
            if imported != top and _layer(imported) > _layer(top):
                upward.append(f"{rel} imports {imported}")
    assert upward == []
