"""static/js/mixer/state.js reads a query string and builds its request as app/lab/mixer/state.py does.

tests/golden/mixer_requests.json pins the server's side (tests/pages/test_state.py); here the page's
own module, imported in Chromium, must build the same requests from the same queries.
"""

import json
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from app.config import get_settings
from app.core.errors import InputError
from app.lab.mixer import state
from app.lab.mixer.models import MixRequest

GOLDEN = json.loads((Path(__file__).parent.parent / "golden" / "mixer_requests.json").read_text(encoding="utf-8"))

# The page's request for a query, as it asks on load and after back/forward: the probe defaults to
# the centre, and every map is included (the server's request includes them all by default).
REQUEST = """async (query) => {
  const m = await import("/static/js/mixer/state.js");
  const s = m.fromQuery(query);
  if (s.pr === null || s.pc === null) Object.assign(s, m.centre(s));
  return m.mixRequest(s, { input: true, output: true });
}"""

# The parameter a query is refused for, or null where fromQuery reads it.
REFUSAL = """async (query) => {
  const m = await import("/static/js/mixer/state.js");
  try {
    m.fromQuery(query);
    return null;
  } catch (error) {
    return error.parameter ?? String(error);
  }
}"""

RANDOM = "in=random&rc=2&rh=8&rw=16"
# Odd but valid spellings: both sides read the same numbers.
ODD = [
    f"{RANDOM}&pr=%2B3&pc=%204%20",  # "+3", " 4 "
    f"{RANDOM}&pr=3.0&pc=1_0",
    f"{RANDOM}&cout=5&cout=2&w=edited&W=.5,1e-1;-2.,%2B3&bias=edited&B=1_0,0",
    "cout=7&cout=3&seed=00042",
]
# Refused: the parameter each is refused for, on both sides. (The server's query strings keep blank
# values, as Starlette reads them: "pc=" is an empty pc, not none.)
REFUSED = [
    (f"{RANDOM}&pr=3x&pc=1", "pr"),
    (f"{RANDOM}&pr=1e2&pc=0", "pr"),
    (f"{RANDOM}&pr=3&pc=", "pc"),
    ("rs=1.5", "rs"),
    ("cout=0", "cout"),
    ("rc=-1", "rc"),
    ("seed=-1", "seed"),
    (f"seed={2**32}", "seed"),
    ("ch=two", "ch"),
    ("w=edited", "W"),
    ("bias=edited", "B"),
    ("in=upload", "img"),
    ("w=edited&W=1,,2", "W"),
    ("w=edited&W=1,2;3,inf", "W"),
    ("bias=edited&B=nan", "B"),
    ("bias=edited&B=1;2", "B"),
]


@pytest.fixture(scope="module")
def mixer(browser, base_url):
    """The Mixer's page, for its modules; the page itself is left to draw."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base_url}/")
    yield page
    context.close()


def js_request(mixer, query: str) -> dict:
    return MixRequest.model_validate(mixer.evaluate(REQUEST, query)).model_dump(mode="json")


@pytest.mark.parametrize("case", GOLDEN, ids=lambda case: case["query"] or "defaults")
def test_golden_queries_make_the_golden_requests(mixer, case):
    assert js_request(mixer, case["query"]) == case["request"]


@pytest.mark.parametrize("query", ODD)
def test_odd_spellings_read_as_the_server_reads_them(mixer, query):
    _, request = state.mixer(dict(parse_qsl(query, keep_blank_values=True)), get_settings())
    assert js_request(mixer, query) == request.model_dump(mode="json")


@pytest.mark.parametrize(("query", "parameter"), REFUSED)
def test_what_the_server_refuses_the_page_refuses(mixer, query, parameter):
    with pytest.raises(InputError) as refused:
        state.mixer(dict(parse_qsl(query, keep_blank_values=True)), get_settings())
    assert refused.value.field == ("query", parameter)
    assert mixer.evaluate(REFUSAL, query) == parameter
