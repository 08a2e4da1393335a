// The cost explorer's panels in an exported file: drawn once from the data inside the file.
import { PLOT_CONFIG } from "./config.js";
import { PANEL_VIEWS, arithmeticTable } from "./cost-views.js";

const $ = (id) => document.getElementById(id);
const { panels } = JSON.parse($("pointwise-data").textContent);

for (const [name, data] of Object.entries(panels)) {
  const view = PANEL_VIEWS[name](data);
  for (const [id, figure] of Object.entries(view.figures)) Plotly.newPlot($(id), figure.data, figure.layout, PLOT_CONFIG);
  $(`${name}-arithmetic`).replaceChildren(arithmeticTable(view.designs));
  $(`${name}-verdict`).textContent = view.verdict;
}
document.body.dataset.ready = "1";
