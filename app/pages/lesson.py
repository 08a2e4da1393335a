"""The guided lesson: one figure per step, and the text of every step in one catalogue per language."""

from functools import lru_cache
import json
from pathlib import Path

CATALOGUES = Path(__file__).parent / "catalogues"
LANGUAGES = ("en", "zh")

# Each step's live figure, as the embed it is (path and query); the text is in the catalogues.
FIGURES = [
    "/embed/mixer?in=sample:shapes&feat=rgb&w=identity&cout=3&view=input,output,weights&hide=controls",
    "/embed/mixer?in=sample:scene&feat=bank&cout=4&view=sum,weights&hide=controls",
    "/embed/mixer?in=random&rc=4&rh=8&rw=8&cout=3&view=probe,graph&hide=controls",
    "/embed/cost?view=sweep",
    "/embed/mixer?in=sample:scene&feat=bank&w=pca&cout=3&view=weights,output,rgb&hide=controls",
    "/embed/collapse?relu=0",
    "/embed/mixer?in=sample:scene&feat=bank&cout=8&act=relu&view=probe,output&hide=controls",
    "/embed/cost?view=inception",
    "/embed/cost?view=bottleneck",
    "/embed/cost?view=separable",
    "/embed/mixer?in=sample:scene&feat=bank&cout=16&view=graph,output&hide=controls",
]


@lru_cache
def catalogue(language: str) -> dict:
    """Every string of the lesson in one language."""
    text = json.loads((CATALOGUES / f"{language}.json").read_text(encoding="utf-8"))
    if len(text["steps"]) != len(FIGURES):
        raise ValueError(f"the {language} catalogue has {len(text['steps'])} steps, the lesson {len(FIGURES)}")
    return text
