// Data → figures for the Learn page and its export. No DOM wiring here: page.js owns the page.
import { decodeTensor } from "../shared/api.js";
import { COLOURS, SEQUENTIAL } from "../shared/config.js";
import { weightsFigure } from "../shared/weights-view.js";
import { columnsWithin, composeWithin, gridFigure } from "../shared/grid.js";
import { channelRanges, fmt, font, robustLimit, twoLines } from "../shared/plots.js";
import { curveText, linesText, mapsText, weightsText } from "./describe.js";
import { channelName, fill } from "../shared/text.js";

// A log axis has no zero: a loss that is zero in exact arithmetic (an exact target's least
// squares, about 1e-16) is drawn at this floor, where float32 training cannot reach anyway.
const LOG_FLOOR = 1e-9;
const CURVE_COLOURS = [COLOURS.negative, COLOURS.highlight, COLOURS.node];
const LINE_COLOURS = [COLOURS.positive, "#6a1b9a"];
const MAPS_HEIGHT = 340; // a grid of maps on the page, at most (Large type: as tall as it needs)

// Every how many decades a log axis `plotHeight` pixels tall names one, so that its labels (10⁻⁹ …
// 1, two lines of type each at most) never touch.
export function decadeStep(values, plotHeight, fontSize) {
  const logs = values.filter((v) => v > 0).map(Math.log10);
  const decades = Math.ceil(Math.max(...logs)) - Math.floor(Math.min(...logs));
  const room = Math.max(1, Math.floor(plotHeight / (2 * fontSize)));
  return Math.max(1, Math.ceil(decades / room));
}

// Loss curves on a log scale: series [{name, steps, losses}], reference lines [{name, value}]
// (the least-squares loss, the PCA bound) drawn across the whole range of steps. As tall as the
// type asks for (Large type: 414 px) or as its frame's cell (`fitted`), its margins grown to fit its labels.
export function lossFigure(series, lines, text, width, lastStep, fitted = null) {
  const data = series.map((s, k) => ({
    type: "scatter",
    mode: "lines",
    name: s.name,
    x: s.steps,
    y: s.losses.map((v) => Math.max(v, LOG_FLOOR)),
    line: { color: CURVE_COLOURS[k % CURVE_COLOURS.length], width: 2 },
    hovertemplate: `${s.name}<br>${text.step_axis} %{x}: %{y:.3e}<extra></extra>`,
  }));
  lines.forEach((line, k) => {
    data.push({
      type: "scatter",
      mode: "lines",
      name: line.name,
      x: [0, lastStep],
      y: [Math.max(line.value, LOG_FLOOR), Math.max(line.value, LOG_FLOOR)],
      line: { color: LINE_COLOURS[k % LINE_COLOURS.length], width: 2, dash: "dash" },
      customdata: [line.value, line.value],
      hovertemplate: `${line.name}: %{customdata:.3e}<extra></extra>`,
    });
  });
  const f = font();
  const height = fitted ?? Math.round(23 * f.size);
  const plotHeight = height - 7 * f.size; // less the legend, the step axis and its title
  const dtick = decadeStep(data.flatMap((trace) => trace.y), plotHeight, f.size);
  return {
    data,
    layout: {
      width,
      height,
      font: f,
      margin: { l: 60, r: 10, t: 10, b: 40 },
      xaxis: { title: { text: text.step_axis }, range: [0, lastStep], zeroline: false, automargin: true },
      // Plotly draws the power's exponent at 70 % of the ticks' size: as large as the figure's other text.
      yaxis: {
        title: { text: text.loss_axis },
        type: "log",
        exponentformat: "power",
        tickfont: { size: Math.round(f.size / 0.7) },
        dtick,
        automargin: true,
      },
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
      uirevision: "loss",
    },
  };
}

// Y = f(W·X + b) for each layer in turn, ReLU between layers, computed here from the input the
// page holds: the live output between progress events costs no request. X is {shape, values}.
export function forward(layers, input) {
  const [, height, width] = input.shape;
  const plane = height * width;
  let h = input.values;
  layers.forEach(({ weight, bias }, k) => {
    const out = new Float32Array(weight.length * plane);
    weight.forEach((row, n) => {
      const target = out.subarray(n * plane, (n + 1) * plane);
      target.fill(bias[n]);
      row.forEach((w, c) => {
        if (w === 0) return;
        const source = h.subarray(c * plane, (c + 1) * plane);
        for (let i = 0; i < plane; i++) target[i] += w * source[i];
      });
      if (k < layers.length - 1) for (let i = 0; i < plane; i++) target[i] = Math.max(0, target[i]);
    });
    h = out;
  });
  return { shape: [layers[layers.length - 1].weight.length, height, width], values: h };
}

// One tile per channel of a (C, H, W) tensor, coloured with `ranges` (another tensor's, so that
// an output and its target, or a reconstruction and its original, share colours); in a frame's cell
// `fitted` pixels tall, its tiles as large as the cell allows both ways.
export function mapsFigure(tensor, labels, figureWidth, { ranges = channelRanges(tensor), fitted = null } = {}) {
  const [channels, height, width] = tensor.shape;
  const plane = height * width;
  const tiles = labels.map((label, c) => ({
    values: tensor.values.subarray(c * plane, (c + 1) * plane),
    range: ranges[c],
    label: twoLines(label),
  }));
  const lines = Math.max(...tiles.map((tile) => tile.label.length)) + 1; // and each map's ±A
  const cols = columnsWithin(channels, height / width, figureWidth, MAPS_HEIGHT, lines);
  const grid = composeWithin(tiles, { height, width, cols, figureWidth, figureHeight: fitted }, MAPS_HEIGHT);
  return fitted ? gridFigure(grid, figureWidth, fitted, false) : gridFigure(grid, figureWidth, MAPS_HEIGHT);
}

export const outputLabels = (count, prefix = "y") => Array.from({ length: count }, (_, n) => `${prefix}${n}`);

// The PCA curve: explained variance per component (bars) and the relative error left at each R
// (line), with R marked.
export function pcaFigure(answer, rank, text, width, fitted = null) {
  const error = answer.relative_error;
  return {
    data: [
      {
        type: "bar",
        name: text.explained,
        x: answer.ranks,
        y: answer.explained_variance_ratio,
        marker: { color: SEQUENTIAL[1][1] },
        hovertemplate: `${text.explained}<br>R = %{x}: %{y:.4f}<extra></extra>`,
      },
      {
        type: "scatter",
        mode: "lines+markers",
        name: text.error,
        x: answer.ranks,
        y: error,
        line: { color: COLOURS.positive, width: 2 },
        hovertemplate: `${text.error}<br>R = %{x}: %{y:.4f}<extra></extra>`,
      },
    ],
    layout: {
      width,
      height: fitted ?? Math.round(23 * font().size),
      font: font(),
      margin: { l: 50, r: 10, t: 10, b: 45 },
      xaxis: { title: { text: text.rank_axis }, dtick: 1, automargin: true },
      yaxis: { range: [0, 1.02], rangemode: "tozero", automargin: true },
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
      shapes: [
        {
          type: "rect",
          xref: "x",
          yref: "paper",
          x0: rank - 0.5,
          x1: rank + 0.5,
          y0: 0,
          y1: 1,
          fillcolor: COLOURS.highlight,
          opacity: 0.18,
          line: { width: 0 },
        },
      ],
      uirevision: "pca",
    },
  };
}

export function pcaSummary(answer, rank, text) {
  const kept = answer.explained_variance_ratio.slice(0, rank).reduce((a, b) => a + b, 0);
  return fill(text.summary, {
    rank,
    explained: `${(100 * kept).toFixed(1)} %`,
    error: fmt(answer.relative_error[rank - 1], 4),
  });
}

// ‖[W b] − [W b]_LS‖ (Frobenius) of a one-layer model.
export function distance(weight, bias, optimum) {
  let sum = 0;
  weight.forEach((row, n) => {
    row.forEach((w, c) => (sum += (w - optimum.weight[n][c]) ** 2));
    sum += (bias[n] - optimum.bias[n]) ** 2;
  });
  return Math.sqrt(sum);
}

const layersOf = (event) => event.layers || [{ weight: event.weight, bias: event.bias }];

// W and b as the Mixer draws them, tall enough for its colour bar's three numbers however few rows
// it has (one row alone would be a strip of some 30 px, its numbers on top of one another); in a
// frame, as tall as its cell.
function weightsView(weight, bias, names, options, fitted = null) {
  const figure = weightsFigure(weight, bias, names, null, options);
  const { height, margin, font: f } = figure.layout;
  const wanted = fitted ?? Math.max(height, Math.ceil(margin.t + margin.b + 4 * f.size));
  return wanted === height ? figure : weightsFigure(weight, bias, names, null, { ...options, height: wanted });
}

// Every figure of a training run at its latest event: {figures: {plot id: figure}, readouts: {id: text}}.
// `start` is the first progress event with its maps decoded, `done` the done event (or null while training).
// `heights`: in a frame, the height of each figure's cell (an embed of chosen views).
export function trainingViews({ start, latest, history, done }, text, widths, steps, heights = {}) {
  const V = text.views;
  const lines = start.least_squares ? [{ name: V.least_squares, value: start.least_squares.loss }] : [];
  const layers = layersOf(latest);
  const two = layers.length > 1;
  const output = done ? decodeTensor(done.output) : forward(layers, start.input);
  const labels = outputLabels(start.target.shape[0]);
  const ranges = channelRanges(start.target);
  const names = start.channel_names.map((name) => channelName(name, text.channels));
  const readouts = {
    "loss-readout": fill(V.readout, { step: latest.step, loss: fmt(latest.loss, 6) }),
    "weights-caption": two ? `${V.weights} (${V.layer} 1)` : V.weights,
    "distance-readout": "",
    "dependent-hint": "",
  };
  // The closed form fits T exactly yet is not W*: some channels are mixes of others (the bank's
  // luminance is 0.299 R + 0.587 G + 0.114 B), so many [W b] give the same output, and least squares
  // picks the [W b] of smallest norm.
  const optimum = start.least_squares;
  const exact = optimum.loss < 1e-9 && start.target_weight.length === optimum.weight.length;
  if (exact && distance(start.target_weight, start.target_bias, optimum) > 1e-3) readouts["dependent-hint"] = V.dependent;
  if (!two) {
    const d = distance(layers[0].weight, layers[0].bias, start.least_squares);
    const gap = latest.loss - start.least_squares.loss;
    readouts["distance-readout"] = `${fill(V.distance, { distance: fmt(d, 5) })}; ${fill(V.gap, { gap: fmt(gap, 3) })}`;
  }
  const D = text.describe;
  const rowNames = two ? outputLabels(layers[0].weight.length, "h") : undefined;
  const columns = [...names, V.bias];
  // The learned W and the target W* side by side, on one colour range: the same colour, the same value.
  const both = [layers[0].weight, [layers[0].bias], start.target_weight, [start.target_bias]].flat(2);
  const compared = { biasName: V.bias, scale: robustLimit(both) };
  return {
    figures: {
      "loss-plot": lossFigure([{ name: V.training, ...history }], lines, V, widths["loss-plot"], steps, heights["loss-plot"]),
      "weights-plot": weightsView(layers[0].weight, layers[0].bias, names, { ...compared, rowNames }, heights["weights-plot"]),
      "target-weights-plot": weightsView(start.target_weight, start.target_bias, names, compared, heights["target-weights-plot"]),
      "output-plot": mapsFigure(output, labels, widths["output-plot"], { ranges, fitted: heights["output-plot"] }),
      "target-plot": mapsFigure(start.target, labels, widths["target-plot"], { ranges, fitted: heights["target-plot"] }),
    },
    readouts,
    descriptions: {
      "loss-plot": curveText(D.training, latest, lines, steps, D),
      "weights-plot": weightsText(two ? D.first_layer : D.learned, layers[0].weight, rowNames ?? labels, columns, D),
      "target-weights-plot": weightsText(D.target_weights, start.target_weight, labels, columns, D),
      "output-plot": mapsText(D.output, output, labels, D),
      "target-plot": mapsText(D.target, start.target, labels, D),
    },
  };
}

// The comparison: one loss curve per run ([{name, history}]) and the least-squares line.
export function compareFigure(runs, floor, text, width, steps, fitted = null) {
  const V = text.views;
  const lines = floor === null ? [] : [{ name: V.least_squares, value: floor }];
  return lossFigure(
    runs.map((r) => ({ name: r.name, ...r.history })),
    lines,
    V,
    width,
    steps,
    fitted,
  );
}

export function compareText(runs, floor, text, steps) {
  const D = text.describe;
  const lines = floor === null ? [] : [{ name: text.views.least_squares, value: floor }];
  return fill(D.compare, { runs: runs.map((r) => r.name).join(D.separator), steps, lines: linesText(lines, D) });
}

// The reduction for one R: its curve and the three grids (original, reduced, reconstruction).
export function reductionViews(answer, text, widths, heights = {}) {
  const R = text.reduce;
  const rank = answer.rank;
  const original = decodeTensor(answer.input);
  const names = answer.channel_names.map((name) => channelName(name, text.channels));
  const ranges = channelRanges(original);
  const components = Array.from({ length: rank }, (_, k) => fill(R.component, { k: k + 1 }));
  const reduced = decodeTensor(answer.reduced);
  const reconstruction = decodeTensor(answer.reconstruction);
  const D = text.describe;
  return {
    figures: {
      "pca-plot": pcaFigure(answer, rank, R, widths["pca-plot"], heights["pca-plot"]),
      "original-plot": mapsFigure(original, names, widths["original-plot"], { ranges, fitted: heights["original-plot"] }),
      "reduced-plot": mapsFigure(reduced, components, widths["reduced-plot"], { fitted: heights["reduced-plot"] }),
      "reconstruction-plot": mapsFigure(reconstruction, names, widths["reconstruction-plot"], { ranges, fitted: heights["reconstruction-plot"] }),
    },
    readouts: {
      "pca-said": answer.standardised ? R.standardised : R.not_standardised,
      "pca-readout": pcaSummary(answer, rank, R),
    },
    descriptions: {
      "pca-plot": fill(D.pca, { cin: answer.ranks.length, rank, summary: pcaSummary(answer, rank, R) }),
      "original-plot": mapsText(D.original, original, names, D),
      "reduced-plot": mapsText(D.reduced, reduced, components, D),
      "reconstruction-plot": mapsText(D.reconstruction, reconstruction, names, D),
    },
  };
}

// The autoencoder's loss curve against the PCA bound, and its readout.
export function autoencoderViews(history, latest, bound, text, width, steps, fitted = null) {
  const name = fill(text.reduce.pca_line, { rank: bound.rank });
  const series = [{ name: text.reduce.autoencoder_loss, ...history }];
  const lines = [{ name, value: bound.loss }];
  const readout = `${fill(text.views.readout, { step: latest.step, loss: fmt(latest.loss, 6) })}; ${name}: ${fmt(bound.loss, 6)}`;
  return {
    figures: { "autoencoder-plot": lossFigure(series, lines, text.views, width, steps, fitted) },
    readouts: { "autoencoder-readout": readout },
    descriptions: { "autoencoder-plot": curveText(text.describe.autoencoder, latest, lines, steps, text.describe) },
  };
}
