// Data → figures, verdicts and code for the cost explorer's panels. No DOM wiring here: page.js
// (the live page) and export.js (an offline file) both draw from these. `text` is the "script"
// part of the page's catalogue (cost.<lang>.json), in the page's language.
import { group } from "../shared/plots.js";
import { costSnippet, layers } from "../shared/snippets.js";
import { fill } from "../shared/text.js";
import { blocksFigure, compare, sweepFigure } from "./figures.js";
import { groupedView, networksView } from "./networks.js";

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

export const PANEL_VIEWS = {
  sweep: sweepView,
  inception: inceptionView,
  bottleneck: bottleneckView,
  projection: projectionView,
  separable: separableView,
  networks: networksView,
  grouped: groupedView,
};
