// Data → figures for the Blocks page: a stage's maps, a 1×1 stage's weights and weighted sum, the
// residual add. No DOM wiring here: page.js (and export.js) own the page.
import { decodeTensor } from "../shared/api.js";
import { COLOURS, DIVERGING, FONT } from "../shared/config.js";
import { columnsWithin, composeTiles, composeWithin, gridFigure } from "../shared/grid.js";
import { channelRanges, colourBar, fmt, font, mergeRanges, robustLimit, signed } from "../shared/plots.js";

const STAGE_HEIGHT = 460; // a stage's maps on a page, at most (Large type: as tall as they need)

// A frame's cell too short for a row of tiles and their labels is not fitted (the grid's labels would
// have to grow without end to stay legible): the grid is drawn at the page's size instead.
const fits = (fitted) => (fitted && fitted >= 6 * font().size ? fitted : null);

// A stage's maps (its first channels), decoded once and kept on the stage.
export function stageMaps(stage) {
  if (!stage.decoded) stage.decoded = decodeTensor(stage.maps);
  return stage.decoded;
}

export function channelLabel(stage, c, inputNames) {
  return stage.name === "input" && inputNames ? inputNames[c] : `c${c}`;
}

// The first channels of a stage as one image: one tile per channel, the picked one highlighted; in a
// frame's cell `fitted` pixels tall, its tiles as large as the cell allows both ways.
export function stageGrid(stage, inputNames, picked, figureWidth, cell = null) {
  const fitted = fits(cell);
  const tensor = stageMaps(stage);
  const [channels, height, width] = tensor.shape;
  const plane = height * width;
  const ranges = channelRanges(tensor);
  const tiles = Array.from({ length: channels }, (_, c) => ({
    values: tensor.values.subarray(c * plane, (c + 1) * plane),
    range: ranges[c],
    label: [channelLabel(stage, c, inputNames)],
  }));
  const cols = columnsWithin(channels, height / width, figureWidth, STAGE_HEIGHT, 2);
  const grid = composeWithin(tiles, { height, width, cols, figureWidth, figureHeight: fitted, selected: picked }, STAGE_HEIGHT);
  return { ...(fitted ? gridFigure(grid, figureWidth, fitted, false) : gridFigure(grid, figureWidth, STAGE_HEIGHT)), grid };
}

// W (Cout × Cin) of a 1×1 stage on a diverging scale centred on zero, row n outlined; as tall as the
// type asks for (Large type: 1.4 times), or as its frame's cell (`fitted`).
export function matrixFigure(explain, text, fitted = null) {
  const matrix = decodeTensor(explain.matrix.values);
  const [rows, cols] = explain.matrix.shape;
  const z = Array.from({ length: rows }, (_, n) => Array.from(matrix.values.subarray(n * cols, (n + 1) * cols)));
  const { limit, clipped } = robustLimit(matrix.values); // one outlying weight does not wash out the rest
  const n = explain.channel;
  // A short cell of a frame: the axes keep a few numbers and leave their titles to the caption.
  const short = fitted !== null && fitted < 240;
  const axis = { fixedrange: true, showgrid: false, zeroline: false, automargin: true, nticks: short ? 4 : 0 };
  return {
    data: [
      {
        type: "heatmap",
        z,
        colorscale: DIVERGING,
        zmin: -limit,
        zmax: limit,
        hovertemplate: `${text.weightHover}<extra></extra>`,
        showscale: true,
        colorbar: { ...colourBar(limit, clipped, font(), short ? 3 * font().size : Infinity), len: 0.9 },
      },
    ],
    layout: {
      height: fitted ?? Math.round((Math.min(420, Math.max(220, 60 + 3 * rows)) * font().size) / FONT.size),
      margin: { l: 50, r: 10, t: 8, b: 40 },
      xaxis: { title: { text: short ? "" : text.matrixX }, ...axis },
      yaxis: {
        title: { text: short ? "" : text.matrixY },
        autorange: "reversed",
        ...axis,
      },
      shapes: [
        {
          type: "rect",
          x0: -0.5,
          x1: cols - 0.5,
          y0: n - 0.5,
          y1: n + 0.5,
          line: { color: COLOURS.highlight, width: 3 },
        },
      ],
      font: font(),
      paper_bgcolor: "rgba(0,0,0,0)",
    },
  };
}

// y[n] = Σ_c W[n, c]·X[c] + b[n]: the largest terms one by one, the others as one map, the bias,
// and the stage's own output channel n — all on one zero-centred scale.
export function sumFigure(explain, inputStage, inputNames, text, figureWidth, cell = null) {
  const fitted = fits(cell);
  const contributions = decodeTensor(explain.contributions);
  const total = decodeTensor(explain.sum);
  const [, height, width] = contributions.shape;
  const plane = height * width;
  const tiles = explain.terms.map((c, k) => ({
    values: contributions.values.subarray(k * plane, (k + 1) * plane),
    label: [`${signed(explain.weights[c])} ×`, channelLabel(inputStage, c, inputNames)],
  }));
  if (explain.rest) {
    const others = explain.weights.length - explain.terms.length;
    tiles.push({ values: decodeTensor(explain.rest).values, label: [text.rest(others), ""] });
  }
  tiles.push({ values: new Float32Array(plane).fill(explain.bias), label: ["+ b", fmt(explain.bias, 2)] });
  tiles.push({ values: total.values, label: ["=", `y${explain.channel}`] });
  const range = mergeRanges(tiles.map((t) => channelRanges({ shape: [1, height, width], values: t.values })[0]));
  const symmetric = Math.max(Math.abs(range[0]), Math.abs(range[1])) || 1;
  tiles.forEach((t) => (t.range = [-symmetric, symmetric]));
  const grid = composeTiles(tiles, { height, width, cols: Math.min(tiles.length, 6), figureWidth, figureHeight: fitted });
  return fitted ? gridFigure(grid, figureWidth, fitted, false) : gridFigure(grid, figureWidth, 520);
}

// The residual add for one channel: branch + shortcut = sum, side by side on one scale.
export function residualFigure(add, sources, channel, text, figureWidth, cell = null) {
  const fitted = fits(cell);
  const maps = [...sources, add].map(stageMaps);
  const [, height, width] = maps[0].shape;
  const plane = height * width;
  const c = Math.min(channel, maps[0].shape[0] - 1);
  const labels = [
    [text.branch, sources[0].name],
    [`+ ${text.shortcut}`, sources[1].name],
    ["=", add.name],
  ];
  const tiles = maps.map((m, i) => ({ values: m.values.subarray(c * plane, (c + 1) * plane), label: labels[i] }));
  const range = mergeRanges(tiles.map((t) => channelRanges({ shape: [1, height, width], values: t.values })[0]));
  tiles.forEach((t) => (t.range = range));
  const grid = composeTiles(tiles, { height, width, cols: 3, figureWidth, figureHeight: fitted });
  return fitted ? gridFigure(grid, figureWidth, fitted, false) : gridFigure(grid, figureWidth, 360);
}

export function statsLine(stats, text) {
  return text.stats
    .replace("{mean}", fmt(stats.mean))
    .replace("{std}", fmt(stats.std))
    .replace("{zeros}", `${(100 * stats.zeros).toFixed(1)}%`)
    .replace("{min}", fmt(stats.min))
    .replace("{max}", fmt(stats.max));
}
