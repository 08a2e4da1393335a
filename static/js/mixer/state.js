// The Mixer's state: defaults, the query string it lives in, and the /api/mix request it implies.

// The server owns the state (app/lab/mixer/state.py): the page gets the parsed state of its own URL, the
// defaults and the constants in its data block. fromQuery reads the URLs this page itself wrote
// (back/forward) as the server reads them, and mixRequest builds partial requests on every edit:
// both are pinned to the server's by tests/golden/mixer_requests.json.
const PAGE = JSON.parse(document.getElementById("mixer-defaults").textContent);
export const DEFAULTS = PAGE.defaults;
export const INITIAL = PAGE.state;
export const MAX_SIDE = PAGE.max_side;
const COLOUR_PRESETS = PAGE.colour_presets;

// The integer parameters and their ranges: MixerState's Count (≥ 1), Index (≥ 0) and Seed.
const SEED_MAX = 2 ** 32 - 1;
const INTEGERS = {
  rc: [1, Infinity],
  rh: [1, Infinity],
  rw: [1, Infinity],
  cout: [1, Infinity],
  rs: [0, SEED_MAX],
  seed: [0, SEED_MAX],
  ch: [0, Infinity],
  pr: [0, Infinity],
  pc: [0, Infinity],
};
// The text pydantic reads as an integer ("3", " +3 ", "3.0", "1_000"; not "3x", "3.5" or "1e2"),
// and the text Python's float() reads as a number ("-0.5", ".5", "2e-3").
const INTEGER = /^[+-]?\d+(?:_\d+)*(?:\.0+)?$/;
const NUMBER = /^[+-]?(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?$/;

// A query parameter the server would refuse with a 422 naming it.
export class QueryError extends Error {
  constructor(parameter, message) {
    super(`query.${parameter}: ${message}`);
    this.parameter = parameter;
  }
}

function integer(key, raw) {
  const text = raw.trim();
  const n = INTEGER.test(text) ? Number.parseInt(text.replaceAll("_", ""), 10) : Number.NaN;
  const [low, high] = INTEGERS[key];
  if (!Number.isSafeInteger(n)) throw new QueryError(key, `'${raw}' is not a valid integer`);
  if (n < low || n > high) throw new QueryError(key, `${n} is outside ${low}…${high}`);
  return n;
}

function numbers(key, text) {
  return text.split(",").map((entry) => {
    const trimmed = entry.trim();
    const value = NUMBER.test(trimmed) ? Number(trimmed.replaceAll("_", "")) : Number.NaN;
    if (!Number.isFinite(value)) throw new QueryError(key, `'${entry}' is not a finite number`);
    return value;
  });
}

// A query string → the state, read as the server reads it (app/lab/mixer/state.py, MixerState and
// mixer()): the last value of a repeated parameter counts, and a bad value throws a QueryError.
export function fromQuery(search) {
  const params = new URLSearchParams(search);
  const state = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS)) {
    if (!params.has(key)) continue;
    const raw = params.getAll(key).at(-1);
    if (key in INTEGERS) state[key] = integer(key, raw);
    else if (key === "W") state.W = raw.split(";").map((row) => numbers(key, row));
    else if (key === "B") state.B = numbers(key, raw);
    else state[key] = raw;
  }
  if (state.w === "edited" && state.W === null) throw new QueryError("W", "w=edited needs the weights W");
  if (state.bias === "edited" && state.B === null) throw new QueryError("B", "bias=edited needs the bias B");
  if (state.in === "upload" && !state.img) throw new QueryError("img", "in=upload needs the image id img");
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

// A control's new value, and what it undoes: hand edits fit one Cin and one set of weights.
export function setControl(state, key, raw, kind) {
  state[key] = typeof DEFAULTS[key] === "number" ? Math.max(0, Number.parseInt(raw, 10) || 0) : raw;
  if (key === "cout") resizeEdits(state, state.cout);
  if (key === "w") state.W = null;
  if (["in", "feat", "rc", "w"].includes(key) && state.bias === "edited") Object.assign(state, { bias: "default", B: null });
  if (["in", "feat", "rc"].includes(key) && state.w === "edited") Object.assign(state, { w: "random", W: null });
  if (kind === "full") Object.assign(state, centre(state));
}

// The state after an upload: the new image, its centre pixel probed (at the size it is mixed at),
// hand edits undone (they fit another Cin).
export function setUpload(state, stored) {
  const side = Math.min(1, MAX_SIDE / Math.max(stored.width, stored.height));
  const probe = { pr: Math.floor((stored.height * side) / 2), pc: Math.floor((stored.width * side) / 2) };
  Object.assign(state, { in: "upload", img: stored.image_id, ...probe });
  if (state.w === "edited") Object.assign(state, { w: "random", W: null, bias: "default", B: null });
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
    if (state.w === "pca") {
      request.weight.standardise = state.std === "1";
      request.out_channels = state.cout;
    }
  }
  if (state.bias === "zeros" || state.bias === "random") request.bias = { init: state.bias, seed: state.seed };
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
