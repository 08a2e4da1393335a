// One cost panel drawn from its view (cost-views.js): its figures, its arithmetic and its verdict,
// in the language of the words the view was made with (view.text).
// The page redraws panels as their controls move; its export draws each once.
import { PLOT_CONFIG } from "./config.js";
import { arithmeticTable } from "./cost-views.js";
import { fitHeight } from "./fit.js";

// The verdict first: in an embed each chart takes the height the panel's text leaves it (fit.js).
export function showPanel(name, view) {
  document.getElementById(`${name}-arithmetic`).replaceChildren(arithmeticTable(view.designs, view.text));
  document.getElementById(`${name}-verdict`).textContent = view.verdict;
  for (const [id, figure] of Object.entries(view.figures)) {
    const element = document.getElementById(id);
    const height = fitHeight(element);
    const layout = height ? { ...figure.layout, height } : figure.layout;
    Plotly.react(element, figure.data, layout, PLOT_CONFIG);
  }
}
