// Two 1×1 layers without a non-linearity are one 1×1 layer: W = W2·W1, b = W2·b1 + b2.
// Data → figures, drawn by drawCollapse; page.js fetches the data, export.js reads it
// from its file.
import { decodeTensor } from "../shared/api.js";
import { GRID_HEIGHT, PLOT_CONFIG } from "../shared/config.js";
import { describe } from "../shared/describe.js";
import { fitHeight } from "../shared/fit.js";
import { placeLabels } from "../shared/labels.js";
import { outputNames, weightsFigure } from "../shared/weights-view.js";
import { composeTiles, gridFigure } from "../shared/grid.js";
import { fmt, mergeRanges, rangeOf } from "../shared/plots.js";

const byId = (id) => document.getElementById(id);

// `size`: {width, height} of the figure; height null outside a frame. Each tile is labelled by its
// channel alone (the caption says which layers): one short line, drawn whole, on tiles as large as
// the frame allows.
function outputGrid(answer, range, size) {
  const maps = decodeTensor(answer.output.maps);
  const [channels, height, width] = maps.shape;
  const plane = height * width;
  const tiles = outputNames(channels).map((name, c) => ({
    values: maps.values.subarray(c * plane, (c + 1) * plane),
    range,
    label: [name],
  }));
  const room = { figureWidth: size.width, figureHeight: size.height, maxHeight: GRID_HEIGHT };
  const grid = composeTiles(tiles, { height, width, cols: channels, ...room });
  return gridFigure(grid, size.width, size.height ?? GRID_HEIGHT, !size.height);
}

function largestDifference(a, b) {
  const x = decodeTensor(a.output.maps).values;
  const y = decodeTensor(b.output.maps).values;
  return x.reduce((worst, v, i) => Math.max(worst, Math.abs(v - y[i])), 0);
}

// The size each figure is drawn at: its element's width, and in a frame its share of the height.
export function collapseSizes() {
  const ids = ["w1-plot", "w2-plot", "w-plot", "two-plot", "one-plot"];
  return Object.fromEntries(ids.map((id) => [id, { width: byId(id).clientWidth, height: fitHeight(byId(id)) }]));
}

// The figure's verdict: how far apart the two layers and the one layer W2·W1 are.
export function collapseVerdict({ second, single, relu }, text) {
  const difference = largestDifference(second, single);
  return relu
    ? text.nonlinear.replace("{difference}", fmt(difference))
    : text.linear.replace("{difference}", difference.toExponential(1));
}

// `text` holds the figure's words in one language (the "collapse" part of a lesson catalogue);
// `sizes` is collapseSizes(), measured once the verdict is written (in a frame the figures take the
// height it leaves).
export function collapseView(data, sizes, text) {
  const { first, second, single } = data;
  const inputNames = first.input.channel_names;
  const middleNames = outputNames(first.weight.shape[0]).map((n) => n.replace("y", "h"));
  const range = mergeRanges([second, single].map((a) => rangeOf(decodeTensor(a.output.maps).values)));
  const words = (id) => ({ biasName: text.bias, ...sizes[id] });
  return {
    figures: {
      "w1-plot": weightsFigure(first.weight.values, first.bias.values, inputNames, null, {
        rowNames: middleNames,
        ...words("w1-plot"),
      }),
      "w2-plot": weightsFigure(second.weight.values, second.bias.values, middleNames, null, words("w2-plot")),
      "w-plot": weightsFigure(single.weight.values, single.bias.values, inputNames, null, words("w-plot")),
      "two-plot": outputGrid(second, range, sizes["two-plot"]),
      "one-plot": outputGrid(single, range, sizes["one-plot"]),
    },
    verdict: collapseVerdict(data, text),
  };
}

// Every figure of a view into its element (in an embed, at the frame's share of the height), each
// described for screen readers by its caption, its tiles and the verdict.
export function drawCollapse(view, text) {
  for (const [id, figure] of Object.entries(view.figures)) {
    const element = byId(id);
    Plotly.react(element, figure.data, { ...figure.layout, width: element.clientWidth }, PLOT_CONFIG);
    if (figure.labels) placeLabels(element, figure, element.clientWidth);
    const tiles = figure.tiles ? ` (${figure.tiles.join(", ")})` : "";
    describe(element, `${text[id.replace("-plot", "")]}${tiles}. ${view.verdict}`);
  }
}
