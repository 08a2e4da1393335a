"""What makes an export self-contained: plotly.js, the page's own drawing code and the data, all
inlined in one HTML file, so that it opens from a USB stick with no server and no network.

The drawing code is the pages' own ES modules, joined by `bundle` into one classic script (a file
opened from disk cannot import modules): each module becomes a function that returns its exports,
named by its path under static/js (`mixer/views.js` is `__mixer$views`, `blocks/views.js` `__blocks$views`),
and each `import {…} from "./m.js"` or `"../shared/m.js"` a destructuring of that module's exports.
"""

from functools import lru_cache
from pathlib import Path
import posixpath
import re

from app.config import STATIC_DIR
from app.lab.encoding import dumps

JS_DIR = STATIC_DIR / "js"
IMPORT = re.compile(r'import\s*\{([^}]*)\}\s*from\s*"(\.\.?/[\w./-]+)\.js";', re.S)
UNJOINED = re.compile(r"^import\b", re.M)  # an import statement IMPORT did not turn into a destructuring
EXPORT = re.compile(r"^export\s+((?:async\s+)?function|const|let|class)\s+(\w+)", re.M)


def _module_name(path: str) -> str:
    """`mixer/views` → `__mixer$views`: one identifier per path (`$` is in no file name)."""
    return "__" + path.replace("/", "$").replace("-", "_")


def _resolve(importer: str, specifier: str) -> str:
    """The path under static/js, without `.js`, that `importer` names by `specifier` (`../shared/api`)."""
    path = posixpath.normpath(posixpath.join(posixpath.dirname(importer), specifier))
    if path.startswith("../"):
        raise ValueError(f"{importer}.js imports {specifier}.js, outside the modules' folder")
    return path


def _wrap(path: str, source: str) -> tuple[str, list[str]]:
    """One module as `const __name = (() => { …; return {exports}; })();`, and the modules it imports."""
    imported: list[str] = []

    def destructure(match: re.Match) -> str:
        dependency = _resolve(path, match.group(2))
        imported.append(dependency)
        names = [n.strip().replace(" as ", ": ") for n in match.group(1).split(",") if n.strip()]
        return f"const {{ {', '.join(names)} }} = {_module_name(dependency)};"

    body = IMPORT.sub(destructure, source)
    if UNJOINED.search(body):
        raise ValueError(f'{path}.js has an import other than `import {{…}} from "./m.js";`')
    exported = [m.group(2) for m in EXPORT.finditer(body)]
    body = EXPORT.sub(lambda m: f"{m.group(1)} {m.group(2)}", body)
    wrapped = f"const {_module_name(path)} = (() => {{\n{body}\nreturn {{ {', '.join(exported)} }};\n}})();\n"
    return wrapped, imported


@lru_cache
def bundle(entry: str, root: Path = JS_DIR) -> str:
    """<root>/<entry>.js (`mixer/export`) and everything it imports, dependencies first, as one classic script."""
    ordered: list[str] = []
    wrapped: dict[str, str] = {}

    def visit(path: str) -> None:
        if path in wrapped:
            return
        wrapped[path], imports = _wrap(path, (root / f"{path}.js").read_text(encoding="utf-8"))
        for dependency in imports:
            visit(dependency)
        ordered.append(path)

    visit(entry)
    return "\n".join(wrapped[path] for path in ordered)


def inline_script(code: str) -> str:
    """Code that can sit inside <script>…</script>: it must not close the element itself."""
    if re.search(r"</script", code, re.I):
        raise ValueError("inline code contains '</script'")
    return code


def data_block(data: object) -> str:
    """JSON for a <script type="application/json"> block: '<' escaped so no tag can end it."""
    return dumps(data).decode("ascii").replace("<", "\\u003c")
