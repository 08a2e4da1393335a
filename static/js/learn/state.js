// The Learn page's state: the controls it is read from and written to, and the query string it
// lives in. The requests a state asks for are the server's to make (GET /data/learn, app/lab/learn/state.py).
import { ApiError } from "../shared/api.js";

const $ = (id) => document.getElementById(id);
export const PAGE = JSON.parse($("learn-data").textContent);
export const TEXT = PAGE.text;
const DEFAULTS = PAGE.defaults;

const SELECTS = ["in", "feat", "tgt", "tact", "layers", "opt", "rd"];
const INTEGERS = ["rc", "rh", "rw", "rs", "tc", "ts", "hid", "steps", "every", "seed", "R"];
const FLOATS = ["noise", "lr", "mom"];
const control = (key) => $(key === "in" ? "input" : key);

const short = (v) => String(Number(Number(v).toPrecision(6)));
const matrixText = (m) => (m ? m.map((row) => row.map(short).join(",")).join(";") : "");
const vectorText = (v) => (v ? v.map(short).join(",") : "");
const parseMatrix = (text) => (text.trim() ? text.split(";").map((row) => row.split(",").map(Number)) : null);
const parseVector = (text) => (text.trim() ? text.split(",").map(Number) : null);

// What the page calls each query parameter a refusal can name, and the range its control offers
// where that range is the whole rule (steps, for one, are also bounded by pixels and work).
const LABELS = { in: "input", img: "upload", feat: "features", tgt: "target", tc: "target_channels", TW: "target_weight" };
Object.assign(LABELS, { TB: "target_bias", hid: "hidden", lr: "lr", steps: "steps", every: "every", seed: "seed" });
Object.assign(LABELS, { rc: "channels", rh: "height", rw: "width", rs: "input_seed", noise: "noise", mom: "momentum" });
const RANGED = ["rc", "rh", "rw", "tc", "hid"];

export function refusalNames() {
  const names = { R: { name: TEXT.reduce.rank } };
  for (const [parameter, label] of Object.entries(LABELS)) {
    const element = control(parameter);
    const range = RANGED.includes(parameter) ? { min: element.min, max: element.max } : {};
    names[parameter] = { name: TEXT.controls[label], ...range };
  }
  // Steps over the limit at this size are refused with that limit (a refusal within it is the work's).
  const steps = control("steps");
  if (Number(steps.value) > Number(steps.max)) names.steps = { ...names.steps, min: steps.min, max: steps.max };
  // /api/learn and /api/reduce name the fields of their bodies: the same controls.
  const body = { hidden: "hid", "target.preset": "tgt", "target.random.out_channels": "tc", "target.weight": "TW" };
  Object.assign(body, { "target.bias": "TB", "target.autoencoder.rank": "R", rank: "R", input: "in", max_side: "in" });
  for (const [field, parameter] of Object.entries(body)) names[field] = names[parameter];
  return names;
}

// The most steps the server trains on the input's H·W: at most max_train_steps, and steps × H·W at
// most max_train_pixel_steps (an image is trained at most learn_max_side on a side).
export function stepsLimit(state) {
  const { max_train_steps: most, max_train_pixel_steps: pixelSteps, learn_max_side: side } = PAGE.limits;
  const pixels = state.in === "random" ? state.rh * state.rw : side * side;
  return Math.max(1, Math.min(most, Math.floor(pixelSteps / pixels)));
}

// Cin of the input a state asks for, for the range of R.
export function inChannels(state) {
  if (state.in === "random") return state.rc;
  return state.feat === "bank" ? 10 : 3;
}

export function syncControls(state) {
  if (state.in === "upload") control("in").querySelector('option[value="upload"]').disabled = false;
  for (const key of [...SELECTS, ...INTEGERS, ...FLOATS]) control(key).value = String(state[key]);
  $("TW").value = matrixText(state.TW);
  $("TB").value = vectorText(state.TB);
  $("std").checked = state.std === "1";
  $("random-fields").hidden = state.in !== "random";
  control("feat").disabled = state.in === "random";
  for (const element of document.querySelectorAll("[data-for]")) element.hidden = element.dataset.for !== state.tgt;
  $("hid").disabled = state.layers !== "2";
  $("mom").disabled = state.opt !== "sgd";
  $("R").max = String(inChannels(state));
  control("steps").max = String(stepsLimit(state));
  $("R-value").textContent = String(state.R);
}

// The state as the controls show it now.
export function readControls(state) {
  const next = { ...state };
  for (const key of SELECTS) next[key] = control(key).value;
  for (const key of INTEGERS) {
    const n = Number.parseInt(control(key).value, 10);
    if (Number.isFinite(n)) next[key] = n;
  }
  for (const key of FLOATS) {
    const x = Number.parseFloat(control(key).value);
    if (Number.isFinite(x)) next[key] = x;
  }
  next.TW = parseMatrix($("TW").value);
  next.TB = parseVector($("TB").value);
  next.std = $("std").checked ? "1" : "0";
  control("steps").max = String(stepsLimit(next));
  return next;
}

// Only what differs from the defaults goes into the URL; ?lang= is kept as it is.
export function toQuery(state) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(state)) {
    if (value === null || value === "" || JSON.stringify(value) === JSON.stringify(DEFAULTS[key])) continue;
    if (key === "TW") params.set(key, matrixText(value));
    else if (key === "TB") params.set(key, vectorText(value));
    else params.set(key, String(value));
  }
  const lang = new URLSearchParams(location.search).get("lang");
  if (lang) params.set("lang", lang);
  const text = params.toString();
  return text ? `?${text}` : "";
}

// The server's reading of a state: {state, requests}, or an ApiError naming the query parameter.
export async function fetchRequests(state) {
  const response = await fetch(`/data/learn${toQuery(state)}`);
  const body = await response.json().catch(() => ({ detail: `HTTP ${response.status}` }));
  if (!response.ok) throw new ApiError(response.status, body.detail, response.headers.get("retry-after"));
  return body;
}
