// Data → figures, verdicts and code for the cost explorer's panels. No DOM wiring here: cost.js
// (the live page) and export-cost.js (an offline file) both draw from these.
import { COLOURS } from "./config.js";
import { font, group } from "./plots.js";
import { costSnippet, layers } from "./snippets.js";

const LAYER_COLOURS = { pointwise: COLOURS.highlight, spatial: "#1565c0", norm: "#90a4ae" };

// Layers are coloured, and listed in the legend, by kind: 1×1, k×k (or depthwise), BatchNorm.
function kindOf(layer) {
  if (layer.name.startsWith("BN")) return { name: "BatchNorm", colour: LAYER_COLOURS.norm };
  if (layer.shape.startsWith("1×1")) return { name: "1×1 conv", colour: LAYER_COLOURS.pointwise };
  return { name: "k×k conv", colour: LAYER_COLOURS.spatial };
}

function baseLayout(height) {
  return {
    height,
    margin: { l: 90, r: 16, t: 40, b: 50 },
    font: font(),
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "#fafafa",
    hoverlabel: { font: font() },
  };
}

// One chart of a count against Cout: the 1×1 conv and the k×k conv, the chosen Cout marked.
export function sweepFigure(metric, title, one, wide, k, chosen, axis) {
  const line = (sweep, name, colour) => ({
    type: "scatter",
    mode: "lines",
    x: sweep.out_channels,
    y: sweep[metric],
    name,
    line: { color: colour, width: 3 },
    hovertemplate: `${name}, Cout = %{x}: %{y:,}<extra></extra>`,
  });
  const mark = (sweep, colour) => {
    const i = sweep.out_channels.indexOf(chosen);
    return {
      type: "scatter",
      mode: "markers",
      x: [chosen],
      y: [sweep[metric][i]],
      marker: { size: 11, color: colour, line: { color: "#000", width: 1 } },
      showlegend: false,
      hoverinfo: "skip",
    };
  };
  const data = [line(one, "1×1 conv", COLOURS.highlight), line(wide, `${k}×${k} conv`, LAYER_COLOURS.spatial)];
  if (one.out_channels.includes(chosen)) data.push(mark(one, COLOURS.highlight), mark(wide, LAYER_COLOURS.spatial));
  return {
    data,
    layout: {
      ...baseLayout(360),
      title: { text: title, font: { ...font(), size: font().size + 2 } },
      xaxis: { title: { text: "output channels Cout" }, type: axis, fixedrange: true },
      yaxis: { type: axis, tickformat: axis === "log" ? "" : "~s", fixedrange: true, exponentformat: "power" },
      legend: { x: 0.02, y: 0.98, bgcolor: "rgba(255,255,255,0.85)" },
    },
  };
}

// Stacked bars, one stack per design and one segment per layer; parameters left, multiply–adds right.
export function blocksFigure(designs) {
  const data = [];
  const seen = new Set();
  for (const [axis, metric] of [["", "parameters"], ["2", "multiply_adds"]]) {
    designs.forEach(({ label, block }) => {
      block.layers.forEach((layer) => {
        const kind = kindOf(layer);
        data.push({
          type: "bar",
          x: [label],
          y: [layer[metric]],
          name: kind.name,
          legendgroup: kind.name,
          showlegend: !seen.has(kind.name),
          marker: { color: kind.colour, line: { color: "#fff", width: 1.5 } },
          xaxis: `x${axis}`,
          yaxis: `y${axis}`,
          hovertemplate: `${label}<br>${layer.name} (${layer.shape}): %{y:,}<extra></extra>`,
        });
        seen.add(kind.name);
      });
    });
  }
  const totals = (axis, metric) =>
    designs.map(({ label, block }) => ({
      x: label,
      y: block[metric],
      xref: `x${axis}`,
      yref: `y${axis}`,
      text: `<b>${group(block[metric])}</b>`,
      showarrow: false,
      yanchor: "bottom",
    }));
  return {
    data,
    layout: {
      ...baseLayout(380),
      barmode: "stack",
      grid: { rows: 1, columns: 2, pattern: "independent" },
      xaxis: { fixedrange: true, tickangle: 0 },
      xaxis2: { fixedrange: true, tickangle: 0 },
      yaxis: { title: { text: "parameters" }, tickformat: "~s", fixedrange: true, rangemode: "tozero" },
      yaxis2: { title: { text: "multiply–adds" }, tickformat: "~s", fixedrange: true, rangemode: "tozero" },
      annotations: [...totals("", "parameters"), ...totals("2", "multiply_adds")],
      legend: { orientation: "h", x: 0, y: 1.12 },
    },
  };
}

// "a is x % of b (n× fewer)" for two counts.
export function compare(cheap, plain) {
  const percent = (100 * cheap) / plain;
  const times = plain / cheap;
  return `${percent.toFixed(1)} % of it (${times >= 1 ? `${times.toFixed(1)}× fewer` : `${(1 / times).toFixed(1)}× more`})`;
}

// The arithmetic: one row per layer, each count written as a product of its factors.
export function arithmeticTable(designs) {
  const table = document.createElement("table");
  const head = table.insertRow();
  for (const text of ["design", "layer", "parameters", "multiply–adds"]) head.append(cell("th", text));
  for (const { label, block } of designs) {
    block.layers.forEach((layer, i) => {
      const row = table.insertRow();
      row.append(cell("th", i === 0 ? label.replace("<br>", " ") : ""), cell("td", `${layer.name} (${layer.shape})`));
      row.append(cell("td", layer.formula.parameters), cell("td", layer.formula.multiply_adds));
    });
    const total = table.insertRow();
    total.className = "total";
    total.append(cell("th", ""), cell("td", "total"), cell("td", group(block.parameters)), cell("td", group(block.multiply_adds)));
  }
  return table;
}

function cell(tag, text) {
  const node = document.createElement(tag);
  node.textContent = text;
  return node;
}

// ---- the panels: data (the API's answers and the controls they came from) → what to show ----

const asBlock = (conv, name, shape) => ({ ...conv, layers: [{ name, shape, formula: conv.formula }] });

export function sweepView({ controls: c, one, wide, oneConv, wideConv }) {
  const [k, cout] = [Number(c["s-k"]), Number(c["s-cout"])];
  const shape = (size) => `${size}×${size}, ${c["s-cin"]}→${cout}`;
  const bias = c["s-bias"] === "1";
  return {
    figures: {
      "sweep-parameters": sweepFigure("parameters", "Parameters", one, wide, k, cout, c["s-axis"]),
      "sweep-macs": sweepFigure("multiply_adds", "Multiply–adds", one, wide, k, cout, c["s-axis"]),
    },
    designs: [
      { label: `Cout = ${cout}`, block: asBlock(oneConv, "1×1 conv", shape(1)) },
      { label: "", block: asBlock(wideConv, `${k}×${k} conv`, shape(k)) },
    ],
    verdict:
      `At Cout = ${cout}: the 1×1 conv has ${group(oneConv.parameters)} parameters and does ` +
      `${group(oneConv.multiply_adds)} multiply–adds; the ${k}×${k} conv ${group(wideConv.parameters)} and ` +
      `${group(wideConv.multiply_adds)}. Both grow linearly with Cout.`,
    code: costSnippet(
      [
        ["1×1 conv", [layers.conv(c["s-cin"], cout, 1, bias)]],
        [`${k}×${k} conv`, [layers.conv(c["s-cin"], cout, k, bias)]],
      ],
      [c["s-cin"], c["s-h"], c["s-w"]],
    ),
  };
}

export function inceptionView({ controls: c, answer }) {
  const [k, cin, r, cout] = [c["i-k"], c["i-cin"], c["i-r"], c["i-cout"]];
  const designs = [
    { label: `${k}×${k} straight<br>from ${cin}`, block: answer.direct },
    { label: `1×1 to ${r},<br>then ${k}×${k}`, block: answer.reduced },
  ];
  return {
    figures: { "inception-plot": blocksFigure(designs) },
    designs,
    verdict:
      `With the 1×1 reduction: ${group(answer.reduced.multiply_adds)} multiply–adds instead of ` +
      `${group(answer.direct.multiply_adds)}, ${compare(answer.reduced.multiply_adds, answer.direct.multiply_adds)}.`,
    code: costSnippet(
      [
        ["direct", [layers.conv(cin, cout, Number(k), false)]],
        ["reduced", [layers.conv(cin, r, 1, false), layers.conv(r, cout, Number(k), false)]],
      ],
      [cin, c["i-h"], c["i-w"]],
    ),
  };
}

export function bottleneckView({ controls: c, answer }) {
  const [cin, mid] = [c["b-cin"], c["b-mid"]];
  const bias = c["b-style"] !== "torchvision";
  const stage = (a, b, k) => [layers.conv(a, b, k, bias), layers.bn(b)];
  const designs = [
    { label: `bottleneck<br>${cin}→${mid}→${cin}`, block: answer.bottleneck },
    { label: `basic block<br>two 3×3 at ${mid}`, block: answer.basic },
    { label: `two 3×3<br>at ${cin}`, block: answer.plain },
  ];
  const [b, basic, plain] = [answer.bottleneck, answer.basic, answer.plain];
  return {
    figures: { "bottleneck-plot": blocksFigure(designs) },
    designs,
    verdict:
      `He et al. (2015) set the bottleneck (${group(b.multiply_adds)} multiply–adds) beside the basic block of ` +
      `two 3×3 convs at ${mid} channels (${group(basic.multiply_adds)}): about the same cost ` +
      `(${(100 * answer.basic_ratio).toFixed(0)} %) for a block ${cin / mid}× wider, ${cin} channels in and out. ` +
      `Two 3×3 convs at the full ${cin} channels would take ${group(plain.multiply_adds)}: the bottleneck is ` +
      `${compare(b.multiply_adds, plain.multiply_adds)}.`,
    code: costSnippet(
      [
        ["bottleneck", [...stage(cin, mid, 1), ...stage(mid, mid, 3), ...stage(mid, cin, 1)]],
        ["basic block", [...stage(mid, mid, 3), ...stage(mid, mid, 3)]],
        ["two 3×3", [...stage(cin, cin, 3), ...stage(cin, cin, 3)]],
      ],
      [cin, c["b-h"], c["b-w"]],
    ),
  };
}

export function projectionView({ controls: c, answer }) {
  const [cin, cout, s] = [c["p-cin"], c["p-cout"], Number(c["p-s"])];
  const [, height, width] = answer.output_shape;
  const designs = [
    { label: `1×1, stride ${s}`, block: answer.projection },
    { label: `3×3, stride ${s}`, block: answer.conv3x3 },
  ];
  const shortcut = (k) => [layers.conv(cin, cout, k, false, s), layers.bn(cout)];
  return {
    figures: { "projection-plot": blocksFigure(designs) },
    designs,
    verdict:
      `Where a stage halves the map and widens it, x (${cin}×${c["p-h"]}×${c["p-w"]}) cannot be added to the ` +
      `block's output (${cout}×${height}×${width}) as it is. A 1×1 conv with stride ${s} makes the shapes match with ` +
      `${group(answer.projection.parameters)} parameters and ${group(answer.projection.multiply_adds)} ` +
      `multiply–adds; a 3×3 conv doing the same would take ${group(answer.conv3x3.multiply_adds)}: the 1×1 is ` +
      `${compare(answer.projection.multiply_adds, answer.conv3x3.multiply_adds)}.`,
    code: costSnippet(
      [
        ["1×1 projection", shortcut(1)],
        ["3×3 projection", shortcut(3)],
      ],
      [cin, c["p-h"], c["p-w"]],
    ),
  };
}

export function separableView({ controls: c, answer }) {
  const [cin, cout, k] = [c["d-cin"], c["d-cout"], Number(c["d-k"])];
  const designs = [
    { label: `standard ${k}×${k}`, block: answer.standard },
    { label: "depthwise +<br>pointwise", block: answer.separable },
  ];
  return {
    figures: { "separable-plot": blocksFigure(designs) },
    designs,
    verdict:
      `Depthwise separable / standard multiply–adds = ${answer.ratio.toFixed(4)}, and ` +
      `1/Cout + 1/k² = 1/${cout} + 1/${k * k} = ${answer.formula_ratio.toFixed(4)}.`,
    code: costSnippet(
      [
        ["standard", [layers.conv(cin, cout, k, false)]],
        ["separable", [layers.depthwise(cin, k, false), layers.conv(cin, cout, 1, false)]],
      ],
      [cin, c["d-h"], c["d-w"]],
    ),
  };
}

export const PANEL_VIEWS = {
  sweep: sweepView,
  inception: inceptionView,
  bottleneck: bottleneckView,
  projection: projectionView,
  separable: separableView,
};
