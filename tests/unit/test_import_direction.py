"""The folders depend one way (docs/architecture.md, "Folders and the direction of their
imports"): every import statement of every module, lazy ones inside functions included, is
read from the source and checked against the rules below."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = frozenset({"wire", "domain", "bridge", "projections", "adapters", "db"})
# The first-party folders each folder may import (besides itself).
ALLOWED: dict[str, frozenset[str]] = {
    "wire": frozenset(),
    "domain": frozenset({"wire"}),
    "bridge": frozenset({"wire"}),
    "db": frozenset(),
}
# The domain is pure: the standard library, the event-sourcing base classes, and the wire
# contract's plain-Python limits.
DOMAIN_MAY_IMPORT = frozenset({"eventsourcing.domain", "wire.limits"})


def _imports(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
    return found


def _modules(folder: str, root: Path = ROOT) -> list[Path]:
    return sorted((root / folder).rglob("*.py"))


def _violations(folder: str, root: Path = ROOT) -> list[str]:
    allowed = ALLOWED[folder] | {folder}
    wrong = []
    for path in _modules(folder, root):
        for line, module in _imports(path, root):
            top = module.split(".")[0]
            if top in OURS and top not in allowed:
                wrong.append(f"{path.relative_to(root)}:{line} imports {module}")
    return wrong


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_folder_imports_only_the_folders_below_it(folder: str) -> None:
    assert _modules(folder), f"no modules found under {folder}/"
    assert _violations(folder) == []


def test_domain_imports_only_the_standard_library_its_base_classes_and_the_wire_limits() -> None:
    wrong = []
    for path in _modules("domain"):
        for line, module in _imports(path):
            top = module.split(".")[0]
            if top in sys.stdlib_module_names or top == "domain" or module in DOMAIN_MAY_IMPORT:
                continue
            wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert wrong == []


def test_a_wrong_way_import_is_reported_with_its_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "bridge" / "ble").mkdir(parents=True)
    (tmp_path / "bridge" / "ble" / "link.py").write_text(
        "from wire import routing\n"
        "from .. import forwarder\n"
        "def f() -> None:\n"
        "    from adapters.settings import Settings\n"
        "    import projections.base\n"
    )
    assert _violations("bridge", tmp_path) == [
        "bridge/ble/link.py:4 imports adapters.settings",
        "bridge/ble/link.py:5 imports projections.base",
    ]
