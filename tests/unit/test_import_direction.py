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


# Inside adapters/ (docs/architecture.md): module prefix -> the module prefixes it must not
# import. The API mounts the replay and the dashboard through their packages' faces only
# (`adapters.replay`, `adapters.web`); the HTTP pieces all three share are below them in
# `adapters.http`; the application services are below every caller.
CALLERS_OF_SERVICES = ("adapters.api", "adapters.http", "adapters.replay", "adapters.web")
ADAPTER_RULES: dict[str, tuple[str, ...]] = {
    "adapters": ("projections",),
    "adapters.replay": ("adapters.api",),
    "adapters.web": ("adapters.api",),
    "adapters.http": ("adapters.api", "adapters.replay", "adapters.web", "adapters.services"),
    "adapters.services": (
        *CALLERS_OF_SERVICES,
        "adapters.importers",
        "adapters.ingest",
        "adapters.relay",
    ),
    "adapters.importers": ("adapters.api", "adapters.http"),
    "adapters.ingest": ("adapters.api", "adapters.http"),
    "adapters.relay": ("adapters.api", "adapters.http"),
    "adapters.analytics": ("adapters.api", "adapters.http"),
    "adapters.eventstore": (
        "adapters.api",
        "adapters.http",
        "adapters.services",
        "adapters.migrations",
    ),
    "adapters.postgres": ("adapters.eventstore", "adapters.migrations"),
    "adapters.sessions": ("adapters.api", "adapters.http", "adapters.services"),
}
# Packages whose internals no module outside them imports: only the package itself.
FACES = {"adapters.replay": ("adapters.api",), "adapters.web": ("adapters.api",)}


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _resolved(path: Path, root: Path) -> list[tuple[int, str]]:
    """Like `_imports`, with `from package import submodule` read as the submodule."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names_at: dict[int, list[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names_at.setdefault(node.lineno, []).extend(alias.name for alias in node.names)
    found = []
    for line, module in _imports(path, root):
        names = names_at.get(line, [])
        folder = root.joinpath(*module.split("."))
        for name in names or [None]:
            if name and ((folder / f"{name}.py").exists() or (folder / name).is_dir()):
                found.append((line, f"{module}.{name}"))
            else:
                found.append((line, module))
    return found


def _adapter_violations(root: Path = ROOT) -> list[str]:
    wrong = []
    for path in _modules("adapters", root):
        name = ".".join(path.relative_to(root).with_suffix("").parts)
        for line, module in _resolved(path, root):
            bad = [
                forbidden
                for prefix, forbidden_prefixes in ADAPTER_RULES.items()
                if _within(name, prefix)
                for forbidden in forbidden_prefixes
                if _within(module, forbidden)
            ]
            bad += [
                package
                for package, users in FACES.items()
                if not _within(name, package)
                and _within(module, package)
                and module != package
                and any(_within(name, user) for user in users)
            ]
            if bad:
                wrong.append(f"{path.relative_to(root)}:{line} imports {module}")
    return sorted(set(wrong))


def test_adapters_import_one_way_and_the_api_mounts_replay_and_web_by_their_packages() -> None:
    assert _adapter_violations() == []


def test_an_adapter_import_the_wrong_way_is_reported(tmp_path: Path) -> None:
    files = {
        "adapters/replay/socket.py": "from adapters.api.keys import DB_POOL\n",
        "adapters/replay/routes.py": "from adapters.http import keys\n",
        "adapters/web/pages.py": "from adapters.api import errors\n",
        "adapters/api/app.py": (
            "from adapters import replay\n"
            "from adapters.replay import routes\n"
            "from adapters.web.dashboard import setup_dashboard\n"
            "from adapters.web import setup_dashboard as mount\n"
        ),
        "adapters/http/errors.py": "from adapters.api import keys\n",
        "adapters/analytics/curve.py": "from projections.summaries import ride\n",
        "adapters/services/athletes.py": "from adapters.api.errors import Conflict\n",
        "adapters/postgres/pools.py": "from adapters.eventstore import WattlogStore\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    for package in ("api", "replay", "web", "http"):
        (tmp_path / "adapters" / package / "__init__.py").write_text("")
    (tmp_path / "adapters" / "api" / "keys.py").write_text("")
    (tmp_path / "adapters" / "api" / "errors.py").write_text("")
    (tmp_path / "adapters" / "web" / "dashboard.py").write_text("")
    (tmp_path / "adapters" / "http" / "keys.py").write_text("")
    assert _adapter_violations(tmp_path) == [
        "adapters/analytics/curve.py:1 imports projections.summaries",
        "adapters/api/app.py:2 imports adapters.replay.routes",
        "adapters/api/app.py:3 imports adapters.web.dashboard",
        "adapters/http/errors.py:1 imports adapters.api.keys",
        "adapters/postgres/pools.py:1 imports adapters.eventstore",
        "adapters/replay/socket.py:1 imports adapters.api.keys",
        "adapters/services/athletes.py:1 imports adapters.api.errors",
        "adapters/web/pages.py:1 imports adapters.api.errors",
    ]


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
