"""What makes an export self-contained: plotly.js, the page's own drawing code and the data, all
inlined in one HTML file, so that it opens from a USB stick with no server and no network.

The drawing code is the pages' own ES modules, joined by `bundle` into one classic script (a file
opened from disk cannot import modules): each module becomes a function that returns its exports,
and each `import {…} from "./m.js"` a destructuring of that module's exports.
"""

from functools import lru_cache
import re

from app.config import STATIC_DIR
from app.lab.encoding import dumps

IMPORT = re.compile(r'import\s*\{([^}]*)\}\s*from\s*"\./([\w-]+)\.js";', re.S)
EXPORT = re.compile(r"^export\s+((?:async\s+)?function|const|let|class)\s+(\w+)", re.M)


def _module_name(file: str) -> str:
    return "__" + file.replace("-", "_")


def _wrap(file: str, source: str) -> tuple[str, list[str]]:
    """One module as `const __name = (() => { …; return {exports}; })();`, and the modules it imports."""
    imported: list[str] = []

    def destructure(match: re.Match) -> str:
        imported.append(match.group(2))
        names = [n.strip().replace(" as ", ": ") for n in match.group(1).split(",") if n.strip()]
        return f"const {{ {', '.join(names)} }} = {_module_name(match.group(2))};"

    body = IMPORT.sub(destructure, source)
    exported = [m.group(2) for m in EXPORT.finditer(body)]
    body = EXPORT.sub(lambda m: f"{m.group(1)} {m.group(2)}", body)
    wrapped = f"const {_module_name(file)} = (() => {{\n{body}\nreturn {{ {', '.join(exported)} }};\n}})();\n"
    return wrapped, imported


@lru_cache
def bundle(entry: str) -> str:
    """static/js/<entry>.js and everything it imports, dependencies first, as one classic script."""
    ordered: list[str] = []
    wrapped: dict[str, str] = {}

    def visit(file: str) -> None:
        if file in wrapped:
            return
        wrapped[file], imports = _wrap(file, (STATIC_DIR / "js" / f"{file}.js").read_text(encoding="utf-8"))
        for dependency in imports:
            visit(dependency)
        ordered.append(file)

    visit(entry)
    return "\n".join(wrapped[file] for file in ordered)


def inline_script(code: str) -> str:
    """Code that can sit inside <script>…</script>: it must not close the element itself."""
    if re.search(r"</script", code, re.I):
        raise ValueError("inline code contains '</script'")
    return code


def data_block(data: object) -> str:
    """JSON for a <script type="application/json"> block: '<' escaped so no tag can end it."""
    return dumps(data).decode("ascii").replace("<", "\\u003c")
