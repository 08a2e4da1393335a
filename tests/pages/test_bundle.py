"""bundle: the pages' ES modules, in their folders under static/js, joined into one classic script."""

import pytest

from app.pages.bundle import bundle


def write(root, files: dict[str, str]):
    for path, source in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(source, encoding="utf-8")
    return root


def test_same_named_modules_in_two_folders_stay_apart_and_parent_paths_resolve(tmp_path):
    root = write(
        tmp_path,
        {
            "shared/text.js": "export const word = (s) => `<${s}>`;\n",
            "a/views.js": 'import { word } from "../shared/text.js";\nexport const name = word("a");\n',
            "b/views.js": 'import { word } from "../shared/text.js";\nexport const name = word("b");\n',
            "b/export.js": (
                'import { name as fromA } from "../a/views.js";\n'
                'import { name } from "./views.js";\n'
                "export const shown = [fromA, name];\n"
            ),
        },
    )
    code = bundle("b/export", root)
    starts = [line.split(" = ")[0] for line in code.splitlines() if line.startswith("const __")]
    assert starts == ["const __shared$text", "const __a$views", "const __b$views", "const __b$export"]
    assert "const { name: fromA } = __a$views;" in code and "const { name } = __b$views;" in code
    assert code.count("const { word } = __shared$text;") == 2 and "import" not in code


@pytest.mark.parametrize(
    ("source", "refusal"),
    [
        ('import { x } from "../../outside.js";\n', "outside the modules' folder"),
        ("import * as text from './text.js';\n", "an import other than"),
    ],
)
def test_an_import_it_cannot_join_is_refused(tmp_path, source, refusal):
    root = write(tmp_path, {"page/entry.js": source})
    with pytest.raises(ValueError, match=refusal):
        bundle("page/entry", root)


def test_every_export_bundles_from_the_page_folders():
    for entry in ["mixer/export", "learn/export", "blocks/export", "cost/export", "collapse/export"]:
        code = bundle(entry)
        assert f"const __{entry.replace('/', '$')} = " in code and "\nimport " not in code
