// The Learn page in an exported file: every figure drawn from the runs recorded inside it, again
// when Large type changes.
import { decodeTensor } from "../shared/api.js";
import { PLOT_CONFIG } from "../shared/config.js";
import { describe } from "../shared/describe.js";
import { autoencoderViews, compareFigure, compareText, reductionViews, trainingViews } from "./views.js";
import { fill } from "../shared/text.js";
import { placeLabels } from "../shared/labels.js";
import { largeTypeBox } from "../shared/export-chrome.js";

const $ = (id) => document.getElementById(id);
const data = JSON.parse($("pointwise-data").textContent);
const text = data.text;
const width = (id) => $(id).clientWidth || 400;

function draw(id, figure) {
  Plotly.newPlot($(id), figure.data, { ...figure.layout, width: width(id) }, PLOT_CONFIG);
  if (figure.labels) placeLabels($(id), figure, width(id));
}

function show({ figures, readouts, descriptions }) {
  for (const [id, figure] of Object.entries(figures)) draw(id, figure);
  for (const [id, value] of Object.entries(readouts)) if ($(id)) $(id).textContent = value;
  for (const [id, value] of Object.entries(descriptions)) describe($(id), value);
}

const run = data.learn;
const start = { ...run.start, input: decodeTensor(run.start.input), target: decodeTensor(run.start.target) };
const ids = ["loss-plot", "weights-plot", "target-weights-plot", "output-plot", "target-plot"];
const reductionIds = ["pca-plot", "original-plot", "reduced-plot", "reconstruction-plot"];
const auto = data.autoencoder;
const widthsOf = (list) => Object.fromEntries(list.map((id) => [id, width(id)]));

function drawAll() {
  show(trainingViews({ start, latest: run.done, history: run.history, done: run.done }, text, widthsOf(ids), run.done.step));
  if (data.compare) {
    const names = [text.views.one_layer, fill(text.views.two_layers, { hidden: data.compare[1].start.layers[0].weight.length })];
    const runs = data.compare.map((r, k) => ({ name: names[k], history: r.history }));
    const floor = data.compare[0].start.least_squares.loss;
    draw("compare-plot", compareFigure(runs, floor, text, width("compare-plot"), data.compare[0].done.step));
    describe($("compare-plot"), compareText(runs, floor, text, data.compare[0].done.step));
  }
  show(reductionViews(data.reduce, text, widthsOf(reductionIds)));
  show(autoencoderViews(auto.history, auto.done, auto.start.pca, text, width("autoencoder-plot"), auto.done.step));
}

drawAll();
largeTypeBox(drawAll);
document.body.dataset.ready = "1";
