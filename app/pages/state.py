"""The pages' state as it lives in their query strings: defaults, and the API calls a state implies.

The pages read their defaults from here (embedded as JSON), and the exports and the lesson build
their figures from the same query strings, so a link, an embed and an export show the same thing.
"""

from collections.abc import Mapping

from app.api.schemas import MixRequest

MIXER_MAX_SIDE = 256  # the Mixer mixes images at this size
MIXER_DEFAULTS: dict[str, str | int | None] = {
    "in": "sample:scene",
    "img": "",
    "rc": 8,
    "rh": 32,
    "rw": 32,
    "rs": 0,
    "rd": "normal",
    "feat": "bank",
    "cout": 16,
    "w": "random",
    "seed": 0,
    "bias": "default",
    "act": "none",
    "scale": "channel",
    "ch": 0,
    "pr": None,
    "pc": None,
    "W": None,  # Cout × Cin as "w,w,…;w,w,…", only when edited by hand
    "B": None,  # Cout as "b,b,…", only when edited by hand
    "view": "",  # layout: which views to show, which controls to hide, large type
    "hide": "",
    "large": "",
}
NUMBERS = ("rc", "rh", "rw", "rs", "cout", "seed", "ch", "pr", "pc")

# The cost explorer's controls, by element id; the classic teaching examples.
COST_DEFAULTS: dict[str, str] = {
    "s-cin": "256",
    "s-h": "56",
    "s-w": "56",
    "s-k": "3",
    "s-bias": "1",
    "s-axis": "linear",
    "s-cout": "64",
    "i-h": "28",
    "i-w": "28",
    "i-cin": "256",
    "i-cout": "64",
    "i-k": "5",
    "i-r": "32",
    "b-cin": "256",
    "b-mid": "64",
    "b-h": "56",
    "b-w": "56",
    "b-style": "tutorial",
    "d-cin": "32",
    "d-cout": "64",
    "d-h": "112",
    "d-w": "112",
    "d-k": "3",
}


def mixer_state(params: Mapping[str, str]) -> dict:
    """A Mixer query string → its state, defaults filled in (as static/js/mixer-state.js reads it)."""
    state = dict(MIXER_DEFAULTS)
    for key, raw in params.items():
        if key not in state:
            continue
        if key in NUMBERS:
            state[key] = int(raw) if raw.isdigit() else state[key]
        elif key in ("W", "B"):
            state[key] = _numbers(raw) if key == "B" else [_numbers(row) for row in raw.split(";")]
        else:
            state[key] = raw
    # Hand edits that do not parse are dropped, as the page drops them.
    if state["w"] == "edited" and not (state["W"] and all(state["W"])):
        state["w"] = "random"
    if state["bias"] == "edited" and not state["B"]:
        state["bias"] = "default"
    if state["pr"] is None or state["pc"] is None:
        state.update(centre(state))
    return state


def _numbers(text: str) -> list[float] | None:
    """ "1,-0.5,2e-3" → [1.0, -0.5, 0.002]; None if any of it is not a finite number."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        return None
    return values if all(abs(v) < float("inf") for v in values) else None


def centre(state: dict) -> dict:
    """The probe's default: the centre pixel, as far as the shape is known before asking."""
    if state["in"] == "random":
        return {"pr": state["rh"] // 2, "pc": state["rw"] // 2}
    if state["in"].startswith("sample:"):
        return {"pr": MIXER_MAX_SIDE // 2, "pc": MIXER_MAX_SIDE // 2}
    return {}


def mixer_request(state: dict) -> MixRequest:
    """The POST /api/mix body a Mixer state asks for (the same as mixRequest in mixer-state.js)."""
    if state["in"] == "random":
        spec = {"source": "random", "channels": state["rc"], "height": state["rh"], "width": state["rw"]}
        spec |= {"seed": state["rs"], "distribution": state["rd"]}
    elif state["in"] == "upload":
        spec = {"source": "upload", "image_id": state["img"]}
    else:
        spec = {"source": "sample", "name": state["in"].removeprefix("sample:")}
    body: dict = {
        "input": spec,
        "features": state["feat"],
        "max_side": MIXER_MAX_SIDE,
        "activation": state["act"],
        "explain_channel": state["ch"],
        "encoding": "u8",
        "include_contributions": False,  # drawn from X and W[n], as on the page
    }
    if state["pr"] is not None and state["pc"] is not None:
        body["probe"] = {"row": state["pr"], "col": state["pc"]}
    if state["w"] == "edited" and state["W"]:
        body["weight"] = {"values": state["W"]}
    elif state["w"] in ("random", "identity"):
        body["weight"] = {"init": state["w"], "seed": state["seed"]}
        body["out_channels"] = state["cout"]
    else:
        body["weight"] = {"preset": state["w"]}
        if state["w"] == "pca":
            body["out_channels"] = state["cout"]
    if state["bias"] == "random":
        body["bias"] = {"init": "random", "seed": state["seed"]}
    elif state["bias"] == "edited" and state["B"]:
        body["bias"] = {"values": state["B"]}
    return MixRequest.model_validate(body)


def cost_state(params: Mapping[str, str]) -> dict[str, str]:
    """A cost-explorer query string → every control's value."""
    return {key: params.get(key, default) for key, default in COST_DEFAULTS.items()}
