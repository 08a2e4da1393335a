// The pixel probe: y = f(W·x + b) written out as a matrix–vector product with the real numbers.
// `text` is the "script" part of mixer.<lang>.json, in the page's language.
import { fmt } from "../shared/plots.js";
import { fill } from "../shared/text.js";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function vector(title, values, names, highlightRow) {
  const table = el("table", "vector");
  table.append(el("caption", "", title));
  values.forEach((v, i) => {
    const tr = el("tr", i === highlightRow ? "lit" : "");
    if (names) tr.append(el("th", "", names[i]));
    tr.append(el("td", v < 0 ? "neg" : "", fmt(v)));
    table.append(tr);
  });
  return table;
}

function matrix(weight, inputNames, selected, highlightRow) {
  const table = el("table", "matrix");
  table.append(el("caption", "", `W (${weight.length}×${inputNames.length})`));
  const head = el("tr");
  head.append(el("th"));
  inputNames.forEach((name) => head.append(el("th", "col", name)));
  table.append(head);
  weight.forEach((row, n) => {
    const tr = el("tr", n === highlightRow ? "lit" : "");
    tr.append(el("th", "", `y${n}`));
    row.forEach((w, c) => {
      const cell = el("td", w < 0 ? "neg" : "", fmt(w, 2));
      if (selected && selected.row === n && selected.col === c) cell.classList.add("selected");
      tr.append(cell);
    });
    table.append(tr);
  });
  return table;
}

// An operator and the vector after it, kept on one line where the equation wraps.
function together(...parts) {
  const group = el("span", "together");
  group.append(...parts);
  return group;
}

// One output's row of the probe, for a frame too small for all of them: W[n, c], x[c] and their
// product for each input channel, then + b[n] = z[n] → y[n]; laid out across (a column per input
// channel) or, `down`, a row per input channel.
function neuron(probe, weight, bias, inputNames, n, f, down) {
  const table = el("table", "matrix neuron");
  table.append(el("caption", "", `y${n} = ${f}(Σ W[${n}, c]·x[c] + b[${n}])`));
  const number = (v) => el("td", v < 0 ? "neg" : "", fmt(v));
  const row = (name, cells) => {
    const tr = el("tr");
    tr.append(el("th", "", name), ...cells);
    table.append(tr);
  };
  const terms = weight[n].map((w, c) => number(w * probe.x[c]));
  const [b, z, y] = [bias[n], probe.z[n], probe.y[n]].map(number);
  for (const [cell, op] of [[b, "+"], [z, "="], [y, "→"]]) {
    cell.dataset.op = op;
    cell.classList.add("total");
  }
  if (down) {
    row("", [`W[${n}, c]`, "x[c]", "W·x"].map((name) => el("th", "", name)));
    inputNames.forEach((name, c) => row(name, [number(weight[n][c]), number(probe.x[c]), terms[c]]));
    for (const [name, cell] of [[`b[${n}]`, b], [`z[${n}]`, z], [`y[${n}]`, y]]) row(name, [el("td"), el("td"), cell]);
    return table;
  }
  row("", [...inputNames, `b[${n}]`, `z[${n}]`, `y[${n}]`].map((name) => el("th", "col", name)));
  row(`W[${n}, c]`, weight[n].map(number));
  row("x[c]", probe.x.map(number));
  row("W·x", [...terms, b, z, y]);
  return table;
}

// `only` ("across" or "down"): draw output `channel`'s row alone (neuron), where the whole product
// does not fit.
export function renderProbe(container, probe, weight, bias, inputNames, activation, selected, channel, text, only = null) {
  container.replaceChildren();
  if (!probe) {
    container.append(el("p", "hint", text.probe_hint));
    return;
  }
  const f = activation === "relu" ? "ReLU" : text.identity;
  if (only) {
    const relu = activation === "relu" ? "ReLU" : "";
    container.append(neuron(probe, weight, bias, inputNames, channel, relu, only === "down"));
    container.append(el("p", "check", fill(text.probe_one_row, { n: channel })));
    return;
  }
  const line = el("div", "equation");
  line.append(
    matrix(weight, inputNames, selected, channel),
    el("span", "op", "·"),
    vector("x = X[:, i, j]", probe.x, inputNames),
    el("span", "op", "+"),
    vector("b", bias, null, channel),
    el("span", "op", "="),
    vector("z", probe.z, null, channel),
    together(el("span", "op", `→ ${f} →`), vector("y", probe.y, null, channel)),
  );
  container.append(line);
  const error = probe.max_abs_error.toExponential(1);
  container.append(el("p", "check", fill(text.probe_check, { row: probe.row, col: probe.col, error })));
}
