// One cost panel drawn from its view (cost-views.js): its figures, its arithmetic and its verdict,
// in the language of the words the view was made with (view.text).
// The page redraws panels as their controls move; its export draws each once.
import { PLOT_CONFIG } from "./config.js";
import { arithmeticTable } from "./cost-views.js";

export function showPanel(name, view) {
  for (const [id, figure] of Object.entries(view.figures)) {
    Plotly.react(document.getElementById(id), figure.data, figure.layout, PLOT_CONFIG);
  }
  document.getElementById(`${name}-arithmetic`).replaceChildren(arithmeticTable(view.designs, view.text));
  document.getElementById(`${name}-verdict`).textContent = view.verdict;
}
