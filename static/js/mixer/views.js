// Data → figures for the Mixer's views. No DOM wiring here: page.js owns the page. `text` is the
// "script" part of mixer.<lang>.json, in the page's language; channel names arrive as shown.
import { COLOURS, GRAPH_EDGES, GRID_HEIGHT } from "../shared/config.js";
import { columnsFor, composeTiles, gridFigure } from "../shared/grid.js";
import { channelRanges, fmt, font, group, marking, mergeRanges, rangeOf, rgbImage, robustLimit, signed } from "../shared/plots.js";
import { fill } from "../shared/text.js";
import { outputNames } from "../shared/weights-view.js";

const SUM_HEIGHT = 520; // the weighted sum's row of maps on a page: at most this tall

// One tile per channel of a (C, H, W) tensor; `shared` gives every tile the range of them all.
export function channelGrid(tensor, labels, { shared, figureWidth, figureHeight, selected = -1 }) {
  const [channels, height, width] = tensor.shape;
  const plane = height * width;
  const ranges = channelRanges(tensor);
  const tiles = labels.map((label, c) => {
    const values = tensor.values.subarray(c * plane, (c + 1) * plane);
    return { values, range: ranges[c], label: [label] };
  });
  if (shared) {
    const range = mergeRanges(tiles.map((t) => t.range));
    tiles.forEach((t) => (t.range = range));
  }
  const cols = columnsFor(channels);
  return composeTiles(tiles, { height, width, cols, figureWidth, figureHeight, maxHeight: GRID_HEIGHT, selected });
}

// Y[n] = f(Σ_c W[n, c]·X[c] + b[n]) as a row of maps on one shared, zero-centred scale.
// The contribution maps W[n, c]·X[c] are drawn from the input the page already has (the API's
// explain.sum and max_abs_error carry the exact check), so an edit does not fetch them again.
export function sumFigure(explain, input, inputNames, output, activation, figureWidth, figureHeight = null) {
  const { grid, scale } = sumGrid(explain, input, inputNames, output, activation, figureWidth, figureHeight);
  return { ...gridFigure(grid, figureWidth, figureHeight ?? SUM_HEIGHT, !figureHeight), scale, grid };
}

// The weighted sum's row of maps composed into one image, and the A of its scale.
export function sumGrid(explain, input, inputNames, output, activation, figureWidth, figureHeight = null) {
  const [channels, height, width] = input.shape;
  const plane = height * width;
  const n = explain.channel;
  const inputRanges = channelRanges(input);
  const tiles = [];
  const extremes = [];
  for (let c = 0; c < channels; c++) {
    const factor = explain.weights[c];
    const values = input.values.subarray(c * plane, (c + 1) * plane);
    tiles.push({ values, factor, label: [`${signed(factor)} ×`, inputNames[c]] });
    extremes.push(Math.abs(factor) * Math.max(...inputRanges[c].map(Math.abs)));
  }
  tiles.push({ values: new Float32Array(plane).fill(explain.bias), label: ["+ b", fmt(explain.bias, 2)] });
  tiles.push({
    values: output.values.subarray(n * plane, (n + 1) * plane),
    label: activation === "relu" ? ["= ReLU(Σ)", `y${n}`] : ["=", `y${n}`],
  });
  extremes.push(Math.abs(explain.bias), ...channelRanges(output)[n].map(Math.abs));
  const symmetric = Math.max(...extremes) || 1;
  tiles.forEach((t) => (t.range = [-symmetric, symmetric]));
  const cols = Math.min(tiles.length, 12);
  const grid = composeTiles(tiles, { height, width, cols, figureWidth, figureHeight, maxHeight: SUM_HEIGHT });
  return { grid, scale: symmetric };
}

const GRAPH_MARGIN = { l: 120, r: 50, t: 10, b: 10 };
const GRAPH_RANGE = [-0.05, 1.05];

// The edges of the mixing graph drawn on a canvas the size of the plot area: one line per weight is
// hundreds of SVG paths, which Plotly would lay out again on every edit.
// Only the `strongest` edges by |w| are drawn (strongest last, so on top), then every edge of the
// `selected` output channel, then the hovered one's (`highlight`) in the highlight colour.
// `nodes` (the drag path, where the canvas lies over the figure) draws the nodes on top too.
function edgesCanvas(weight, yIn, yOut, { highlight, selected, strongest }, width, height, nodes = false) {
  const ratio = window.devicePixelRatio || 1;
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(width * ratio));
  canvas.height = Math.max(1, Math.round(height * ratio));
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff"; // JPEG has no transparency
  context.fillRect(0, 0, canvas.width, canvas.height);
  const span = GRAPH_RANGE[1] - GRAPH_RANGE[0];
  const px = (x) => ((x - GRAPH_RANGE[0]) / span) * canvas.width;
  const py = (y) => ((GRAPH_RANGE[1] - y) / span) * canvas.height;
  const { limit } = robustLimit(weight.flat()); // an outlier gets the widest line, not all the width
  const dashes = marking() ? [4 * ratio, 3 * ratio] : [];
  const line = (c, n, colour, lineWidth, negative = false) => {
    context.strokeStyle = colour;
    context.lineWidth = lineWidth * ratio;
    context.setLineDash(negative ? dashes : []); // with Marks on, negative edges are dashed
    context.beginPath();
    context.moveTo(px(0), py(yIn[c]));
    context.lineTo(px(1), py(yOut[n]));
    context.stroke();
  };
  const edge = ([c, n, w]) =>
    line(c, n, w > 0 ? COLOURS.positive : COLOURS.negative, 0.5 + 5 * Math.min(1, Math.abs(w) / limit), w < 0);
  const edges = weight.flatMap((row, n) => row.map((w, c) => [c, n, w])).filter(([, , w]) => w);
  edges.sort((a, b) => Math.abs(a[2]) - Math.abs(b[2]));
  context.globalAlpha = highlight === null ? 0.55 : 0.15;
  edges.slice(-strongest).forEach(edge);
  if (selected !== null && edges.length > strongest) {
    context.globalAlpha = highlight === null ? 0.9 : 0.3;
    weight[selected].forEach((w, c) => w && edge([c, selected, w]));
  }
  if (highlight !== null) {
    context.globalAlpha = 1;
    weight[highlight].forEach((_, c) => line(c, highlight, COLOURS.highlight, 3));
  }
  if (nodes) {
    context.globalAlpha = 1;
    context.fillStyle = COLOURS.node;
    for (const [x, ys] of [[0, yIn], [1, yOut]]) {
      for (const y of ys) {
        context.beginPath();
        context.arc(px(x), py(y), 6 * ratio, 0, 2 * Math.PI); // Plotly's markers: size 12
        context.fill();
      }
    }
  }
  return canvas;
}

const nodePositions = (count) => Array.from({ length: count }, (_, i) => (count === 1 ? 0.5 : 1 - i / (count - 1)));

function graphHeight(fixedHeight, cin, cout) {
  return fixedHeight ?? Math.max(300, 18 * Math.max(cin, cout));
}

// The drag path's graph: the edges and nodes as one canvas over the plot area, `area` its data
// coordinates [x0, x1, y0, y1].
export function graphCanvas(weight, cin, figureWidth, { height: fixedHeight, selected, strongest } = {}) {
  const cout = weight.length;
  const height = graphHeight(fixedHeight, cin, cout);
  const { l, r, t, b } = GRAPH_MARGIN;
  const edges = { highlight: null, selected: selected ?? null, strongest: strongest ?? GRAPH_EDGES };
  const canvas = edgesCanvas(weight, nodePositions(cin), nodePositions(cout), edges, figureWidth - l - r, height - t - b, true);
  return { canvas, area: [...GRAPH_RANGE, ...GRAPH_RANGE] };
}

// Cin nodes on the left, Cout on the right; one edge per weight, width by |w|, colour by sign. A
// large W (Cout = 64) shows its `strongest` edges (GRAPH_EDGES unless the page's control says), and
// output `selected`'s own on top.
export function graphFigure(weight, inputNames, highlight, figureWidth, { height: fixedHeight, selected, strongest } = {}) {
  const cout = weight.length;
  const cin = inputNames.length;
  const yIn = nodePositions(cin);
  const yOut = nodePositions(cout);
  const height = graphHeight(fixedHeight, cin, cout);
  const { l, r, t, b } = GRAPH_MARGIN;
  const edges = { highlight, selected: selected ?? null, strongest: strongest ?? GRAPH_EDGES };
  const canvas = edgesCanvas(weight, yIn, yOut, edges, figureWidth - l - r, height - t - b);
  const source = canvas.toDataURL("image/jpeg", 0.92); // a third of the time PNG takes for many lines
  const [x0, x1] = GRAPH_RANGE;
  const nodes = (x, y, hover) => ({
    type: "scatter",
    mode: "markers",
    x: y.map(() => x),
    y,
    hovertext: hover,
    hoverinfo: "text",
    marker: { size: 12, color: COLOURS.node },
    cliponaxis: false,
  });
  const hoverOut = weight.map((row, n) => `y${n} = ` + row.map((w, c) => `${fmt(w, 2)}·${inputNames[c]}`).join(" + "));
  return {
    data: [nodes(0, yIn, inputNames), nodes(1, yOut, hoverOut)],
    layout: {
      height,
      margin: GRAPH_MARGIN,
      xaxis: { visible: false, range: GRAPH_RANGE, fixedrange: true },
      yaxis: { visible: false, range: GRAPH_RANGE, fixedrange: true },
      images: [{ source, xref: "x", yref: "y", x: x0, y: x1, sizex: x1 - x0, sizey: x1 - x0, sizing: "stretch", layer: "below" }],
      showlegend: false,
      hovermode: "closest",
      font: font(),
      paper_bgcolor: "rgba(0,0,0,0)",
    },
    labels: [
      ...inputNames.map((text, c) => ({ text, x: 0, y: yIn[c], dx: -12, anchor: "end" })),
      ...outputNames(cout).map((text, n) => ({ text, x: 1, y: yOut[n], dx: 12, anchor: "start" })),
    ],
  };
}

// Y with Cout = 3 as one image. Values that are never negative are drawn as they are, above 1
// clipped (sepia's bright tones). Signed values (PCA's centred outputs, a random mix) would lose
// every negative value to black: each channel is then stretched from its own [min, max] to [0, 1],
// and the figure says so.
export function rgbFigure(tensor, text) {
  const [, height, width] = tensor.shape;
  const plane = height * width;
  const ranges = [0, 1, 2].map((c) => rangeOf(tensor.values, c * plane, plane));
  const inside = ranges.every(([low]) => low >= 0);
  const shown = tensor.values.map((v, i) => {
    const [low, high] = ranges[Math.floor(i / plane)];
    if (inside) return Math.min(1, v);
    return high > low ? (v - low) / (high - low) : 0.5;
  });
  const stretched = { text: text.rgb_stretched, showarrow: false, font: font() };
  const note = inside ? [] : [{ ...stretched, x: 0, y: 1, xref: "paper", yref: "paper", xanchor: "left", yanchor: "bottom" }];
  return {
    data: [{ type: "image", source: rgbImage(shown, height, width), hoverinfo: "none" }],
    layout: {
      height: 300,
      annotations: note,
      margin: { l: 4, r: 4, t: inside ? 4 : 28, b: 4 },
      xaxis: { visible: false, fixedrange: true },
      yaxis: { visible: false, fixedrange: true, scaleanchor: "x" },
      dragmode: false,
      paper_bgcolor: "rgba(0,0,0,0)",
    },
  };
}

// ---- the captions -----------------------------------------------------------------------------

export function costLine(answer, text) {
  const [cin, h, w] = answer.input.shape;
  const cout = answer.weight.shape[0];
  const [parameters, macs] = [group(answer.cost.parameters), group(answer.cost.multiply_adds)];
  return fill(text.cost, { cin, cout, h, w, parameters, macs });
}

// The check is against a real convolution of the same channel (F.conv2d on the server), after f.
export function sumCaption(explain, activation, text) {
  const n = explain.channel;
  const [open, close] = activation === "relu" ? ["ReLU(", ")"] : ["", ""];
  const check = activation === "relu" ? "max |ReLU(Σ) − conv2d|" : "max |Σ − conv2d|";
  const formula = `y${n} = ${open}Σ W[${n}, c]·X[c] + b[${n}]${close}`;
  return fill(text.sum_caption, { n, formula, check, error: explain.max_abs_error.toExponential(1) });
}

export function probeCaption(probe, text) {
  return probe ? fill(text.probe_caption, probe) : text.probe_empty;
}
