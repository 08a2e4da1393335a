// The cost explorer: controls ↔ URL, the /api/cost endpoints, and the four panels drawn from them.
import { getJSON } from "./api.js";
import { PLOT_CONFIG } from "./config.js";
import { PANEL_VIEWS, arithmeticTable } from "./cost-views.js";
import { embedCode, withPath, wireShare } from "./share.js";

const $ = (id) => document.getElementById(id);
const controls = [...document.querySelectorAll(".panel-controls input, .panel-controls select")];
const DEFAULTS = Object.fromEntries(controls.map((c) => [c.id, value(c)]));
const SWEEP_STEP = 4; // Cout = 1, 5, 9, … 1021: 256 points
const shown = {}; // panel → what it shows, for the copy buttons

function value(control) {
  if (control.type === "checkbox") return control.checked ? "1" : "0";
  return control.value;
}

function setValue(control, text) {
  if (control.type === "checkbox") control.checked = text === "1";
  else control.value = text;
}

const values = () => Object.fromEntries(controls.map((c) => [c.id, value(c)]));

// ---- state in the URL -------------------------------------------------------------------------

function readQuery() {
  const params = new URLSearchParams(location.search);
  for (const control of controls) setValue(control, params.get(control.id) ?? DEFAULTS[control.id]);
}

function writeQuery() {
  const params = new URLSearchParams(location.search);
  for (const control of controls) {
    if (value(control) === DEFAULTS[control.id]) params.delete(control.id);
    else params.set(control.id, value(control));
  }
  const text = params.toString() ? `?${params}` : "";
  history.replaceState(null, "", `${location.pathname}${text}`);
  $("export-html").href = `/export/cost.html${text}`;
}

// ---- each panel: ask the API, then draw ---------------------------------------------------------

async function sweepData(c) {
  const base = { in_channels: c["s-cin"], height: c["s-h"], width: c["s-w"], bias: c["s-bias"] === "1" };
  const range = { out_min: 1, out_max: 1024, out_step: SWEEP_STEP };
  const [one, wide, oneConv, wideConv] = await Promise.all([
    getJSON("/api/cost/sweep", { ...base, ...range, kernel_size: 1 }),
    getJSON("/api/cost/sweep", { ...base, ...range, kernel_size: c["s-k"] }),
    getJSON("/api/cost/conv", { ...base, out_channels: c["s-cout"], kernel_size: 1 }),
    getJSON("/api/cost/conv", { ...base, out_channels: c["s-cout"], kernel_size: c["s-k"] }),
  ]);
  return { controls: c, one, wide, oneConv, wideConv };
}

async function inceptionData(c) {
  const params = { height: c["i-h"], width: c["i-w"], in_channels: c["i-cin"], reduce_channels: c["i-r"] };
  params.out_channels = c["i-cout"];
  params.kernel_size = c["i-k"];
  return { controls: c, answer: await getJSON("/api/cost/inception", params) };
}

async function bottleneckData(c) {
  const params = { in_channels: c["b-cin"], bottleneck_channels: c["b-mid"], out_channels: c["b-cin"] };
  Object.assign(params, { height: c["b-h"], width: c["b-w"], bias: c["b-style"] !== "torchvision", batch_norm: true });
  return { controls: c, answer: await getJSON("/api/cost/bottleneck", params) };
}

async function separableData(c) {
  const params = { in_channels: c["d-cin"], out_channels: c["d-cout"], height: c["d-h"], width: c["d-w"] };
  params.kernel_size = c["d-k"];
  return { controls: c, answer: await getJSON("/api/cost/separable", params) };
}

const PANELS = { s: ["sweep", sweepData], i: ["inception", inceptionData], b: ["bottleneck", bottleneckData], d: ["separable", separableData] };

export function showPanel(name, view) {
  for (const [id, figure] of Object.entries(view.figures)) Plotly.react($(id), figure.data, figure.layout, PLOT_CONFIG);
  $(`${name}-arithmetic`).replaceChildren(arithmeticTable(view.designs));
  $(`${name}-verdict`).textContent = view.verdict;
}

// A refused query is said in the panel's own verdict line.
async function update(key) {
  const [name, fetchData] = PANELS[key];
  const verdict = $(`${name}-verdict`);
  try {
    const c = values();
    if (key === "i") {
      $("i-r").max = c["i-cin"];
      c["i-r"] = String(Math.min(Number(c["i-r"]), Number(c["i-cin"])));
      $("i-r-value").textContent = c["i-r"];
    }
    if (key === "s") $("s-cout-value").textContent = c["s-cout"];
    shown[name] = PANEL_VIEWS[name](await fetchData(c));
    showPanel(name, shown[name]);
    verdict.classList.remove("error");
  } catch (error) {
    verdict.textContent = error.message;
    verdict.classList.add("error");
  }
}

// body[data-busy] while any panel waits for the server, for tests to wait on.
let busy = 0;

async function refresh(keys) {
  busy += 1;
  document.body.dataset.busy = "1";
  try {
    await Promise.all(keys.map(update));
  } finally {
    busy -= 1;
    if (!busy) {
      delete document.body.dataset.busy;
      document.body.dataset.ready = "1";
    }
  }
}

for (const control of controls) {
  const event = control.type === "range" ? "input" : "change";
  control.addEventListener(event, () => {
    writeQuery();
    refresh([control.id[0]]);
  });
}

wireShare(document.querySelector(".cost-page"), {
  link: (view) => `${location.origin}${location.pathname}${location.search}#${view}`,
  embed: (view) => embedCode(withPath("/embed/cost", { view }), `Pointwise: ${view} cost`),
  code: (view) => shown[view]?.code ?? "",
});

readQuery();
writeQuery();
refresh(Object.keys(PANELS));
