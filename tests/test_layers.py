"""The import graph: api and pages use lab, lab uses core, and none of them reaches sideways."""

import ast
from pathlib import Path
import sys

import pytest

APP = Path(__file__).resolve().parent.parent / "app"


def imports_of(package: str) -> dict[str, set[str]]:
    """Every app.* module each file of `package` imports (import x / from x import y)."""
    found = {}
    for path in (APP / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[str(path.relative_to(APP))] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("api", ("app.pages",)),
        ("pages", ("app.api",)),
        ("lab", ("app.api", "app.pages", "fastapi")),
        ("core", ("app.api", "app.pages", "app.lab", "app.config", "fastapi", "pydantic")),
    ],
)
def test_no_layer_imports_sideways_or_upwards(package, forbidden):
    offences = {
        file: sorted(name for name in names if name.startswith(forbidden))
        for file, names in imports_of(package).items()
    }
    assert {file: names for file, names in offences.items() if names} == {}


def test_core_imports_only_torch_numpy_pillow_and_the_standard_library():
    allowed = ("torch", "numpy", "PIL", "safetensors", "app.core")
    for file, names in imports_of("core").items():
        outside = {n for n in names if not n.startswith(allowed) and n.split(".")[0] not in sys.stdlib_module_names}
        assert outside == set(), file
