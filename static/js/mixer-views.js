// Data → figures for the Mixer's views. No DOM wiring here: mixer.js owns the page. `text` is the
// "script" part of mixer.<lang>.json, in the page's language; channel names arrive as shown.
import { COLOURS, DIVERGING, FONT, GRAPH_EDGES, GRID_HEIGHT, TEXT_IN_CELLS_UP_TO } from "./config.js";

const SUM_HEIGHT = 520; // the weighted sum's row of maps on a page: at most this tall
import {
  channelRanges,
  colourBar,
  columnsFor,
  composeTiles,
  fmt,
  font,
  gridFigure,
  group,
  marking,
  mergeRanges,
  rangeOf,
  rgbImage,
  robustLimit,
  signed,
  twoLines,
} from "./plots.js";
import { fill } from "./text.js";

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

const outputName = (n) => `y${n}`;
export const outputNames = (count) => Array.from({ length: count }, (_, n) => outputName(n));

// W (Cout × Cin) with b as an extra column (named `biasName`), on a diverging scale centred on zero.
// Rows are named y0, y1, … unless `rowNames` says otherwise (a hidden layer's h0, h1, …).
// `width` (CSS pixels), where known, leaves the numbers out of cells too narrow for them; `height`,
// in a frame, is the figure's height there (else it grows with the rows); `scale` ({limit, clipped}
// of robustLimit) puts matrices that are compared on one colour range.
export function weightsFigure(weight, bias, inputNames, selected, options = {}) {
  const { rowNames: names, biasName = "bias b", width = null, height: fitted = null, scale = null } = options;
  const rowNames = names ?? outputNames(weight.length);
  const columns = [...inputNames, biasName];
  const z = weight.map((row, n) => [...row, bias[n]]);
  const rows = z.length;
  const cells = rows * columns.length;
  // One weight typed far out of the others' range saturates its own cell, not the whole scale.
  const { limit, clipped } = scale ?? robustLimit(z.flat());
  const f = font();
  const grow = f.size / FONT.size;
  const height = fitted ?? Math.min(380 * grow, 110 * grow + 26 * grow * rows);
  // Room under the cells for the slanted column names: as much as the longest one needs.
  const [top, bottom] = [8, Math.min(100 * grow, 16 + 0.71 * labelWidth(columns, grow))];
  const plotHeight = height - top - bottom;
  // Too short for three ticks one above the other (a small frame): the ends alone, or "±limit" alone.
  const bar = colourBar(limit, clipped, f, plotHeight >= 4 * f.size, plotHeight >= 2.5 * f.size);
  // Room on the right for the colour bar: the HTML labels are placed from these margins, so Plotly
  // must not widen them on its own.
  const margin = { l: 44 * grow, r: colourBarRoom(bar, f), t: top, b: bottom, autoexpand: false };
  const cellWidth = width ? (width - margin.l - margin.r) / columns.length : Infinity;
  // A number in a cell: at most five characters ("−0.25") at the cells' type size, with some air
  // beside it and above it.
  const [wide, tall] = [cellWidth >= 0.62 * (f.size - 2) * 5 + 4, plotHeight / rows >= 1.3 * (f.size - 2)];
  const numbers = cells <= TEXT_IN_CELLS_UP_TO && wide && tall;
  const shapes = [
    {
      type: "line",
      x0: inputNames.length - 0.5,
      x1: inputNames.length - 0.5,
      y0: -0.5,
      y1: rows - 0.5,
      line: { color: "#000", width: 2 },
    },
  ];
  if (selected) {
    const { row, col } = selected;
    const line = { color: COLOURS.highlight, width: 4 };
    shapes.push({ type: "rect", x0: col - 0.5, x1: col + 0.5, y0: row - 0.5, y1: row + 0.5, line });
  }
  // Axis labels are HTML laid over the plot (see placeLabels): they do not change while W is
  // edited, and Plotly would measure every one of them again on each redraw.
  const labels = [
    ...columns.map((text, c) => ({ text, x: c, y: rows - 0.5, dy: 6, anchor: "end", angle: -45 })),
    ...rowNames.map((text, n) => ({ text, x: -0.5, y: n, dx: -6, anchor: "end" })),
  ];
  return {
    data: [
      {
        type: "heatmap",
        z,
        customdata: z.map((row, n) =>
          row.map((_, c) => (c < inputNames.length ? `W[${rowNames[n]}, ${columns[c]}]` : `b[${rowNames[n]}]`)),
        ),
        hovertemplate: "%{customdata} = %{z:.5f}<extra></extra>",
        colorscale: DIVERGING,
        zmin: -limit,
        zmax: limit,
        xgap: 1,
        ygap: 1,
        // The sign without colour: each value in its cell where they fit (else negativeMarks).
        text: z.map((row) => row.map(cellText)),
        texttemplate: numbers ? "%{text}" : "",
        textfont: { family: f.family, size: f.size - 2 }, // no colour: Plotly picks one that contrasts with the cell
        showscale: true,
        colorbar: bar,
      },
      ...(numbers ? [] : [negativeMarks(z, limit, height / rows)]),
    ],
    layout: {
      // Rows and the room for the slanted column names grow with the type (Large type, presenter mode).
      height,
      margin,
      xaxis: { visible: false, range: [-0.5, columns.length - 0.5], fixedrange: true },
      yaxis: { visible: false, range: [rows - 0.5, -0.5], fixedrange: true },
      shapes,
      font: f,
      paper_bgcolor: "rgba(0,0,0,0)",
    },
    labels,
    limit,
    clipped,
  };
}

// A weight as its cell shows it, in five characters at most: two decimals, or one digit and its
// exponent where two decimals would round it to 0 ("−2e−3", not "−0.00"); a real minus sign.
const cellText = (w) => (w === 0 || Math.abs(w) >= 0.005 ? w.toFixed(2) : w.toExponential(0)).replaceAll("-", "−");

// Where W is too large for its numbers, a dash in every negative cell, so the sign reads without
// colour: white on the darkest cells, dark on the others.
function negativeMarks(z, limit, cellPx) {
  const cells = z.flatMap((row, n) => row.map((w, c) => [c, n, w])).filter(([, , w]) => w < 0);
  return {
    type: "scatter",
    mode: "markers",
    x: cells.map(([c]) => c),
    y: cells.map(([, n]) => n),
    hoverinfo: "skip",
    showlegend: false,
    marker: {
      symbol: "line-ew",
      size: Math.max(3, Math.min(12, 0.6 * cellPx)),
      line: { width: 1.5, color: cells.map(([, , w]) => (-w / limit > 0.6 ? "#fff" : COLOURS.text)) },
    },
  };
}

// The width of the widest of `names` as the HTML labels draw them (0.8 rem; CJK characters a whole em).
function labelWidth(names, grow) {
  const em = 0.8 * 16 * grow;
  const width = (name) => [...name].reduce((sum, ch) => sum + (ch.codePointAt(0) >= 0x2e80 ? 1 : 0.62), 0);
  return em * Math.max(...names.map(width));
}

// The width a vertical colour bar takes with its tick labels, in pixels.
function colourBarRoom(bar, f) {
  const longest = Math.max(...bar.ticktext.map((tick) => tick.length));
  return Math.ceil(bar.thickness + bar.xpad + 0.62 * f.size * longest + 8);
}

// Y[n] = f(Σ_c W[n, c]·X[c] + b[n]) as a row of maps on one shared, zero-centred scale.
// The contribution maps W[n, c]·X[c] are drawn from the input the page already has (the API's
// explain.sum and max_abs_error carry the exact check), so an edit does not fetch them again.
export function sumFigure(explain, input, inputNames, output, activation, figureWidth, figureHeight = null) {
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
  return { ...gridFigure(grid, figureWidth, figureHeight ?? SUM_HEIGHT, !figureHeight), scale: symmetric };
}

const GRAPH_MARGIN = { l: 120, r: 50, t: 10, b: 10 };
const GRAPH_RANGE = [-0.05, 1.05];

// The edges of the mixing graph drawn on a canvas, as an image the size of the plot area: one line
// per weight is hundreds of SVG paths, which Plotly would lay out again on every edit.
// Only the `strongest` edges by |w| are drawn (strongest last, so on top), then every edge of the
// `selected` output channel, then the hovered one's (`highlight`) in the highlight colour.
function edgesImage(weight, yIn, yOut, { highlight, selected, strongest }, width, height) {
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
  return canvas.toDataURL("image/jpeg", 0.92); // a third of the time PNG takes for many lines
}

// Cin nodes on the left, Cout on the right; one edge per weight, width by |w|, colour by sign. A
// large W (Cout = 64) shows its `strongest` edges (GRAPH_EDGES unless the page's control says), and
// output `selected`'s own on top.
export function graphFigure(weight, inputNames, highlight, figureWidth, { height: fixedHeight, selected, strongest } = {}) {
  const cout = weight.length;
  const cin = inputNames.length;
  const ys = (count) => Array.from({ length: count }, (_, i) => (count === 1 ? 0.5 : 1 - i / (count - 1)));
  const yIn = ys(cin);
  const yOut = ys(cout);
  const height = fixedHeight ?? Math.max(300, 18 * Math.max(cin, cout));
  const { l, r, t, b } = GRAPH_MARGIN;
  const edges = { highlight, selected: selected ?? null, strongest: strongest ?? GRAPH_EDGES };
  const source = edgesImage(weight, yIn, yOut, edges, figureWidth - l - r, height - t - b);
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
