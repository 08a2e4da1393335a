// Two 1×1 layers without a non-linearity are one 1×1 layer: W = W2·W1, b = W2·b1 + b2; and a 1×1
// layer followed by BatchNorm in inference mode is one 1×1 layer: W' = (γ/σ)·W, b' = (γ/σ)·(b − μ) + β.
// Data → figures, drawn by drawCollapse; page.js fetches the data, export.js reads it from its file.
import { decodeTensor } from "../shared/api.js";
import { GRID_HEIGHT, PLOT_CONFIG } from "../shared/config.js";
import { describe } from "../shared/describe.js";
import { fitHeight } from "../shared/fit.js";
import { placeLabels } from "../shared/labels.js";
import { outputNames, weightsFigure } from "../shared/weights-view.js";
import { composeTiles, gridFigure } from "../shared/grid.js";
import { fmt, mergeRanges, rangeOf } from "../shared/plots.js";
import { fill } from "../shared/text.js";

const byId = (id) => document.getElementById(id);

// `size`: {width, height} of the figure; height null outside a frame. Each tile is labelled by its
// channel alone, named by `letter` (y0, y1, … or h0, h1, …; the caption says which layers): one
// short line, drawn whole, on tiles as large as the frame allows.
function outputGrid(answer, range, size, letter = "y") {
  const maps = decodeTensor(answer.output.maps);
  const [channels, height, width] = maps.shape;
  const plane = height * width;
  const names = outputNames(channels).map((n) => n.replace("y", letter));
  const tiles = names.map((name, c) => ({
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

const FIGURES = {
  collapse: ["w1-plot", "w2-plot", "w-plot", "two-plot", "one-plot"],
  fold: ["conv-plot", "bn-plot", "folded-plot", "reference-plot", "fold-one-plot"],
};

// The size each figure of the shown parts (data.views) is drawn at: its element's width, and in a
// frame its share of the height.
export function collapseSizes(views) {
  const ids = views.flatMap((view) => FIGURES[view]);
  return Object.fromEntries(ids.map((id) => [id, { width: byId(id).clientWidth, height: fitHeight(byId(id)) }]));
}

// Each shown part's verdict into its line (first: the figures take the height the lines leave).
export function writeVerdicts(data, text) {
  if (data.views.includes("collapse")) byId("collapse-verdict").textContent = collapseVerdict(data, text);
  if (data.views.includes("fold")) byId("fold-verdict").textContent = foldVerdict(data.fold, text);
}

// The folding verdict: the largest difference the server measured between PyTorch's conv → BatchNorm
// and the folded layer, both run on the same input.
export function foldVerdict(fold, text) {
  return fill(text.fold.verdict, { difference: fold.max_abs_difference.toExponential(1) });
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
  const words = (id) => ({ biasName: text.bias, ...sizes[id] });
  const figures = {};
  const verdicts = {};
  if (data.views.includes("collapse")) {
    Object.assign(figures, collapseFigures(data, inputNames, middleNames, words, sizes));
    verdicts.collapse = collapseVerdict(data, text);
  }
  if (data.views.includes("fold")) {
    Object.assign(figures, foldFigures(data.fold, first, inputNames, middleNames, words, sizes, text));
    verdicts.fold = foldVerdict(data.fold, text);
  }
  return { figures, verdicts };
}

// BatchNorm in inference mode is a scale and a shift per channel: a diagonal 1×1 layer, drawn as
// one column of scales γ/σ and its shift β − γ·μ/σ in the bias column.
function foldFigures(fold, first, inputNames, middleNames, words, sizes, text) {
  const range = mergeRanges([fold.reference, fold.folded].map((a) => rangeOf(decodeTensor(a.output.maps).values)));
  const scales = fold.scale.map((s) => [s]);
  return {
    "conv-plot": weightsFigure(first.weight.values, first.bias.values, inputNames, null, {
      rowNames: middleNames,
      ...words("conv-plot"),
    }),
    "bn-plot": weightsFigure(scales, fold.shift, [text.fold.scale], null, {
      rowNames: middleNames,
      ...words("bn-plot"),
      biasName: text.fold.shift,
    }),
    "folded-plot": weightsFigure(fold.folded.weight.values, fold.folded.bias.values, inputNames, null, {
      rowNames: middleNames,
      ...words("folded-plot"),
    }),
    "reference-plot": outputGrid(fold.reference, range, sizes["reference-plot"], "h"),
    "fold-one-plot": outputGrid(fold.folded, range, sizes["fold-one-plot"], "h"),
  };
}

function collapseFigures({ first, second, single }, inputNames, middleNames, words, sizes) {
  const range = mergeRanges([second, single].map((a) => rangeOf(decodeTensor(a.output.maps).values)));
  return {
    "w1-plot": weightsFigure(first.weight.values, first.bias.values, inputNames, null, {
      rowNames: middleNames,
      ...words("w1-plot"),
    }),
    "w2-plot": weightsFigure(second.weight.values, second.bias.values, middleNames, null, words("w2-plot")),
    "w-plot": weightsFigure(single.weight.values, single.bias.values, inputNames, null, words("w-plot")),
    "two-plot": outputGrid(second, range, sizes["two-plot"]),
    "one-plot": outputGrid(single, range, sizes["one-plot"]),
  };
}

// Every figure of a view into its element (in an embed, at the frame's share of the height), each
// described for screen readers by its caption, its tiles and its part's verdict.
export function drawCollapse(view, text) {
  const captions = {
    ...Object.fromEntries(FIGURES.collapse.map((id) => [id, text[id.replace("-plot", "")]])),
    "conv-plot": text.fold.conv,
    "bn-plot": text.fold.bn,
    "folded-plot": text.fold.folded,
    "reference-plot": text.fold.reference,
    "fold-one-plot": text.fold.one,
  };
  for (const [id, figure] of Object.entries(view.figures)) {
    const element = byId(id);
    Plotly.react(element, figure.data, { ...figure.layout, width: element.clientWidth }, PLOT_CONFIG);
    if (figure.labels) placeLabels(element, figure, element.clientWidth);
    const tiles = figure.tiles ? ` (${figure.tiles.join(", ")})` : "";
    const verdict = FIGURES.fold.includes(id) ? view.verdicts.fold : view.verdicts.collapse;
    describe(element, `${captions[id]}${tiles}. ${verdict}`);
  }
}
