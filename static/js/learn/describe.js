// Learn's figures in words, for screen readers: what each shows, its shape and its channel names.
// `D` is the "describe" part of learn.<lang>.json.
import { fmt } from "../shared/plots.js";
import { fill } from "../shared/text.js";

// Names as a list in the page's words; a long run of them (y0 … y63) as its first and last.
function nameList(names, D) {
  return names.length > 12 ? fill(D.range, { first: names[0], last: names.at(-1) }) : names.join(D.separator);
}

export const linesText = (lines, D) => lines.map((line) => fill(D.line, { name: line.name, value: fmt(line.value, 6) })).join("");

export function curveText(what, latest, lines, steps, D) {
  return fill(D.curve, { what, steps, step: latest.step, loss: fmt(latest.loss, 6), lines: linesText(lines, D) });
}

export function weightsText(what, weight, rowNames, columnNames, D) {
  const shape = { rows: weight.length, cols: columnNames.length };
  return fill(D.weights, { what, ...shape, row_names: nameList(rowNames, D), col_names: nameList(columnNames, D) });
}

export function mapsText(what, tensor, names, D) {
  const [count, height, width] = tensor.shape;
  return fill(D.maps, { what, count, height, width, names: nameList(names, D) });
}
