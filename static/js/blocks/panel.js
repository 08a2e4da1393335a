// The Blocks page's views drawn from one /data/blocks answer: the summary, the diagram and the
// selected stage. The page (page.js) and its offline export (export.js) both draw with these.
import { compact, graphFit, graphScale, graphSvg, shapeText } from "./graph.js";
import { channelLabel, matrixFigure, residualFigure, stageGrid, statsLine, sumFigure } from "./views.js";
import { PLOT_CONFIG } from "../shared/config.js";
import { describe as describeFigure } from "../shared/describe.js";
import { fittedHeights, fittingFigures } from "../shared/fit.js";
import { fmt, font, group, signed } from "../shared/plots.js";
import { channelName, commonText } from "../shared/text.js";

const $ = (id) => document.getElementById(id);

export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));
}

// A catalogue sentence into an element: what it puts between backticks is code (a stage's name, a
// file's extension), set in <code> so that it reads as code in every language.
export function setMarked(element, text) {
  element.replaceChildren(
    ...text.split("`").map((part, i) => {
      if (i % 2 === 0) return part;
      const code = document.createElement("code");
      code.textContent = part;
      return code;
    }),
  );
}

// A figure's text alternative whose `backticked` parts (stage names) are code, set in <code> as the
// page sets them.
function describeMarked(element, text) {
  describeFigure(element, text.replaceAll("`", ""));
  setMarked(document.getElementById(`${element.id}-description`), text);
}

const code = (name) => `\`${name}\``;

// A stage's operation in the page's words. The server names it as PyTorch does ("Conv2d 3×3 /2 dw",
// "MaxPool2d 3×3", "BatchNorm2d", "+", "cat"); one the catalogue lacks is shown as the server wrote it.
export function opLabel(op, ops) {
  const sized = /^(Conv2d|MaxPool2d) (\d+)×\d+(?: \/(\d+))?( dw)?$/.exec(op);
  if (sized) {
    const [, pytorch, k, s, depthwise] = sized;
    const template = pytorch === "MaxPool2d" ? ops.pool : depthwise ? ops.depthwise : ops.conv;
    return fill(template, { k, stride: s ? fill(ops.stride, { s }) : "" });
  }
  const key = { "+": "add", cat: "concat" }[op] ?? op;
  return Object.hasOwn(ops, key) ? ops[key] : op;
}

// The input's channels as the page names them: the image's in the site's words (red → 红), the ones
// the stem fills ("stem 9") in the page's.
function channelNames(names, text) {
  const words = commonText()?.channels;
  return names.map((name) => {
    const stem = /^stem (\d+)$/.exec(name);
    return stem ? fill(text.stem_channel, { n: stem[1] }) : channelName(name, words);
  });
}

const percent = (part, whole) => (whole ? `${((100 * part) / whole).toFixed(1)}%` : "0%");

export function stageByName(answer, name) {
  return answer.stages.find((s) => s.name === name);
}

// The stage a page shows first: the one asked for, else the explained one, else the first 1×1.
export function defaultNode(answer, asked) {
  if (asked && stageByName(answer, asked)) return asked;
  return answer.explain?.stage ?? answer.stages.find((s) => s.one_by_one)?.name ?? answer.stages.at(-1).name;
}

export function explainFor(answer, node) {
  return answer.explains?.[node] ?? (answer.explain?.stage === node ? answer.explain : null);
}

export function renderSummary(answer, text) {
  const [cin, height, width] = answer.input.shape;
  $("summary").textContent = fill(text.summary, {
    p: group(answer.parameters),
    m: group(answer.multiply_adds),
    h: height,
    w: width,
  });
  const one = answer.one_by_one;
  $("one-by-one").textContent = fill(text.share, {
    pp: percent(one.parameters, answer.parameters),
    mp: percent(one.multiply_adds, answer.multiply_adds),
    p1: group(one.parameters),
    m1: group(one.multiply_adds),
  });
  const stem = answer.input.stem;
  $("stem").hidden = !stem;
  if (stem) {
    $("stem").textContent = fill(text.stem, {
      c: stem.image_channels,
      cin,
      first: stem.image_channels + 1,
      last: cin,
      filled: stem.filled,
      seed: stem.seed,
    });
  }
  const check = answer.ffn_check;
  $("ffn-check").hidden = !check;
  if (check) {
    $("ffn-check").textContent = fill(text.ffn_check, {
      tokens: group(check.tokens),
      difference: check.max_difference.toExponential(1),
    });
  }
  const weights = answer.weights;
  setMarked(
    $("weights-source"),
    "weights_id" in weights
      ? fill(text.uploaded, { id: weights.weights_id.slice(0, 8) })
      : fill(text.seeded, { seed: weights.seed }),
  );
}

export function renderDiagram(answer, selected, text) {
  const words = {
    title: text.title,
    oneByOne: text.one_by_one,
    op: (op) => opLabel(op, text.ops),
    params: (p) => fill(text.params, { p: group(p) }),
    macs: (m) => fill(text.macs, { m: compact(m) }),
    total: (p, m) => fill(text.total, { p: compact(p), m: compact(m) }),
  };
  const room = $("diagram");
  const large = document.documentElement.classList.contains("large");
  // In a frame the diagram fits its cell both ways, in columns side by side where that makes it larger
  // (each node's words are also its title and the figure's description); on a page it is drawn for
  // its text.
  const fit = fittingFigures
    ? graphFit(answer.stages, room.clientWidth, room.clientHeight)
    : { scale: graphScale(answer.stages, room.clientWidth, font().size, large) };
  $("diagram").innerHTML = graphSvg(answer.stages, { selected, text: words, ...fit });
  const d = text.describe;
  const stages = answer.stages.map((s) => fill(d.stage, { name: code(s.name), op: words.op(s.op), shape: shapeText(s.shape) }));
  describeMarked($("diagram"), fill(d.diagram, {
    count: stages.length,
    input: shapeText(answer.stages[0].shape),
    output: shapeText(answer.stages.at(-1).shape),
    stages: stages.join(d.separator),
  }));
}

function plot(id, figure) {
  const element = $(id);
  Plotly.react(element, figure.data, { ...figure.layout, width: element.clientWidth }, PLOT_CONFIG);
}

// The selected stage: its maps with the picked channel, statistics, and what it does — a 1×1
// stage's weights and weighted sum, an add's branch + shortcut = sum. Its words and which figures it
// shows go in first, then the figures: in a frame each is drawn as tall as what the words leave it.
// Returns the composed grid.
export function renderStage(answer, node, channel, text) {
  const stage = stageByName(answer, node);
  const names = channelNames(answer.input.channel_names, text);
  const d = text.describe;
  setMarked($("stage-caption"), fill(text.stage, {
    name: stage.name,
    op: opLabel(stage.op, text.ops),
    shape: shapeText(stage.shape),
    p: group(stage.parameters),
    m: group(stage.multiply_adds),
  }));
  $("stage-stats").textContent = statsLine(stage.stats, text);
  const shown = Number(stage.maps.shape.split(",")[0]);
  $("ch").max = String(stage.shape[0] - 1);
  $("ch").value = String(channel);
  $("ch-of").textContent = fill(text.channel_of, { c: stage.shape[0] });
  $("maps-caption").textContent = fill(text.maps, { k: shown, c: stage.shape[0] });

  const explain = stage.one_by_one ? explainFor(answer, node) : null;
  const source = explain && stageByName(answer, stage.inputs[0]);
  $("matrix-figure").hidden = !explain;
  $("sum-figure").hidden = !stage.one_by_one;
  if (stage.one_by_one && !explain) $("sum-caption").textContent = text.not_explained;
  if (explain) {
    const [cout, cin] = explain.matrix.shape;
    setMarked($("matrix-caption"), fill(text.matrix, { name: stage.name, cout, cin, n: explain.channel }));
    setMarked($("sum-caption"), fill(text.sum, {
      n: explain.channel,
      name: stage.name,
      cin,
      source: source.name,
      error: explain.max_abs_error.toExponential(1),
    }));
  }
  const isAdd = stage.op === "+";
  const sources = isAdd ? stage.inputs.map((name) => stageByName(answer, name)) : [];
  const c = Math.min(channel, shown - 1);
  $("residual-figure").hidden = !isAdd;
  if (isAdd) {
    setMarked($("residual-caption"), fill(text.residual, { n: c, branch: sources[0].name, shortcut: sources[1].name, sum: stage.name }));
  }

  const heights = fittedHeights(["stage-grid", "matrix-plot", "sum-plot", "residual-plot"]);
  const width = $("stage-grid").clientWidth || 600;
  const grid = stageGrid(stage, names, channel < shown ? channel : -1, width, heights["stage-grid"]);
  plot("stage-grid", grid);
  const shownNames = stage.name === "input" ? names.slice(0, shown).join(d.separator) : fill(d.range, { last: shown - 1 });
  const where = { name: code(stage.name), shape: shapeText(stage.shape), k: shown, c: stage.shape[0], n: channel };
  describeMarked($("stage-grid"), fill(d.grid, { ...where, names: shownNames }));
  if (explain) {
    const [cout, cin] = explain.matrix.shape;
    const words = { weightHover: text.weight_hover, matrixX: text.matrix_x, matrixY: text.matrix_y };
    plot("matrix-plot", matrixFigure(explain, words, heights["matrix-plot"]));
    describeMarked($("matrix-plot"), fill(d.matrix, { name: code(stage.name), cout, cin, n: explain.channel }));
    const restText = { rest: (n) => fill(text.rest, { n }) };
    const sumWidth = $("sum-plot").clientWidth || width;
    plot("sum-plot", sumFigure(explain, source, names, restText, sumWidth, heights["sum-plot"]));
    const terms = explain.terms.map((k) => fill(d.term, { w: signed(explain.weights[k]), name: channelLabel(source, k, names) }));
    if (explain.rest) terms.push(fill(d.rest, { n: explain.weights.length - explain.terms.length }));
    const sum = { n: explain.channel, name: code(stage.name), terms: terms.join(d.separator), bias: fmt(explain.bias, 2) };
    describeMarked($("sum-plot"), fill(d.sum, sum));
  }
  if (isAdd) {
    const words = { branch: text.branch, shortcut: text.shortcut };
    const addWidth = $("residual-plot").clientWidth || width;
    plot("residual-plot", residualFigure(stage, sources, c, words, addWidth, heights["residual-plot"]));
    const [branch, shortcut] = sources.map((source) => code(source.name));
    const add = { n: c, size: shapeText(stage.shape.slice(1)), branch, shortcut, sum: code(stage.name) };
    describeMarked($("residual-plot"), fill(d.residual, add));
  }
  return grid;
}
