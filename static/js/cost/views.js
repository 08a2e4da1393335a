// Data → figures, verdicts and code for the cost explorer's panels. No DOM wiring here: page.js
// (the live page) and export.js (an offline file) both draw from these. `text` is the "script"
// part of the page's catalogue (cost.<lang>.json), in the page's language.
import { COLOURS } from "../shared/config.js";
import { font, group } from "../shared/plots.js";
import { costSnippet, layers } from "../shared/snippets.js";
import { fill, translate } from "../shared/text.js";

const LAYER_COLOURS = { pointwise: COLOURS.highlight, spatial: "#1565c0", norm: "#90a4ae", dense: "#6d4c41" };

// Layers are coloured, and listed in the legend, by kind: 1×1, k×k (or depthwise), BatchNorm, and a
// whole network's fully connected head.
function kindOf(layer, text) {
  if (layer.name.startsWith("BN")) return { name: text.kinds.norm, colour: LAYER_COLOURS.norm };
  if (layer.shape.startsWith("Linear")) return { name: text.kinds.dense, colour: LAYER_COLOURS.dense };
  if (layer.shape.startsWith("1×1")) return { name: text.kinds.pointwise, colour: LAYER_COLOURS.pointwise };
  return { name: text.kinds.spatial, colour: LAYER_COLOURS.spatial };
}

// A layer as the arithmetic and the hover text name it: "1×1 reduce (1×1, 256→64)".
export const layerName = (layer, text) => translate(`${layer.name} (${layer.shape})`, text.terms);

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
export function sweepFigure(metric, title, one, wide, k, chosen, axis, text) {
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
  const data = [
    line(one, text.kinds.pointwise, COLOURS.highlight),
    line(wide, fill(text.conv, { k }), LAYER_COLOURS.spatial),
  ];
  if (one.out_channels.includes(chosen)) data.push(mark(one, COLOURS.highlight), mark(wide, LAYER_COLOURS.spatial));
  return {
    data,
    layout: {
      ...baseLayout(360),
      title: { text: title, font: { ...font(), size: font().size + 2 } },
      xaxis: { title: { text: text.axis_cout }, type: axis, fixedrange: true },
      yaxis: { type: axis, tickformat: axis === "log" ? "" : "~s", fixedrange: true, exponentformat: "power" },
      legend: { x: 0.02, y: 0.98, bgcolor: "rgba(255,255,255,0.85)" },
    },
  };
}

// Stacked bars, one stack per design and one segment per layer; parameters left, multiply–adds right.
export function blocksFigure(designs, text) {
  const data = [];
  const seen = new Set();
  for (const [axis, metric] of [["", "parameters"], ["2", "multiply_adds"]]) {
    designs.forEach(({ label, block }) => {
      block.layers.forEach((layer) => {
        const kind = kindOf(layer, text);
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
          hovertemplate: `${label}<br>${layerName(layer, text)}: %{y:,}<extra></extra>`,
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
      total: block[metric], // for a narrow chart's short form (panel.js)
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
      yaxis: { title: { text: text.axis_parameters }, tickformat: "~s", fixedrange: true, rangemode: "tozero" },
      yaxis2: { title: { text: text.axis_multiply_adds }, tickformat: "~s", fixedrange: true, rangemode: "tozero" },
      annotations: [...totals("", "parameters"), ...totals("2", "multiply_adds")],
      legend: { orientation: "h", x: 0, y: 1.12 },
    },
  };
}

// "a is x % of b (n× fewer)" for two counts.
export function compare(cheap, plain, text) {
  const percent = ((100 * cheap) / plain).toFixed(1);
  const times = plain / cheap;
  if (times >= 1) return fill(text.fewer, { percent, times: times.toFixed(1) });
  return fill(text.more, { percent, times: (1 / times).toFixed(1) });
}

// ---- the panels: data (the API's answers and the controls they came from) → what to show ----

const asBlock = (conv, name, shape) => ({ ...conv, layers: [{ name, shape, formula: conv.formula }] });

export function sweepView({ controls: c, one, wide, oneConv, wideConv }, text) {
  const [k, cout] = [Number(c["s-k"]), Number(c["s-cout"])];
  const shape = (size) => `${size}×${size}, ${c["s-cin"]}→${cout}`;
  const bias = c["s-bias"] === "1";
  const wideName = fill(text.conv, { k });
  return {
    figures: {
      "sweep-parameters": sweepFigure("parameters", text.parameters, one, wide, k, cout, c["s-axis"], text),
      "sweep-macs": sweepFigure("multiply_adds", text.multiply_adds, one, wide, k, cout, c["s-axis"], text),
    },
    designs: [
      { label: `Cout = ${cout}`, block: asBlock(oneConv, text.kinds.pointwise, shape(1)) },
      { label: "", block: asBlock(wideConv, wideName, shape(k)) },
    ],
    text,
    verdict: fill(text.sweep.verdict, {
      cout, k, p1: group(oneConv.parameters), m1: group(oneConv.multiply_adds),
      p2: group(wideConv.parameters), m2: group(wideConv.multiply_adds),
    }),
    code: costSnippet(
      [
        [text.kinds.pointwise, [layers.conv(c["s-cin"], cout, 1, bias)]],
        [wideName, [layers.conv(c["s-cin"], cout, k, bias)]],
      ],
      [c["s-cin"], c["s-h"], c["s-w"]],
      text.code_print,
    ),
  };
}

export function inceptionView({ controls: c, answer }, text) {
  const [k, cin, r, cout] = [c["i-k"], c["i-cin"], c["i-r"], c["i-cout"]];
  const words = text.inception;
  const designs = [
    { label: fill(words.direct, { k, cin }), block: answer.direct },
    { label: fill(words.reduced, { k, r }), block: answer.reduced },
  ];
  const [reduced, direct] = [answer.reduced.multiply_adds, answer.direct.multiply_adds];
  return {
    figures: { "inception-plot": blocksFigure(designs, text) },
    designs,
    text,
    verdict: fill(words.verdict, {
      reduced: group(reduced), direct: group(direct),
      compare: compare(reduced, direct, text),
    }),
    code: costSnippet(
      [
        [words.code_direct, [layers.conv(cin, cout, Number(k), false)]],
        [words.code_reduced, [layers.conv(cin, r, 1, false), layers.conv(r, cout, Number(k), false)]],
      ],
      [cin, c["i-h"], c["i-w"]],
      text.code_print,
    ),
  };
}

export function bottleneckView({ controls: c, answer }, text) {
  const [cin, mid] = [c["b-cin"], c["b-mid"]];
  const words = text.bottleneck;
  const bias = c["b-style"] !== "torchvision";
  const stage = (a, b, k) => [layers.conv(a, b, k, bias), layers.bn(b)];
  const designs = [
    { label: fill(words.bottleneck, { cin, mid }), block: answer.bottleneck },
    { label: fill(words.basic, { mid }), block: answer.basic },
    { label: fill(words.plain, { cin }), block: answer.plain },
  ];
  const [b, basic, plain] = [answer.bottleneck, answer.basic, answer.plain];
  return {
    figures: { "bottleneck-plot": blocksFigure(designs, text) },
    designs,
    text,
    verdict: fill(words.verdict, {
      cin, mid, bp: group(b.parameters), b: group(b.multiply_adds), basic: group(basic.multiply_adds), plain: group(plain.multiply_adds),
      ratio: (100 * answer.basic_ratio).toFixed(0), wider: cin / mid,
      compare: compare(b.multiply_adds, plain.multiply_adds, text),
    }),
    code: costSnippet(
      [
        [words.code_bottleneck, [...stage(cin, mid, 1), ...stage(mid, mid, 3), ...stage(mid, cin, 1)]],
        [words.code_basic, [...stage(mid, mid, 3), ...stage(mid, mid, 3)]],
        [words.code_plain, [...stage(cin, cin, 3), ...stage(cin, cin, 3)]],
      ],
      [cin, c["b-h"], c["b-w"]],
      text.code_print,
    ),
  };
}

export function projectionView({ controls: c, answer }, text) {
  const [cin, cout, s] = [c["p-cin"], c["p-cout"], Number(c["p-s"])];
  const words = text.projection;
  const [, height, width] = answer.output_shape;
  const designs = [
    { label: fill(words.one, { s }), block: answer.projection },
    { label: fill(words.three, { s }), block: answer.conv3x3 },
  ];
  const shortcut = (k) => [layers.conv(cin, cout, k, false, s), layers.bn(cout)];
  const [one, three] = [answer.projection, answer.conv3x3];
  return {
    figures: { "projection-plot": blocksFigure(designs, text) },
    designs,
    text,
    verdict: fill(words.verdict, {
      cin, h: c["p-h"], w: c["p-w"], cout, oh: height, ow: width, s,
      p: group(one.parameters), m: group(one.multiply_adds), m3: group(three.multiply_adds),
      compare: compare(one.multiply_adds, three.multiply_adds, text),
    }),
    code: costSnippet(
      [
        [words.code_one, shortcut(1)],
        [words.code_three, shortcut(3)],
      ],
      [cin, c["p-h"], c["p-w"]],
      text.code_print,
    ),
  };
}

export function separableView({ controls: c, answer }, text) {
  const [cin, cout, k] = [c["d-cin"], c["d-cout"], Number(c["d-k"])];
  const words = text.separable;
  const designs = [
    { label: fill(words.standard, { k }), block: answer.standard },
    { label: words.separable, block: answer.separable },
  ];
  return {
    figures: { "separable-plot": blocksFigure(designs, text) },
    designs,
    text,
    verdict: fill(words.verdict, {
      ratio: answer.ratio.toFixed(4), formula: answer.formula_ratio.toFixed(4),
      cout, kk: k * k,
    }),
    code: costSnippet(
      [
        [words.code_standard, [layers.conv(cin, cout, k, false)]],
        [words.code_separable, [layers.depthwise(cin, k, false), layers.conv(cin, cout, 1, false)]],
      ],
      [cin, c["d-h"], c["d-w"]],
      text.code_print,
    ),
  };
}

const percent = (share) => (100 * share).toFixed(1);

// Counting a whole torchvision network the way the panel counts its own: the 1×1 convs' shares.
function networksSnippet(side, printed) {
  return [
    "import torch",
    "from torch import nn",
    "from torch.utils.flop_counter import FlopCounterMode",
    "from torchvision.models import mobilenet_v2, resnet50",
    "",
    "for build in (resnet50, mobilenet_v2):",
    '    with torch.device("meta"):',
    "        model = build().eval()",
    "    with FlopCounterMode(display=False) as counter:",
    `        model(torch.empty(1, 3, ${side}, ${side}, device="meta"))`,
    "    flops, root = counter.get_flop_counts(), type(model).__name__",
    "    ones = [(name, m) for name, m in model.named_modules()",
    "            if isinstance(m, nn.Conv2d) and m.kernel_size == (1, 1) and m.groups == 1]",
    "    macs = sum(sum(flops[f\"{root}.{name}\"].values()) for name, _ in ones) / counter.get_total_flops()",
    "    params = sum(m.weight.numel() for _, m in ones) / sum(p.numel() for p in model.parameters())",
    `    print(f"${printed}")`,
    "",
  ].join("\n");
}

export function networksView({ controls: c, answer }, text) {
  const words = text.networks;
  const side = c["n-side"];
  const designs = ["resnet50", "resnet50_v1", "mobilenet_v2"].map((name) => ({
    label: words[name],
    block: answer.networks[name],
  }));
  // Shares, not sizes: ResNet-50 does fourteen times MobileNetV2's multiply–adds, whose bars would vanish.
  const figure = blocksFigure(designs, text);
  const annotations = figure.layout.annotations.map((a) => ({ ...a, y: 100 }));
  const axis = (title) => ({ title: { text: title }, ticksuffix: " %", fixedrange: true, range: [0, 112] });
  figure.layout = {
    ...figure.layout,
    barnorm: "percent",
    annotations,
    yaxis: axis(words.axis_parameters),
    yaxis2: axis(words.axis_multiply_adds),
  };
  const [r, v1, m] = ["resnet50", "resnet50_v1", "mobilenet_v2"].map((name) => ({
    p: percent(answer.pointwise[name].parameters),
    m: percent(answer.pointwise[name].multiply_adds),
    parameters: group(answer.networks[name].parameters),
    macs: group(answer.networks[name].multiply_adds),
  }));
  return {
    figures: { "networks-plot": figure },
    designs,
    text,
    verdict: fill(words.verdict, {
      side, rp: r.p, rparams: r.parameters, rm: r.m, rmacs: r.macs, v1m: v1.m, v1macs: v1.macs,
      mp: m.p, mparams: m.parameters, mm: m.m, mmacs: m.macs,
    }),
    code: networksSnippet(side, words.code_print),
  };
}

export function groupedView({ controls: c, answer }, text) {
  const [cin, cout, g] = [c["g-cin"], c["g-cout"], Number(c["g-g"])];
  const words = text.grouped;
  const designs = [
    { label: words.dense, block: answer.dense },
    { label: fill(words.grouped, { g }), block: answer.grouped },
  ];
  const [dense, split] = [answer.dense, answer.grouped];
  return {
    figures: { "grouped-plot": blocksFigure(designs, text) },
    designs,
    text,
    verdict: fill(words.verdict, {
      g, per: cin / g, p: group(split.parameters), pd: group(dense.parameters),
      m: group(split.multiply_adds), md: group(dense.multiply_adds),
      compare: compare(split.multiply_adds, dense.multiply_adds, text),
    }),
    code: costSnippet(
      [
        [words.code_dense, [layers.conv(cin, cout, 1, false)]],
        [words.code_grouped, [`nn.Conv2d(${cin}, ${cout}, kernel_size=1, groups=${g}, bias=False)`]],
      ],
      [cin, c["g-h"], c["g-w"]],
      text.code_print,
    ),
  };
}

export const PANEL_VIEWS = {
  sweep: sweepView,
  inception: inceptionView,
  bottleneck: bottleneckView,
  projection: projectionView,
  separable: separableView,
  networks: networksView,
  grouped: groupedView,
};
