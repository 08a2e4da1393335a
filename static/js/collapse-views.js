// Two 1×1 layers without a non-linearity are one 1×1 layer: W = W2·W1, b = W2·b1 + b2.
// Data → figures, drawn by drawCollapse; collapse.js fetches the data, export-collapse.js reads it
// from its file.
import { decodeTensor } from "./api.js";
import { PLOT_CONFIG } from "./config.js";
import { describe } from "./describe.js";
import { fitHeight } from "./fit.js";
import { placeLabels } from "./labels.js";
import { outputNames, weightsFigure } from "./mixer-views.js";
import { composeTiles, fmt, gridFigure, mergeRanges, rangeOf } from "./plots.js";
import { fill } from "./text.js";

function outputGrid(answer, label, range, figureWidth) {
  const maps = decodeTensor(answer.output.maps);
  const [channels, height, width] = maps.shape;
  const plane = height * width;
  const tiles = outputNames(channels).map((name, c) => ({
    values: maps.values.subarray(c * plane, (c + 1) * plane),
    range,
    label: [fill(label, { name })],
  }));
  return gridFigure(composeTiles(tiles, { height, width, cols: channels, figureWidth }), figureWidth, 260);
}

function largestDifference(a, b) {
  const x = decodeTensor(a.output.maps).values;
  const y = decodeTensor(b.output.maps).values;
  return x.reduce((worst, v, i) => Math.max(worst, Math.abs(v - y[i])), 0);
}

// `text` holds the figure's words in one language (the "collapse" part of a lesson catalogue).
export function collapseView({ first, second, single, relu }, widths, text) {
  const inputNames = first.input.channel_names;
  const middleNames = outputNames(first.weight.shape[0]).map((n) => n.replace("y", "h"));
  const range = mergeRanges([second, single].map((a) => rangeOf(decodeTensor(a.output.maps).values)));
  const difference = largestDifference(second, single);
  const biasName = text.bias;
  return {
    figures: {
      "w1-plot": weightsFigure(first.weight.values, first.bias.values, inputNames, null, {
        rowNames: middleNames,
        biasName,
      }),
      "w2-plot": weightsFigure(second.weight.values, second.bias.values, middleNames, null, { biasName }),
      "w-plot": weightsFigure(single.weight.values, single.bias.values, inputNames, null, { biasName }),
      "two-plot": outputGrid(second, text.tile_two, range, widths.two),
      "one-plot": outputGrid(single, text.tile_one, range, widths.one),
    },
    verdict: relu
      ? text.nonlinear.replace("{difference}", fmt(difference))
      : text.linear.replace("{difference}", difference.toExponential(1)),
  };
}

// Every figure of a view into its element (in an embed, at the frame's share of the height), each
// described for screen readers by its caption, its tiles and the verdict.
export function drawCollapse(view, text) {
  for (const [id, figure] of Object.entries(view.figures)) {
    const element = document.getElementById(id);
    figure.layout.height = fitHeight(element) ?? figure.layout.height;
    Plotly.react(element, figure.data, { ...figure.layout, width: element.clientWidth }, PLOT_CONFIG);
    if (figure.labels) placeLabels(element, figure, element.clientWidth);
    const tiles = figure.tiles ? ` (${figure.tiles.join(", ")})` : "";
    describe(element, `${text[id.replace("-plot", "")]}${tiles}. ${view.verdict}`);
  }
}
