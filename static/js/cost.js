// The cost explorer: controls ↔ URL, the /api/cost endpoints, and the four panels drawn from them.
import { getJSON } from "./api.js";
import { PLOT_CONFIG } from "./config.js";
import { arithmeticTable, blocksFigure, compare, sweepFigure } from "./cost-views.js";
import { group } from "./plots.js";

const $ = (id) => document.getElementById(id);
const controls = [...document.querySelectorAll(".panel-controls input, .panel-controls select")];
const DEFAULTS = Object.fromEntries(controls.map((c) => [c.id, value(c)]));
const SWEEP_POINTS = 256;

function value(control) {
  if (control.type === "checkbox") return control.checked ? "1" : "0";
  return control.value;
}

function setValue(control, text) {
  if (control.type === "checkbox") control.checked = text === "1";
  else control.value = text;
}

const int = (id) => Number.parseInt($(id).value, 10);

// ---- state in the URL -------------------------------------------------------------------------

function readQuery() {
  const params = new URLSearchParams(location.search);
  for (const control of controls) setValue(control, params.get(control.id) ?? DEFAULTS[control.id]);
}

function writeQuery() {
  const params = new URLSearchParams();
  for (const control of controls) if (value(control) !== DEFAULTS[control.id]) params.set(control.id, value(control));
  const text = params.toString();
  history.replaceState(null, "", text ? `?${text}` : location.pathname);
}

// ---- panels --------------------------------------------------------------------------------------

function draw(id, figure) {
  Plotly.react($(id), figure.data, figure.layout, PLOT_CONFIG);
}

function show(id, designs) {
  $(id).replaceChildren(arithmeticTable(designs));
}

async function sweepPanel() {
  const k = int("s-k");
  const bias = $("s-bias").checked;
  const cout = int("s-cout");
  $("s-cout-value").textContent = cout;
  const base = { in_channels: int("s-cin"), height: int("s-h"), width: int("s-w"), bias };
  const step = Math.ceil(1024 / SWEEP_POINTS);
  const range = { out_min: 1, out_max: 1024, out_step: step };
  const [one, wide, oneConv, wideConv] = await Promise.all([
    getJSON("/api/cost/sweep", { ...base, ...range, kernel_size: 1 }),
    getJSON("/api/cost/sweep", { ...base, ...range, kernel_size: k }),
    getJSON("/api/cost/conv", { ...base, out_channels: cout, kernel_size: 1 }),
    getJSON("/api/cost/conv", { ...base, out_channels: cout, kernel_size: k }),
  ]);
  const axis = $("s-axis").value;
  draw("sweep-parameters", sweepFigure("parameters", "Parameters", one, wide, k, cout, axis));
  draw("sweep-macs", sweepFigure("multiply_adds", "Multiply–adds", one, wide, k, cout, axis));
  const layer = (name, conv, size) => ({
    name,
    shape: `${size}×${size}, ${base.in_channels}→${cout}`,
    formula: conv.formula,
  });
  const asBlock = (conv, name, size) => ({ ...conv, layers: [layer(name, conv, size)] });
  show("sweep-arithmetic", [
    { label: `Cout = ${cout}`, block: asBlock(oneConv, "1×1 conv", 1) },
    { label: "", block: asBlock(wideConv, `${k}×${k} conv`, k) },
  ]);
  $("sweep-verdict").textContent =
    `At Cout = ${cout}: the 1×1 conv has ${group(oneConv.parameters)} parameters and does ` +
    `${group(oneConv.multiply_adds)} multiply–adds; the ${k}×${k} conv ${group(wideConv.parameters)} and ` +
    `${group(wideConv.multiply_adds)}. Both grow linearly with Cout.`;
}

async function inceptionPanel() {
  const cin = int("i-cin");
  $("i-r").max = String(cin);
  const r = Math.min(int("i-r"), cin);
  $("i-r-value").textContent = r;
  const k = int("i-k");
  const answer = await getJSON("/api/cost/inception", {
    height: int("i-h"),
    width: int("i-w"),
    in_channels: cin,
    reduce_channels: r,
    out_channels: int("i-cout"),
    kernel_size: k,
  });
  const designs = [
    { label: `${k}×${k} straight from ${cin}`, block: answer.direct },
    { label: `1×1 to ${r}, then ${k}×${k}`, block: answer.reduced },
  ];
  draw("inception-plot", blocksFigure(designs));
  show("inception-arithmetic", designs);
  $("inception-verdict").textContent =
    `With the 1×1 reduction: ${group(answer.reduced.multiply_adds)} multiply–adds instead of ` +
    `${group(answer.direct.multiply_adds)}, ${compare(answer.reduced.multiply_adds, answer.direct.multiply_adds)}.`;
}

async function bottleneckPanel() {
  const torchvision = $("b-style").value === "torchvision";
  const cin = int("b-cin");
  const mid = int("b-mid");
  const answer = await getJSON("/api/cost/bottleneck", {
    in_channels: cin,
    bottleneck_channels: mid,
    out_channels: cin,
    height: int("b-h"),
    width: int("b-w"),
    bias: !torchvision,
    batch_norm: true,
  });
  const designs = [
    { label: `bottleneck ${cin}→${mid}→${cin}`, block: answer.bottleneck },
    { label: `two 3×3 at ${cin}`, block: answer.plain },
  ];
  draw("bottleneck-plot", blocksFigure(designs));
  show("bottleneck-arithmetic", designs);
  $("bottleneck-verdict").textContent =
    `The bottleneck: ${group(answer.bottleneck.parameters)} parameters and ` +
    `${group(answer.bottleneck.multiply_adds)} multiply–adds, against ${group(answer.plain.parameters)} and ` +
    `${group(answer.plain.multiply_adds)}: ${compare(answer.bottleneck.multiply_adds, answer.plain.multiply_adds)}.`;
}

async function separablePanel() {
  const cout = int("d-cout");
  const k = int("d-k");
  const answer = await getJSON("/api/cost/separable", {
    in_channels: int("d-cin"),
    out_channels: cout,
    height: int("d-h"),
    width: int("d-w"),
    kernel_size: k,
  });
  const designs = [
    { label: `standard ${k}×${k}`, block: answer.standard },
    { label: "depthwise + pointwise", block: answer.separable },
  ];
  draw("separable-plot", blocksFigure(designs));
  show("separable-arithmetic", designs);
  $("separable-verdict").textContent =
    `Depthwise separable / standard multiply–adds = ${answer.ratio.toFixed(4)}, and ` +
    `1/Cout + 1/k² = 1/${cout} + 1/${k * k} = ${answer.formula_ratio.toFixed(4)}.`;
}

const PANELS = {
  s: ["sweep", sweepPanel],
  i: ["inception", inceptionPanel],
  b: ["bottleneck", bottleneckPanel],
  d: ["separable", separablePanel],
};

// A refused query is said in the panel's own verdict line.
async function update(key) {
  const [name, panel] = PANELS[key];
  const verdict = $(`${name}-verdict`);
  try {
    await panel();
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

readQuery();
refresh(Object.keys(PANELS));
