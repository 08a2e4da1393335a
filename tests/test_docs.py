"""docs/ is the contract, and these tests keep it true: every route of the app is named in the docs
and every route the docs name exists; every query parameter of every page state is listed for its
page, with the model's default and range; every setting is stated with its default; the command
line's options are there; and the OpenAPI schema says what docs/api.md says about each /api route.

The docs are read as markdown: a route is a heading "### `METHOD /path`"; a table is recognised by
its fixed header row, and a page state's table is the first one after the heading that names the
model (`MixerState`).
"""

from contextlib import redirect_stdout
import io
from pathlib import Path
import re
import sys
import tempfile

from fastapi.routing import APIWebSocketRoute, iter_route_contexts
from pydantic import BaseModel, ValidationError
import pytest

from app import __main__ as cli
from app.config import Settings
from app.lab.blocks.state import BlocksState
from app.lab.cost.state import CostState
from app.lab.learn.state import LearnState
from app.lab.mixer.collapse import CollapseState
from app.lab.mixer.state import MixerState
from app.lab.query import query_defaults
from app.main import app
from app.pages.templating import LANGUAGES

DOCS = Path(__file__).resolve().parent.parent / "docs"
PARAMETER_HEADER = ("parameter", "default", "range", "meaning")
SETTINGS_HEADER = ("variable", "default", "what it limits")
STATUS_HEADER = ("status", "when")
STATES: tuple[type[BaseModel], ...] = (MixerState, LearnState, BlocksState, CostState, CollapseState)
# Read by every page outside its state model (app/pages/templating.py), and so listed in every table.
LANG = "lang"
UNSET = "(unset)"

HEADING = re.compile(r"^#{1,6} ", re.MULTILINE)
ROUTE_HEADING = re.compile(r"^#{2,6} `([A-Z]+) (/[^`]*)`\s*$", re.MULTILINE)
CELL_SEPARATOR = re.compile(r"(?<!\\)\|")


def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def cells(line: str) -> tuple[str, ...]:
    """One table row's cells, stripped; `\\|` inside a cell is a literal bar."""
    inner = line.strip().removeprefix("|").removesuffix("|")
    return tuple(cell.strip().replace("\\|", "|") for cell in CELL_SEPARATOR.split(inner))


def tables(text: str, header: tuple[str, ...]) -> list[list[tuple[str, ...]]]:
    """Every table of `text` whose header row is `header`, as its rows of cells (separator left out)."""
    lines = text.splitlines()
    found = []
    for i, line in enumerate(lines):
        if line.lstrip().startswith("|") and cells(line) == header:
            rows = []
            for row in lines[i + 2 :]:
                if not row.lstrip().startswith("|"):
                    break
                rows.append(cells(row))
            found.append(rows)
    return found


def code(cell: str) -> str:
    """`x` → x; anything else as it is."""
    return cell[1:-1] if len(cell) >= 2 and cell.startswith("`") and cell.endswith("`") else cell


def section_after(text: str, pattern: str) -> str:
    """The text from the heading that matches `pattern` (a regex) to the next heading."""
    match = re.search(rf"^#{{1,6}} .*{pattern}.*$", text, re.MULTILINE)
    if match is None:
        return ""
    following = HEADING.search(text, match.end())
    return text[match.end() : following.start() if following else len(text)]


# Routes


def app_routes() -> set[str]:
    """Every route of the app as "METHOD /path" (HEAD, which Starlette adds to GET, left out); a
    WebSocket route as "WS /path"; a mount as "GET /prefix/{path}"."""
    names = set()
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIWebSocketRoute):
            names.add(f"WS {route.path}")
        elif not route.methods:  # a mount
            names.add(f"GET {route.path}/{{path}}")
        else:
            names.update(f"{method} {route.path}" for method in route.methods if method != "HEAD")
    return names


def documented_routes(text: str) -> set[str]:
    return {f"{method} {path}" for method, path in ROUTE_HEADING.findall(text)}


def route_section(text: str, route: str) -> str:
    method, path = route.split(" ", 1)
    return section_after(text, re.escape(f"`{method} {path}`"))


def test_the_app_has_routes_and_mounts_to_compare():
    routes = app_routes()
    assert {"POST /api/mix", "GET /", "GET /static/{path}", "GET /vendor/swagger/{path}", "GET /docs"} <= routes


def test_every_route_is_in_the_docs_and_every_documented_route_exists():
    documented = documented_routes(read("api.md")) | documented_routes(read("pages.md"))
    routes = app_routes()
    assert sorted(routes - documented) == [], "routes the docs do not name"
    assert sorted(documented - routes) == [], "routes the docs name that the app does not have"


def test_every_api_route_is_in_api_md_and_every_page_route_in_pages_md():
    routes = app_routes()
    api = {route for route in routes if route.split(" ", 1)[1].startswith("/api/")}
    assert api <= documented_routes(read("api.md"))
    pages = {route for route in routes if route.split(" ", 1)[1].startswith(("/embed/", "/data/", "/export/"))}
    assert pages <= documented_routes(read("pages.md"))


# Page query parameters


def expected_range(model: type[BaseModel], alias: str) -> str | None:
    """A parameter's range as the docs write it, derived from the model: `a`, `b` for a choice (the
    empty value, "unset", left out), "≥ 1, ≤ 1024" for a number, `pattern` for a pattern, the names
    of a list of names; None where the docs describe it in words (matrices, triples, sets of ints)."""
    schema = model.model_json_schema()
    definitions = schema.get("$defs", {})

    def resolve(node: dict) -> dict:
        return definitions[node["$ref"].rsplit("/", 1)[1]] if "$ref" in node else node

    prop = resolve(schema["properties"][alias])
    options = [resolve(o) for o in prop.get("anyOf", [prop]) if o.get("type") != "null"]
    if len(options) != 1:
        return None
    node = options[0]
    choices = node.get("enum", [node["const"]] if "const" in node else None)
    if choices is not None:
        return ", ".join(f"`{choice}`" for choice in choices if choice != "")
    signs = {"minimum": "≥", "exclusiveMinimum": ">", "maximum": "≤", "exclusiveMaximum": "<"}
    bounds = [f"{sign} {node[key]}" for key, sign in signs.items() if key in node]
    if bounds:
        return ", ".join(bounds)
    if "pattern" in node:
        return f"`{node['pattern']}`"
    if node.get("type") == "array" and node.get("items", {}).get("type") == "string":
        return ", ".join(f"`{name}`" for name in list_names(model, alias))
    return None


def list_names(model: type[BaseModel], alias: str) -> list[str]:
    """The names a list parameter takes, as its own refusal of an unknown name says them."""
    with pytest.raises(ValidationError) as refused:
        model.model_validate({alias: "?"})
    message = refused.value.errors()[0]["msg"]
    return message.split("the names are ", 1)[1].split(", ")


def expected_default(value: object) -> str:
    return UNSET if value in (None, "", []) else f"`{value}`"


def parameter_problems(text: str, model: type[BaseModel]) -> list[str]:
    """Where the docs' table for `model` and the model disagree: a parameter missing from either
    side, a default or a range that differs."""
    found = tables(section_after(text, f"`{model.__name__}`"), PARAMETER_HEADER)
    if not found:
        return [f"{model.__name__}: no table with the header {' | '.join(PARAMETER_HEADER)}"]
    rows = {code(row[0]): row for row in found[0]}
    defaults = query_defaults(model)
    problems = [f"{model.__name__}: {name} is not in the docs" for name in [*defaults, LANG] if name not in rows]
    stray = rows.keys() - {*defaults, LANG}
    problems += [f"{model.__name__}: {name} is in the docs, not in the model" for name in sorted(stray)]
    for name, row in rows.items():
        if name == LANG:
            wanted = (UNSET, ", ".join(f"`{lang}`" for lang in LANGUAGES))
        elif name in defaults:
            wanted = (expected_default(defaults[name]), expected_range(model, name))
        else:
            continue
        default, range_ = row[1], row[2]
        if default != wanted[0]:
            problems.append(f"{model.__name__}: {name}'s default is {wanted[0]}, the docs say {default}")
        if wanted[1] is not None and range_ != wanted[1]:
            problems.append(f"{model.__name__}: {name}'s range is {wanted[1]}, the docs say {range_}")
    return problems


@pytest.mark.parametrize("model", STATES, ids=lambda model: model.__name__)
def test_pages_md_lists_every_query_parameter_with_its_default_and_range(model):
    assert parameter_problems(read("pages.md"), model) == []


def test_the_parameter_check_reports_a_missing_a_stray_and_a_wrong_parameter():
    text = read("pages.md")
    section = section_after(text, "`MixerState`")
    row = next(line for line in section.splitlines() if line.startswith("| `cout` |"))
    assert parameter_problems(text.replace(row + "\n", ""), MixerState) == ["MixerState: cout is not in the docs"]
    stray = "| `zoom` | `1` | ≥ 1 | not a parameter |\n"
    assert parameter_problems(text.replace(row + "\n", row + "\n" + stray), MixerState) == [
        "MixerState: zoom is in the docs, not in the model"
    ]
    wrong = row.replace("| `16` |", "| `8` |")
    assert parameter_problems(text.replace(row, wrong), MixerState) == [
        "MixerState: cout's default is `16`, the docs say `8`"
    ]


def test_the_range_of_a_parameter_comes_from_its_model():
    assert expected_range(CostState, "s-cout") == "≥ 1, ≤ 1024"
    assert expected_range(LearnState, "lr") == "> 0, ≤ 100"
    assert expected_range(MixerState, "act") == "`none`, `relu`"
    assert expected_range(MixerState, "marks") == "`0`, `1`"
    views = "`sweep`, `inception`, `bottleneck`, `projection`, `separable`, `networks`, `grouped`"
    assert expected_range(CostState, "view") == views
    assert expected_range(MixerState, "W") is None


# Settings


def documented_default(value: object) -> str:
    """A setting's default as the docs write it: the temporary directory of this machine as <temp dir>."""
    return f"`{str(value).replace(tempfile.gettempdir(), '<temp dir>')}`"


def settings_problems(text: str) -> list[str]:
    rows = {code(row[0]): row for table in tables(text, SETTINGS_HEADER) for row in table}
    problems = []
    for name, field in Settings.model_fields.items():
        variable = f"POINTWISE_{name.upper()}"
        if variable not in rows:
            problems.append(f"{variable} is not in the docs")
        elif rows[variable][1] != (default := documented_default(field.default)):
            problems.append(f"{variable}'s default is {default}, the docs say {rows[variable][1]}")
    known = {f"POINTWISE_{name.upper()}" for name in Settings.model_fields}
    problems += [f"{variable} is in the docs, not in the Settings" for variable in sorted(rows.keys() - known)]
    return problems


def test_every_setting_is_in_the_docs_with_its_default():
    assert settings_problems(read("settings.md")) == []


def test_the_settings_check_reports_a_missing_and_a_wrong_default():
    text = read("settings.md")
    row = next(line for line in text.splitlines() if line.startswith("| `POINTWISE_MAX_SIDE` |"))
    assert settings_problems(text.replace(row + "\n", "")) == ["POINTWISE_MAX_SIDE is not in the docs"]
    wrong = row.replace("| `512` |", "| `1024` |")
    assert settings_problems(text.replace(row, wrong)) == ["POINTWISE_MAX_SIDE's default is `512`, the docs say `1024`"]


# Command line


def cli_options(*argv: str) -> set[str]:
    """The options `python -m app <argv> --help` lists."""
    out = io.StringIO()
    saved = sys.argv
    sys.argv = ["python -m app", *argv, "--help"]
    try:
        with redirect_stdout(out), pytest.raises(SystemExit):
            cli.main()
    finally:
        sys.argv = saved
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", out.getvalue())) - {"--help"}


@pytest.mark.parametrize("command", ["serve", "export"])
def test_the_command_line_is_in_pages_md(command):
    section = section_after(read("pages.md"), re.escape(f"`python -m app {command}`"))
    assert section, f"no heading for python -m app {command}"
    assert sorted(option for option in cli_options(command) if f"`{option}" not in section) == []


# OpenAPI


def api_operations() -> dict[str, dict]:
    """Every /api operation of the OpenAPI schema, as "METHOD /path"."""
    paths = app.openapi()["paths"]
    api = {path: ops for path, ops in paths.items() if path.startswith("/api/")}
    return {f"{method.upper()} {path}": op for path, ops in api.items() for method, op in ops.items()}


def test_every_api_operation_has_a_summary_and_a_description():
    operations = api_operations()
    http = [r for r in app_routes() if r.split(" ", 1)[1].startswith("/api/") and not r.startswith("WS ")]
    assert len(operations) == len(http)
    assert sorted(route for route, op in operations.items() if not op.get("description")) == []


def test_each_api_operation_summary_is_the_one_api_md_states():
    text = read("api.md")
    missing = [route for route, op in api_operations().items() if op["summary"] not in route_section(text, route)]
    assert missing == []


def test_every_status_api_md_lists_for_a_route_is_in_its_openapi_responses():
    text = read("api.md")
    for route, op in api_operations().items():
        statuses = [code(row[0]) for table in tables(route_section(text, route), STATUS_HEADER) for row in table]
        assert statuses, f"{route}: no status table in docs/api.md"
        assert sorted(set(statuses) - set(op["responses"])) == [], route
