// The Mixer's maps and mixing graph as controls: hover a map for its value, click it (or use the
// arrow keys on it) to probe a pixel — on Y, also to explain that channel —, hover an output of the
// graph for its edges. `changed(push)` says the state moved (push: a new history entry).
import { fitHeight } from "../shared/fit.js";
import { pixelAt, stepProbe, wireMap } from "./map-keys.js";
import { drawPlot, graphEdges } from "./render.js";
import { graphFigure } from "./views.js";
import { fmt } from "../shared/plots.js";
import { fill } from "../shared/text.js";

export function wireGrids(views, page, { text, changed }) {
  for (const [plot, which, readout] of [
    [views.inputGrid, "input", document.getElementById("input-readout")],
    [views.outputGrid, "output", document.getElementById("output-readout")],
  ]) {
    const gridOf = () => page.drawn.grids?.[which];
    plot.on("plotly_hover", (event) => {
      const h = pixelAt(gridOf(), event);
      if (!h) return;
      const tensor = page.last[which];
      const [, height, width] = tensor.shape;
      const value = tensor.values[h.tile * height * width + h.row * width + h.col];
      const name = which === "input" ? page.last.names[h.tile] : `y${h.tile}`;
      readout.textContent = fill(text.readout, { name, row: h.row, col: h.col, value: fmt(value) });
    });
    wireMap(plot, gridOf, text.map_keys, {
      onPixel(h) {
        Object.assign(page.state, { pr: h.row, pc: h.col });
        if (which === "output") page.state.ch = h.tile;
        changed(true);
      },
      onMove(move) {
        if (!page.last) return;
        const { pr, pc } = page.state;
        const probe = Number.isInteger(pr) ? { row: pr, col: pc } : null;
        const { row, col } = stepProbe(probe, move, page.last.input.shape.slice(1));
        Object.assign(page.state, { pr: row, pc: col });
        changed(false); // one history entry per walk, not per key
      },
    });
  }
  const graph = (highlight) => {
    if (!page.last) return;
    const width = page.drawn.widths.graph;
    const { weight } = page.last.answer;
    const edges = { height: fitHeight(views.graph), selected: page.state.ch, strongest: graphEdges(views, weight.shape) };
    const figure = graphFigure(weight.values, page.last.names, highlight, width, edges);
    drawPlot(views.graph, figure, width);
  };
  views.graph.on("plotly_hover", (event) => event.points[0].x === 1 && graph(event.points[0].pointIndex));
  views.graph.on("plotly_unhover", () => graph(null));
  views.graphEdges.addEventListener("input", () => graph(null));
}
