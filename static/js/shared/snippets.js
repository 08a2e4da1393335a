// Short runnable PyTorch programs that rebuild what a view shows; their comments in the page's
// language (`words`: the "code" part of mixer.<lang>.json).
import { fill } from "./text.js";

const py = (values) => `[${values.map((v) => (Array.isArray(v) ? py(v) : String(v))).join(", ")}]`;
// Floats to seven significant digits, each written as a float ("0.0", not "0": torch.tensor would make it an integer).
const float = (v) => (/[.e]/.test(String(Number(v.toPrecision(7)))) ? String(Number(v.toPrecision(7))) : `${v}.0`);
const floats = (values) => `[${values.map((v) => (Array.isArray(v) ? floats(v) : float(v))).join(", ")}]`;

function inputLine(spec, [cin, height, width], features, words) {
  if (spec.source === "random") {
    const draw = spec.distribution === "uniform" ? "rand" : "randn";
    return `x = torch.${draw}(${cin}, ${height}, ${width}, generator=torch.Generator().manual_seed(${spec.seed}))  # (Cin, H, W)`;
  }
  if (spec.source === "values") return `x = torch.tensor(${py(spec.values)})  # (Cin, H, W)`;
  const what = spec.source === "sample" ? fill(words.sample, { name: spec.name }) : words.upload;
  return (
    `# ${fill(words.is, { what, features: features === "bank" ? words.bank : words.rgb })}\n` +
    `# ${words.exact}\n` +
    `x = torch.rand(${cin}, ${height}, ${width})  # ${words.stand_in}`
  );
}

// nn.Conv2d(Cin, Cout, kernel_size=1) with the current W and b, applied to the current input.
export function mixerSnippet(request, answer, words) {
  const [cout, cin] = answer.weight.shape;
  const apply = request.activation === "relu" ? "torch.relu(conv(x[None]))[0]" : "conv(x[None])[0]";
  return [
    "import torch",
    "from torch import nn",
    "",
    inputLine(request.input, answer.input.shape, request.features, words),
    "",
    `conv = nn.Conv2d(${cin}, ${cout}, kernel_size=1)`,
    "with torch.no_grad():",
    `    conv.weight.copy_(torch.tensor(${py(answer.weight.values)}).reshape(${cout}, ${cin}, 1, 1))`,
    `    conv.bias.copy_(torch.tensor(${py(answer.bias.values)}))`,
    `    y = ${apply}  # (Cout, H, W)`,
    "",
    "print(y.shape)",
    "",
  ].join("\n");
}

// Learn's training as a plain PyTorch loop: the input (or its stand-in) of `shape` (Cin, H, W), the
// target T it fits (T = f(W*·X + b*) with the `target` {weight, bias} the server drew, or X itself for
// the autoencoder), the model and its optimizer, full batch on the mean squared error.
export function learnSnippet(request, [cin, height, width], target, words) {
  const autoencoder = request.target.autoencoder;
  const cout = autoencoder ? cin : target.weight.length;
  const widths = [cin, ...(autoencoder ? [autoencoder.rank] : request.hidden ? [request.hidden] : []), cout];
  const between = autoencoder ? ", " : ", nn.ReLU(), ";
  const convs = widths.slice(1).map((w, i) => `nn.Conv2d(${widths[i]}, ${w}, kernel_size=1)`);
  const optimizer =
    request.optimizer === "sgd"
      ? `torch.optim.SGD(model.parameters(), lr=${request.lr}, momentum=${request.momentum})`
      : `torch.optim.Adam(model.parameters(), lr=${request.lr})`;
  const fitted = autoencoder
    ? [`target = x  # ${words.autoencoder}`]
    : [
        `w_star = torch.tensor(${floats(target.weight)})  # W* (Cout, Cin)`,
        `b_star = torch.tensor(${floats(target.bias)})  # b*`,
        `target = F.conv2d(x[None], w_star[:, :, None, None], b_star)[0]  # T`,
        ...(request.target_activation === "relu" ? ["target = torch.relu(target)"] : []),
        ...(request.noise > 0 ? [`target = target + ${request.noise} * torch.randn_like(target)  # ${words.noise}`] : []),
      ];
  return [
    "import torch",
    "from torch import nn",
    "import torch.nn.functional as F",
    "",
    inputLine(request.input, [cin, height, width], request.features, words),
    ...fitted,
    "",
    `torch.manual_seed(${request.seed})`,
    `model = ${convs.length === 1 ? convs[0] : `nn.Sequential(${convs.join(between)})`}`,
    `optimizer = ${optimizer}`,
    `for step in range(${request.steps}):  # ${words.full_batch}`,
    "    optimizer.zero_grad()",
    "    loss = F.mse_loss(model(x[None])[0], target)",
    "    loss.backward()",
    "    optimizer.step()",
    "print(loss.item())",
    "",
  ].join("\n");
}

const conv = (cin, cout, k, bias, stride = 1) =>
  `nn.Conv2d(${cin}, ${cout}, kernel_size=${k}${stride > 1 ? `, stride=${stride}` : ""}` +
  `${k > 1 ? `, padding=${(k - 1) / 2}` : ""}, bias=${bias ? "True" : "False"})`;

// The modules a cost panel compares, counted the way Pointwise counts them. `printed` is what each
// design's line says, in the page's language: "{name}: {p} parameters, {m} multiply-adds".
export function costSnippet(designs, [cin, height, width], printed) {
  const line = printed.replace("{p}", "{parameters:,}").replace("{m}", "{counter.get_total_flops() // 2:,}");
  const lines = [
    "import torch",
    "from torch import nn",
    "from torch.utils.flop_counter import FlopCounterMode",
    "",
    "designs = {",
    ...designs.map(([name, layers]) => `    ${JSON.stringify(name)}: nn.Sequential(${layers.join(", ")}),`),
    "}",
    `x = torch.empty(1, ${cin}, ${height}, ${width}, device="meta")`,
    "for name, module in designs.items():",
    '    module = module.to("meta").eval()',
    "    with FlopCounterMode(display=False) as counter:",
    "        module(x)",
    "    parameters = sum(p.numel() for p in module.parameters())",
    `    print(f"${line}")`,
    "",
  ];
  return lines.join("\n");
}

export const layers = {
  conv,
  bn: (c) => `nn.BatchNorm2d(${c})`,
  depthwise: (c, k, bias) =>
    `nn.Conv2d(${c}, ${c}, kernel_size=${k}, padding=${(k - 1) / 2}, groups=${c}, bias=${bias ? "True" : "False"})`,
};
