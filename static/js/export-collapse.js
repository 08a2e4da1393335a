// The non-linearity figure in an exported file: drawn once from the data inside the file.
import { collapseView } from "./collapse-views.js";
import { PLOT_CONFIG } from "./config.js";
import { placeLabels } from "./labels.js";

const $ = (id) => document.getElementById(id);
const data = JSON.parse($("pointwise-data").textContent);
const view = collapseView(data, { two: $("two-plot").clientWidth, one: $("one-plot").clientWidth }, data.text);
for (const [id, figure] of Object.entries(view.figures)) {
  Plotly.newPlot($(id), figure.data, { ...figure.layout, width: $(id).clientWidth }, PLOT_CONFIG);
  if (figure.labels) placeLabels($(id), figure, $(id).clientWidth);
}
$("collapse-verdict").textContent = view.verdict;
document.body.dataset.ready = "1";
