"""The import graph: api and pages use lab, lab uses core, and none of them reaches sideways, not
even through a third module: every rule is checked on what a module reaches, directly or not."""

import ast
from functools import cache
from pathlib import Path
import sys

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
FEATURES = ("mixer", "learn", "blocks", "cost")


def module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in APP.rglob("*.py")}


@cache
def direct_imports(module: str) -> frozenset[str]:
    """What one module imports: `import x`, `from x import y` (y too where it is a module of ours)."""
    names = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(
                f"{node.module}.{alias.name}" for alias in node.names if f"{node.module}.{alias.name}" in MODULES
            )
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return frozenset(names)


@cache
def reaches(module: str) -> frozenset[str]:
    """Every module `module` imports, directly or through others of ours (a package's __init__ too)."""
    seen: set[str] = set()
    visited, todo = {module}, [module]
    while todo:
        for name in direct_imports(todo.pop()):
            seen.add(name)
            for ours in (m for m in MODULES if name == m or name.startswith(m + ".")):
                if ours not in visited:
                    visited.add(ours)
                    todo.append(ours)
    return frozenset(seen)


def modules_of(package: str) -> list[str]:
    return [m for m in MODULES if m == package or m.startswith(package + ".")]


def offences(package: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found = {m: sorted(n for n in reaches(m) if n.startswith(forbidden)) for m in modules_of(package)}
    return {m: names for m, names in found.items() if names}


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("app.api", ("app.pages",)),
        ("app.pages", ("app.api",)),
        ("app.lab", ("app.api", "app.pages", "app.admission", "app.middleware", "fastapi", "starlette")),
        ("app.core", ("app.api", "app.pages", "app.lab", "app.config", "fastapi", "pydantic")),
        *((f"app.lab.{feature}", tuple(f"app.lab.{f}" for f in FEATURES if f != feature)) for feature in FEATURES),
    ],
)
def test_no_layer_reaches_sideways_or_upwards(package, forbidden):
    assert offences(package, forbidden) == {}


def test_a_reach_through_a_third_module_is_found():
    """The check follows imports: the api reaches the core through the lab, which it never names."""
    assert "app.core.mixing" in reaches("app.api.mix")
    assert "app.core.mixing" not in direct_imports("app.api.mix")


def test_the_admission_control_is_the_middlewares_alone():
    users = sorted(m for m in MODULES if "app.admission" in direct_imports(m))
    assert users == ["app.middleware"]


def test_every_lab_has_its_package():
    assert all(f"app.lab.{feature}" in MODULES for feature in FEATURES)


def test_core_imports_only_torch_numpy_pillow_and_the_standard_library():
    allowed = ("torch", "numpy", "PIL", "safetensors", "app.core")
    for module in modules_of("app.core"):
        outside = {
            n
            for n in direct_imports(module)
            if not n.startswith(allowed) and n.split(".")[0] not in sys.stdlib_module_names
        }
        assert outside == set(), module
