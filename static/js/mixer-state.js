// The Mixer's state: defaults, the query string it lives in, and the /api/mix request it implies.

// The server owns the state (app/lab/state.py): the page gets the parsed state of its own URL, the
// defaults and the constants in its data block. fromQuery reads the URLs this page itself wrote
// (back/forward), and mixRequest builds partial requests on every edit: both are pinned to the
// server's by tests/golden/mixer_requests.json.
const PAGE = JSON.parse(document.getElementById("mixer-defaults").textContent);
export const DEFAULTS = PAGE.defaults;
export const INITIAL = PAGE.state;
export const MAX_SIDE = PAGE.max_side;

const NUMBERS = ["rc", "rh", "rw", "rs", "cout", "seed", "ch", "pr", "pc"];
const COLOUR_PRESETS = PAGE.colour_presets;

export function fromQuery(search) {
  const params = new URLSearchParams(search);
  const state = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS)) {
    if (!params.has(key)) continue;
    const raw = params.get(key);
    if (NUMBERS.includes(key)) {
      const n = Number.parseInt(raw, 10);
      if (Number.isFinite(n) && n >= 0) state[key] = n;
    } else if (key === "W") {
      state.W = raw.split(";").map((row) => row.split(",").map(Number));
    } else if (key === "B") {
      state.B = raw.split(",").map(Number);
    } else {
      state[key] = raw;
    }
  }
  const valid = (m) => Array.isArray(m) && m.flat().every(Number.isFinite);
  if (state.w === "edited" && !valid(state.W)) state.w = "random";
  if (state.bias === "edited" && !valid(state.B)) state.bias = "default";
  return state;
}

const short = (v) => String(Number(v.toPrecision(6)));

export function toQuery(state) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(state)) {
    if (value === null || value === DEFAULTS[key]) continue;
    if (key === "W") {
      if (state.w === "edited") params.set("W", value.map((row) => row.map(short).join(",")).join(";"));
    } else if (key === "B") {
      if (state.bias === "edited") params.set("B", value.map(short).join(","));
    } else {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function isColourPreset(w) {
  return COLOUR_PRESETS.includes(w);
}

function inputSpec(state) {
  if (state.in === "random") {
    return { source: "random", channels: state.rc, height: state.rh, width: state.rw, seed: state.rs, distribution: state.rd };
  }
  if (state.in === "upload") return { source: "upload", image_id: state.img };
  return { source: "sample", name: state.in.replace(/^sample:/, "") };
}

// The probe's default: the centre pixel of the map, where its shape is known before asking.
export function centre(state) {
  if (state.in === "random") return { pr: Math.floor(state.rh / 2), pc: Math.floor(state.rw / 2) };
  if (state.in.startsWith("sample:")) return { pr: MAX_SIDE / 2, pc: MAX_SIDE / 2 };
  return { pr: state.pr, pc: state.pc }; // an upload: set when it is uploaded
}

export function mixRequest(state, include) {
  const request = {
    input: inputSpec(state),
    features: state.feat,
    max_side: MAX_SIDE,
    activation: state.act,
    explain_channel: state.ch,
    encoding: "u8",
    include_input_maps: include.input,
    include_output_maps: include.output,
    include_contributions: false, // drawn from X and W[n]: see sumFigure
  };
  if (state.pr !== null && state.pc !== null) request.probe = { row: state.pr, col: state.pc };
  if (state.w === "edited") {
    request.weight = { values: state.W };
  } else if (state.w === "random" || state.w === "identity") {
    request.weight = { init: state.w, seed: state.seed };
    request.out_channels = state.cout;
  } else {
    request.weight = { preset: state.w };
    if (state.w === "pca" || state.w === "identity") request.out_channels = state.cout;
  }
  if (state.bias === "random") request.bias = { init: "random", seed: state.seed };
  if (state.bias === "edited") request.bias = { values: state.B };
  return request;
}

// Keep hand-edited W and b when Cout changes: cut rows, or add rows of zeros.
export function resizeEdits(state, cout) {
  if (state.W) {
    const cin = state.W[0].length;
    state.W = Array.from({ length: cout }, (_, n) => state.W[n] || new Array(cin).fill(0));
  }
  if (state.B) state.B = Array.from({ length: cout }, (_, n) => state.B[n] ?? 0);
}
