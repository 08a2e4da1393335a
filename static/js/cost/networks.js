// The panels of where the compute goes: the share of 1×1 layers in whole networks built on the
// meta device, and a grouped 1×1 convolution (ShuffleNet) against the dense one.
import { group } from "../shared/plots.js";
import { costSnippet, layers } from "../shared/snippets.js";
import { fill } from "../shared/text.js";
import { blocksFigure, compare } from "./figures.js";

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
