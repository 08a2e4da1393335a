// The Mixer's views in an exported file: drawn once from the data inside the file, no server.
import { decodeTensor } from "./api.js";
import { DIVERGING, PLOT_CONFIG } from "./config.js";
import {
  channelGrid,
  costLine,
  graphFigure,
  outputNames,
  probeCaption,
  rgbFigure,
  sumCaption,
  sumFigure,
  weightsFigure,
} from "./mixer-views.js";
import { cssGradient, fmt, gridFigure, placeLabels } from "./plots.js";
import { renderProbe } from "./probe.js";

const $ = (id) => document.getElementById(id);
const { answer, request, views } = JSON.parse($("pointwise-data").textContent);

for (const element of document.querySelectorAll("[data-view]")) {
  if (views.length && !views.includes(element.dataset.view)) element.hidden = true;
}
const [cout] = answer.weight.shape;
$("rgb-figure").hidden ||= cout !== 3;

const shown = (id) => !$(id).closest("[data-view]").hidden;

// Draw a view if it is shown: `make(width)` builds its figure for the width it has.
function draw(id, make) {
  if (!shown(id)) return;
  const width = $(id).clientWidth;
  const figure = make(width);
  Plotly.newPlot($(id), figure.data, { ...figure.layout, width }, PLOT_CONFIG);
  if (figure.labels) placeLabels($(id), figure, width);
}

const input = decodeTensor(answer.input.maps);
const output = decodeTensor(answer.output.maps);
const names = answer.input.channel_names;
const selected = { row: request.explain_channel, col: 0 };
const grid = (tensor, labels, figureWidth, chosen) =>
  gridFigure(channelGrid(tensor, labels, { shared: false, figureWidth, selected: chosen }), figureWidth);
draw("input-grid", (width) => grid(input, names, width, -1));
draw("output-grid", (width) => grid(output, outputNames(cout), width, selected.row));
const weights = weightsFigure(answer.weight.values, answer.bias.values, names, selected);
draw("weights-plot", () => weights);
draw("sum-plot", (width) => sumFigure(answer.explain, input, names, output, request.activation, width));
draw("graph-plot", (width) => graphFigure(answer.weight.values, names, null, width));
if (cout === 3) draw("rgb-plot", () => rgbFigure(output));
renderProbe($("probe"), answer.probe, answer.weight.values, answer.bias.values, names, request.activation, selected, selected.row);
$("probe-caption").textContent = probeCaption(answer.probe);
$("sum-caption").textContent = sumCaption(answer.explain, request.activation);
$("cost").textContent = costLine(answer);
$("w-min").textContent = fmt(-weights.limit, 2);
$("w-max").textContent = fmt(weights.limit, 2);
for (const bar of document.querySelectorAll(".diverging")) bar.style.background = cssGradient(DIVERGING);
document.body.dataset.ready = "1";
