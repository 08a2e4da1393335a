// One cost panel drawn from its view (views.js): its figures, its arithmetic and its verdict,
// in the language of the words the view was made with (view.text).
// The page redraws panels as their controls move; its export draws each once.
import { PLOT_CONFIG } from "../shared/config.js";
import { layerName } from "./figures.js";
import { fitHeight } from "../shared/fit.js";
import { group } from "../shared/plots.js";
import { describe } from "../shared/describe.js";
import { fill, translate } from "../shared/text.js";

const NARROW = 560; // CSS pixels under which a pair of charts is stacked

// The verdict first: in an embed each chart takes the height the panel's text leaves it (shared/fit.js).
export function showPanel(name, view) {
  document.getElementById(`${name}-arithmetic`).replaceChildren(arithmeticTable(view.designs, view.text));
  document.getElementById(`${name}-verdict`).textContent = view.verdict;
  for (const [id, figure] of Object.entries(view.figures)) {
    const element = document.getElementById(id);
    let layout = figure.layout;
    // Too narrow for two charts side by side (a phone): one above the other, each at full width.
    // Its bars then narrow: totals in short form (218.4M), names upright so that none collide.
    if (layout.grid?.columns === 2 && element.clientWidth < NARROW) {
      layout = { ...layout, grid: { ...layout.grid, rows: 2, columns: 1, ygap: 0.35 }, height: 1.8 * layout.height };
      const short = new Intl.NumberFormat(document.documentElement.lang, { notation: "compact", maximumFractionDigits: 1 });
      const annotations = layout.annotations?.map((a) => (a.total === undefined ? a : { ...a, text: `<b>${short.format(a.total)}</b>` }));
      const upright = { tickangle: -90, automargin: true };
      layout = { ...layout, annotations, xaxis: { ...layout.xaxis, ...upright }, xaxis2: { ...layout.xaxis2, ...upright } };
    }
    const height = fitHeight(element);
    if (height) layout = { ...layout, height };
    Plotly.react(element, figure.data, layout, PLOT_CONFIG);
    describe(element, fill(view.text.describe, { verdict: view.verdict }));
  }
}

// The arithmetic: one row per layer, each count written as a product of its factors.
function arithmeticTable(designs, text) {
  const words = text.table;
  const table = document.createElement("table");
  const head = table.insertRow();
  for (const word of [words.design, words.layer, words.parameters, words.multiply_adds]) head.append(cell("th", word));
  for (const { label, block } of designs) {
    block.layers.forEach((layer, i) => {
      const row = table.insertRow();
      row.append(cell("th", i === 0 ? label.replace("<br>", " ") : ""), cell("td", layerName(layer, text)));
      row.append(cell("td", layer.formula.parameters), cell("td", translate(layer.formula.multiply_adds, text.terms)));
    });
    const total = table.insertRow();
    total.className = "total";
    total.append(cell("th", ""), cell("td", words.total));
    total.append(cell("td", group(block.parameters)), cell("td", group(block.multiply_adds)));
  }
  return table;
}

function cell(tag, text) {
  const node = document.createElement(tag);
  node.textContent = text;
  return node;
}
