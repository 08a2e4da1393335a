// The non-linearity figure: two 1×1 layers, and the one layer W2·W1 they collapse into without ReLU.
import { postMix } from "./api.js";
import { PLOT_CONFIG } from "./config.js";
import { collapseView, product } from "./collapse-views.js";
import { placeLabels } from "./plots.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const text = JSON.parse($("collapse-text").textContent);
$("relu").checked = params.get("relu") === "1";
$("seed").value = params.get("seed") ?? "0";

async function data() {
  const relu = $("relu").checked;
  const seed = Number.parseInt($("seed").value, 10) || 0;
  const input = { source: "random", channels: 3, height: 24, width: 24, seed, distribution: "normal" };
  const common = { encoding: "json" };
  const first = await postMix({
    ...common,
    input,
    out_channels: 4,
    weight: { init: "random", seed },
    bias: { init: "random", seed: seed + 1 },
    activation: relu ? "relu" : "none",
  });
  const second = await postMix({
    ...common,
    input: { source: "values", values: first.output.maps },
    out_channels: 3,
    weight: { init: "random", seed: seed + 2 },
    bias: { init: "random", seed: seed + 3 },
  });
  const { w, b } = product(first, second);
  const single = await postMix({ ...common, input, weight: { values: w }, bias: { values: b } });
  return { first, second, single, relu };
}

async function refresh() {
  document.body.dataset.busy = "1";
  params.set("relu", $("relu").checked ? "1" : "0");
  params.set("seed", $("seed").value);
  history.replaceState(null, "", `?${params}`);
  const widths = { two: $("two-plot").clientWidth, one: $("one-plot").clientWidth };
  const view = collapseView(await data(), widths, text);
  for (const [id, figure] of Object.entries(view.figures)) {
    Plotly.react($(id), figure.data, { ...figure.layout, width: $(id).clientWidth }, PLOT_CONFIG);
    if (figure.labels) placeLabels($(id), figure, $(id).clientWidth);
  }
  $("collapse-verdict").textContent = view.verdict;
  delete document.body.dataset.busy;
  document.body.dataset.ready = "1";
}

$("relu").addEventListener("change", refresh);
$("seed").addEventListener("change", refresh);
refresh();
