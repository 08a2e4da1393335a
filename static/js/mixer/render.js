// The Mixer's views drawn from one answer: the page (after every answer) and its export (once) both
// call renderMixer. Data → figures is views.js; this module puts them into the elements of
// templates/_mixer_views.html.
import { decodeTensor } from "../shared/api.js";
import { GRAPH_EDGES, PLOT_CONFIG } from "../shared/config.js";
import {
  channelGrid,
  costLine,
  graphCanvas,
  graphFigure,
  probeCaption,
  rgbFigure,
  sumCaption,
  sumFigure,
  sumGrid,
} from "./views.js";
import { outputNames, weightsFigure } from "../shared/weights-view.js";
import { gridFigure } from "../shared/grid.js";
import { channelRanges, fmt, font, marking, rangeOf, signed } from "../shared/plots.js";
import { describe } from "../shared/describe.js";
import { placeLabels } from "../shared/labels.js";
import { arrangeViews, fitHeight, fitting, shrinkToFit } from "../shared/fit.js";
import { cellsCanvas, markProbe, overlay } from "./overlay.js";
import { mixRow, probePixel } from "./local-mix.js";
import { renderProbe } from "./probe.js";
import { showInputColour } from "./input-colour.js";
import { channelName, fill } from "../shared/text.js";

const IDS = {
  inputGrid: "input-grid",
  outputGrid: "output-grid",
  weights: "weights-plot",
  sum: "sum-plot",
  graph: "graph-plot",
  rgb: "rgb-plot",
  rgbFigure: "rgb-figure",
  inputColour: "input-colour",
  probe: "probe",
  probeCaption: "probe-caption",
  sumCaption: "sum-caption",
  cost: "cost",
  graphEdges: "graph-edges",
  graphEdgesValue: "graph-edges-value",
};
// How many edges the mixing graph shows: its control (on the page), up to every weight.
export function graphEdges(dom, [cout, cin]) {
  if (!dom.graphEdges) return undefined;
  dom.graphEdges.max = String(cout * cin);
  dom.graphEdgesValue.textContent = `${Math.min(Number(dom.graphEdges.value), cout * cin)} / ${cout * cin}`;
  return Number(dom.graphEdges.value);
}

const PLOTS = ["inputGrid", "outputGrid", "weights", "sum", "graph", "rgb"];

// The elements renderMixer draws into (templates/_mixer_views.html), by role.
export function mixerElements(root = document) {
  return Object.fromEntries(Object.entries(IDS).map(([role, id]) => [role, root.getElementById(id)]));
}

export function drawPlot(element, figure, width, make = Plotly.react) {
  element.querySelector("canvas.live")?.remove(); // the figure is current again
  make(element, figure.data, { ...figure.layout, width }, PLOT_CONFIG);
  if (figure.labels) placeLabels(element, figure, width);
  if (figure.tiles) element.dataset.tiles = figure.tiles.join("|"); // what each tile shows, as text
}

// A view left out of the page (?view=…) or hidden (the RGB view when Cout ≠ 3) is not drawn.
const shown = (element) => !element.closest("[data-view]").matches("[hidden], .left-out");

// An answer with its maps decoded, and its channels' names as the page shows them (`channels`: the
// feature bank's names in the page's language). Maps the answer leaves out are the previous
// answer's: X after any request but a "full" one, and Y after a "row" one, with channel n replaced
// by f(explain.sum).
export function decodeAnswer(answer, previous, activation, channels) {
  const input = answer.input.maps ? decodeTensor(answer.input.maps) : previous.input;
  const output = answer.output.maps
    ? decodeTensor(answer.output.maps)
    : withRow(previous.output, answer.explain, activation);
  const names = answer.input.channel_names.map((name) => channelName(name, channels));
  return { answer, input, output, names };
}

// In place: the previous Y is not needed again. Only channel n's range is computed anew.
function withRow(output, explain, activation) {
  const sum = decodeTensor(explain.sum).values;
  const n = explain.channel;
  const row = output.values.subarray(n * sum.length, (n + 1) * sum.length);
  for (let i = 0; i < sum.length; i++) row[i] = activation === "relu" ? Math.max(0, sum[i]) : sum[i];
  const ranges = [...channelRanges(output)];
  ranges[n] = rangeOf(row);
  return { shape: output.shape, values: output.values, ranges };
}

const READABLE_PX = 14;

// What a grid of maps shows, for its text alternative: its shape, its channels' names, its colour range.
function mapFacts(tensor, names, grid, text) {
  const [c, h, w] = tensor.shape;
  const listed = names.length > 12 ? `${names[0]}, ${names[1]}, …, ${names.at(-1)}` : names.join(", ");
  const [low, high] = [fmt(-grid.limits[0], 2), fmt(grid.limits[0], 2)];
  const shared = grid.limits.every((m) => m === grid.limits[0]);
  const scale = shared ? fill(text.describe.shared_scale, { low, high }) : text.describe.own_scale;
  return { c, h, w, names: listed, scale };
}

// The weighted sum in words: "+0.17 × green + … + b (−0.08) = y0".
function sumText(explain, names, activation, limit, text) {
  const n = explain.channel;
  const terms = explain.weights.map((w, c) => `${signed(w)} × ${names[c]}`);
  const result = activation === "relu" ? `ReLU(Σ) = y${n}` : `y${n}`;
  const written = `${terms.join(" ")} ${signed(explain.bias)} (b) = ${result}`;
  return fill(text.describe.sum, { n, terms: written, low: fmt(-limit, 2), high: fmt(limit, 2) });
}

// A cross-hair on the probed pixel, in every tile.
function withMarker(figure, grid, probe) {
  if (!probe) return figure;
  const s = grid.scale;
  const [col, row, r] = [(probe.col + 0.5) * s - 0.5, (probe.row + 0.5) * s - 0.5, Math.max(3, 0.6 * s)];
  figure.layout.shapes = grid.origins.map(([x0, y0]) => ({
    type: "circle",
    x0: x0 + col - r,
    x1: x0 + col + r,
    y0: y0 + row - r,
    y1: y0 + row + r,
    line: { color: "#ff8f00", width: 2 },
  }));
  return figure;
}

// model: a decoded answer ({answer, input, output, names}) and how to show it:
//   activation ("none" | "relu"), channel (the explained n), probe ({row, col} of the marked pixel,
//   or null), shared (one colour range for every tile), selected ({row, col} of W outlined),
//   newInput (X changed since the last render), drawn (what the last render left: the grids, for
//   hit tests, the figures' widths and the input grid's key; renderMixer updates it), text (the
//   words: the "script" part of mixer.<lang>.json); row (only output rows changed: the drag path
//   may draw them) and, for a draw before the server's answer, mixLocally's localExplain and
//   localProbe. Says whether it drew on the drag path (canvases laid over figures).
export function renderMixer(dom, model) {
  const { answer, input, output, names, activation, channel, probe, shared, selected, drawn, text } = model;
  const [cout] = answer.weight.shape;
  const rgbWasHidden = dom.rgbFigure.hidden;
  dom.rgbFigure.hidden = cout !== 3;
  if (fitting && rgbWasHidden !== dom.rgbFigure.hidden) arrangeViews(); // the frame's cells anew
  // Every figure gets its container's width, read for all of them before any is redrawn (reading a
  // width after a redraw would make the browser lay the page out again, once per figure).
  const widths = Object.fromEntries(PLOTS.map((role) => [role, dom[role].clientWidth || 400]));
  // In an embed each figure is as tall as its share of the frame (shared/fit.js); elsewhere heights is all null.
  const heights = Object.fromEntries(PLOTS.map((role) => [role, fitHeight(dom[role])]));
  const inputKey = keyOfInput(model, widths, heights);
  const sameSizes = PLOTS.every((role) => widths[role] === drawn.widths?.[role]);
  if (model.row && !fitting && sameSizes && drawn.inputKey === inputKey && renderRow(dom, model)) return true;
  // A draw before the server's answer is for the drag path only: elsewhere the answer is awaited.
  if (model.localExplain) return false;
  drawn.widths = widths;
  drawn.grids ??= {};
  if (shown(dom.inputGrid) && (model.newInput || drawn.inputKey !== inputKey)) {
    const grid = channelGrid(input, names, { shared, figureWidth: widths.inputGrid, figureHeight: heights.inputGrid });
    drawn.grids.input = grid;
    drawn.inputKey = inputKey;
    const figure = gridFigure(grid, widths.inputGrid, heights.inputGrid ?? undefined, !heights.inputGrid);
    drawPlot(dom.inputGrid, withMarker(figure, grid, probe), widths.inputGrid);
    describe(dom.inputGrid, fill(text.describe.input, mapFacts(input, names, grid, text)));
    showInputColour(dom.inputColour, input, answer.input.channel_names);
  }
  if (shown(dom.outputGrid)) {
    const size = { figureWidth: widths.outputGrid, figureHeight: heights.outputGrid };
    const grid = channelGrid(output, outputNames(cout), { shared, ...size, selected: channel });
    drawn.grids.output = grid;
    const figure = gridFigure(grid, widths.outputGrid, heights.outputGrid ?? undefined, !heights.outputGrid);
    drawPlot(dom.outputGrid, withMarker(figure, grid, probe), widths.outputGrid);
    const facts = mapFacts(output, outputNames(cout), grid, text);
    describe(dom.outputGrid, fill(text.describe.output, { ...facts, cin: names.length, n: channel }));
  }
  // W and b's views change only with W, b, the selection and their size: a camera frame leaves them be.
  const display = [font().size, marking(), names.join()];
  const weightsKey = JSON.stringify([answer.weight.values, answer.bias.values, selected, widths.weights, heights.weights, display]);
  if (shown(dom.weights) && drawn.weightsKey !== weightsKey) {
    drawn.weightsKey = weightsKey;
    const weights = weightsFigure(answer.weight.values, answer.bias.values, names, selected, {
      biasName: text.bias,
      width: widths.weights,
      height: heights.weights,
    });
    drawn.weightsLimit = weights.limit;
    drawPlot(dom.weights, weights, widths.weights);
    const ticks = weights.data[0].colorbar.ticktext;
    const [low, high] = [ticks[0], ticks.at(-1)];
    const shape = { cout, cin: names.length, last: cout - 1, names: names.join(", "), low, high };
    describe(dom.weights, fill(text.describe.weights, shape));
  }
  const sum = () => sumFigure(answer.explain, input, names, output, activation, widths.sum, heights.sum);
  if (shown(dom.sum)) {
    const figure = sum();
    drawn.grids.sum = figure.grid;
    drawPlot(dom.sum, figure, widths.sum);
    describe(dom.sum, sumText(answer.explain, names, activation, figure.scale, text));
  }
  const edges = { height: heights.graph, selected: channel, strongest: graphEdges(dom, answer.weight.shape) };
  const graph = () => graphFigure(answer.weight.values, names, null, widths.graph, edges);
  const graphKey = JSON.stringify([answer.weight.values, channel, edges, widths.graph, display]);
  if (shown(dom.graph) && drawn.graphKey !== graphKey) {
    drawn.graphKey = graphKey;
    drawPlot(dom.graph, graph(), widths.graph);
    const total = answer.weight.values.flat().filter(Boolean).length;
    const counts = { cin: names.length, cout, total, shown: Math.min(total, edges.strongest ?? GRAPH_EDGES) };
    describe(dom.graph, fill(text.describe.graph, counts));
  }
  // A plot made while hidden has no size: make it anew once it can be seen.
  const make = rgbWasHidden ? Plotly.newPlot : Plotly.react;
  if (shown(dom.rgb)) {
    const rgb = rgbFigure(output, text);
    if (heights.rgb) rgb.layout.height = heights.rgb;
    drawPlot(dom.rgb, rgb, widths.rgb, make);
    describe(dom.rgb, fill(text.describe.rgb, { h: output.shape[1], w: output.shape[2] }));
  }
  // Text and tables last: Plotly measures the page as it draws, and every change before that would
  // have to be laid out again for it.
  const probeArgs = writeText(dom, model);
  dom.cost.textContent = costLine(answer, text);
  // In a frame too small for the whole W·x + b at a readable size, the explained output's row alone.
  // Alone in its frame, its text grows to fill it, up to twice the room's size.
  const largest = document.body.classList.contains("alone") ? 2 * font().size : null;
  // Its row laid across the frame or down it: whichever draws the numbers larger.
  if (shown(dom.probe) && shrinkToFit(dom.probe, 11, largest) < READABLE_PX) {
    const sizes = ["across", "down"].map((layout) => {
      renderProbe(...probeArgs, layout);
      return shrinkToFit(dom.probe, 11, largest);
    });
    if (sizes[0] >= sizes[1]) {
      renderProbe(...probeArgs, "across");
      shrinkToFit(dom.probe, 11, largest);
    }
  }
  // In a frame, the captions just written may have taken room from the plots: draw once more at
  // the heights they leave.
  const moved = PLOTS.some((role) => shown(dom[role]) && fitHeight(dom[role]) !== heights[role]);
  if (fitting && moved && !model.refit) renderMixer(dom, { ...model, newInput: true, refit: true });
  return false;
}

// The input grid changes only with the input, the colour scale, its width, the probed pixel or the
// display settings (type size, marks).
function keyOfInput({ shared, probe }, widths, heights) {
  return [shared, widths.inputGrid, heights.inputGrid, probe?.row, probe?.col, font().size, marking()].join();
}

// The probe's table and the captions; the arguments renderProbe was given. A local draw (mixLocally)
// keeps the server's captions until its answer comes.
function writeText(dom, model) {
  const { answer, names, activation, selected, channel, text } = model;
  const probe = model.localProbe ?? answer.probe;
  const args = [dom.probe, probe, answer.weight.values, answer.bias.values, names, activation, selected, channel, text];
  renderProbe(...args);
  if (!model.localExplain) {
    dom.probeCaption.textContent = probeCaption(answer.probe, text);
    dom.sumCaption.textContent = sumCaption(answer.explain, activation, text);
  }
  return args;
}

// The drag path's first draw: output rows `rows` of `last` (a decoded answer whose W and b hold the
// edits) computed anew in place from its X, and the explained channel n and the probed pixel as
// the server would explain them (without its check: the captions wait for the server's answer).
// Returns what renderMixer takes for them: {row, localExplain, localProbe}.
export function mixLocally(last, rows, activation, n, probe) {
  const { input, output, answer } = last;
  const mix = { input, output, weight: answer.weight.values, bias: answer.bias.values, activation };
  const plane = input.shape[1] * input.shape[2];
  const ranges = [...channelRanges(output)];
  for (const row of rows) ranges[row] = rangeOf(mixRow(mix, row, output.values.subarray(row * plane, (row + 1) * plane)));
  output.ranges = ranges;
  const localExplain = { channel: n, weights: [...mix.weight[n]], bias: mix.bias[n] };
  const localProbe = probe ? probePixel(mix, probe.row, probe.col) : null;
  return { row: true, localExplain, localProbe };
}

// ---- the drag path --------------------------------------------------------------------------
// After an edit of row n of W or of b[n] (model.row), only Y[n] and the figures drawn from W and
// Y[n] change, at the sizes last drawn. Plotly takes tens of milliseconds a figure to draw an image
// again, so each of these figures' new picture is drawn on a canvas laid over its plot area instead;
// the page asks renderMixer for the figures themselves once the edits stop (for hover texts and the
// toolbar's downloads), and drawPlot takes the canvas away. A grid whose size would change makes
// the whole page be drawn at once.
// Says false where the whole page has to be drawn again.
function renderRow(dom, model) {
  const { answer, input, output, names, activation, channel, probe, shared, drawn, text } = model;
  const { widths } = drawn;
  const cout = answer.weight.shape[0];
  const explain = model.localExplain ?? answer.explain;
  if (shown(dom.outputGrid)) {
    const size = { figureWidth: widths.outputGrid, figureHeight: null };
    const grid = channelGrid(output, outputNames(cout), { shared, ...size, selected: channel });
    const old = drawn.grids.output ?? {};
    if (grid.width !== old.width || grid.height !== old.height) return false;
    drawn.grids.output = grid;
    const scale = overlay(dom.outputGrid, grid.canvas, [-0.5, grid.width - 0.5, -0.5, grid.height - 0.5]);
    markProbe(grid, probe, scale);
    const facts = mapFacts(output, outputNames(cout), grid, text);
    describe(dom.outputGrid, fill(text.describe.output, { ...facts, cin: names.length, n: channel }));
  }
  const weights = weightsFigure(answer.weight.values, answer.bias.values, names, model.selected, {
    biasName: text.bias,
    width: widths.weights,
  });
  if (shown(dom.weights)) {
    const cells = cellsCanvas(dom.weights, weights, drawn.weightsLimit);
    overlay(dom.weights, cells, [-0.5, weights.data[0].z[0].length - 0.5, -0.5, cout - 0.5]);
  }
  if (shown(dom.sum)) {
    const { grid, scale } = sumGrid(explain, input, names, output, activation, widths.sum);
    const old = drawn.grids.sum ?? {};
    if (grid.width !== old.width || grid.height !== old.height) return false;
    drawn.grids.sum = grid;
    overlay(dom.sum, grid.canvas, [-0.5, grid.width - 0.5, -0.5, grid.height - 0.5]);
    describe(dom.sum, sumText(explain, names, activation, scale, text));
  }
  if (shown(dom.graph)) {
    const edges = { selected: channel, strongest: graphEdges(dom, answer.weight.shape) };
    const { canvas, area } = graphCanvas(answer.weight.values, names.length, widths.graph, edges);
    overlay(dom.graph, canvas, area);
  }
  if (shown(dom.rgb)) {
    const rgb = rgbFigure(output, text);
    drawPlot(dom.rgb, rgb, widths.rgb);
  }
  writeText(dom, model);
  return true;
}
