// The block as a flow diagram, drawn like Netron's: one node per stage (its operation, name,
// parameters, multiply–adds and the running total), one edge per tensor, labelled with its shape;
// the 1×1 convolutions marked. Pure: stages in, SVG markup out (standalone, so it downloads as is).
// What is code (a stage's name, the key the copied program stores it under; a PyTorch class) is set
// in a monospace face with class="code"; the operation above it is in the page's own words.
import { COLOURS, FONT } from "../shared/config.js";

export const GRAPH = {
  nodeWidth: 236,
  nodeHeight: 74,
  rowPitch: 112, // node height + room for the edge and its shape label
  lanePitch: 276,
  bypass: 26, // a shortcut from a stage to one further down the same lane runs this far to its right
  margin: 16,
  line: 15,
  fill: "#ffffff",
  oneByOneFill: "#fff3e0",
  edge: "#607d8b",
  muted: "#5f6b73",
  mono: "ui-monospace, 'DejaVu Sans Mono', monospace",
  fontSize: 12, // a node's text, in the diagram's own units; its shape labels and totals are a point smaller
};

const escapeXml = (text) =>
  String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

export function compact(n) {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return n.toLocaleString("en-US");
}

export const shapeText = (shape) => shape.join("×");

// Rows by longest path from the input; lanes: a stage continues its source's lane unless that lane
// is taken by an earlier child (then it opens a new one); a concat sits centred over what it joins.
export function layout(stages) {
  const row = {};
  const lane = {};
  const taken = new Set();
  let lanes = 1;
  for (const stage of stages) {
    if (!stage.inputs.length) {
      row[stage.name] = 0;
      lane[stage.name] = 0;
      continue;
    }
    row[stage.name] = 1 + Math.max(...stage.inputs.map((s) => row[s]));
    const first = stage.inputs[0];
    if (stage.inputs.length > 1) {
      const joined = stage.inputs.map((s) => lane[s]);
      lane[stage.name] = stage.op === "cat" ? (Math.min(...joined) + Math.max(...joined)) / 2 : lane[first];
    } else if (taken.has(first)) {
      lane[stage.name] = lanes++;
    } else {
      lane[stage.name] = lane[first];
    }
    stage.inputs.forEach((s) => taken.add(s));
  }
  const rows = 1 + Math.max(...Object.values(row));
  return { row, lane, rows, lanes };
}

// The running totals of parameters and multiply–adds, stage by stage, in the order the block runs them.
export function runningTotals(stages) {
  let parameters = 0;
  let multiplyAdds = 0;
  return stages.map((s) => {
    parameters += s.parameters;
    multiplyAdds += s.multiply_adds;
    return { parameters, multiplyAdds };
  });
}

// Where an edge is drawn, and where its shape label sits: by the source when the target joins
// several edges (an add, a concat), else by the target (a stage read by several others).
function edgePath(from, to, sameLaneSkip, joined) {
  const { nodeHeight: h, nodeWidth: w, bypass } = GRAPH;
  const x0 = from.x;
  const y0 = from.y + h / 2;
  const x1 = to.x;
  const y1 = to.y - h / 2;
  if (sameLaneSkip) {
    const bx = x0 + w / 2 + bypass;
    const yIn = to.y - h / 4;
    return {
      d: `M${x0 + w / 2},${from.y} H${bx} V${yIn} H${x1 + w / 2}`,
      label: { x: bx + 4, y: (from.y + to.y) / 2, anchor: "start" },
    };
  }
  const bend = Math.max(y0, y1 - GRAPH.rowPitch + h);
  const d =
    x0 === x1 ? `M${x0},${y0} V${y1}` : `M${x0},${y0} V${bend} C${x0},${bend + 30} ${x1},${y1 - 30} ${x1},${y1}`;
  const gap = GRAPH.rowPitch - h;
  const label = joined ? { x: x0 + 5, y: y0 + gap / 2 + 4 } : { x: x1 + 5, y: y1 - gap / 2 + 4 };
  return { d, label: { ...label, anchor: "start" } };
}

// A node's code line: the stage's name, and the PyTorch class it calls where the line above it
// names the operation in other words (BatchNorm2d under 批归一化; nothing under "BatchNorm2d").
function codeLine(stage, label) {
  const pytorch = stage.op.split(" ")[0];
  return /^[A-Z]/.test(pytorch) && !label.startsWith(pytorch) ? `${stage.name}: ${pytorch}` : stage.name;
}

// The diagram's size in its own units, {width, height, column}, its rows laid out `perColumn` to a
// column (all in one by default; a wide frame takes a long block in several, side by side).
export function graphSize(stages, perColumn = Infinity) {
  const { nodeWidth: w, nodeHeight: h, rowPitch, lanePitch, margin } = GRAPH;
  const { rows, lanes } = layout(stages);
  const shown = Math.min(rows, perColumn);
  const columns = Math.ceil(rows / shown);
  const outputRoom = rowPitch - h; // the block's output leaves the last stage with its shape
  const column = w + (lanes - 1) * lanePitch + GRAPH.bypass + 70;
  const top = columns > 1 ? rowPitch - h : 0; // room over the columns for the edges that enter them
  const height = top + margin * 2 + h + (shown - 1) * rowPitch + outputRoom;
  return { width: margin * 2 + columns * column, height, column, top };
}

// How many screen pixels a unit of the diagram takes: its text as large as the figures' text
// (`fontSize`, 13 or 18 px with Large type), narrowed to the `room` it has down to three quarters
// of that; with Large type never narrowed (the diagram's box scrolls sideways instead).
export function graphScale(stages, room, fontSize, large) {
  const wanted = fontSize / GRAPH.fontSize;
  if (large || !room) return wanted;
  return Math.max(0.75 * wanted, Math.min(wanted, room / graphSize(stages).width));
}

// How the diagram fits a box `width` × `height` both ways at its largest: {scale, perColumn}, its
// rows in as many columns as make it largest.
export function graphFit(stages, width, height) {
  let best = { scale: 0, perColumn: Infinity };
  for (let perColumn = layout(stages).rows; perColumn >= 1; perColumn--) {
    const size = graphSize(stages, perColumn);
    const scale = Math.min(width / size.width, height / size.height);
    if (scale > best.scale) best = { scale, perColumn };
  }
  return best;
}

// An edge from one column to the next: down from its source, along the gap beside the source's
// column, and into its target from above; its label beside the target, on the left of the edge where
// the target joins several edges (the other edge's label is on the right).
function crossing(from, to, columnRight, joined) {
  const { nodeHeight: h, rowPitch } = GRAPH;
  const gap = rowPitch - h;
  const y0 = from.y + h / 2;
  const y1 = to.y - h / 2;
  const d = `M${from.x},${y0} V${y0 + gap / 2} H${columnRight} V${y1 - gap / 2} H${to.x} V${y1}`;
  return { d, label: joined ? { x: to.x - 5, y: y1 - gap / 2 - 4, anchor: "end" } : { x: to.x + 5, y: y1 - 5, anchor: "start" } };
}

// text: { params(n), macs(n), total(p, m), op(op), oneByOne, title } — the page's own words; the
// diagram is drawn `scale` screen pixels to its unit, `perColumn` rows to a column.
export function graphSvg(stages, { selected, text, scale = 1, perColumn = Infinity }) {
  const { nodeWidth: w, nodeHeight: h, rowPitch, lanePitch, margin, line } = GRAPH;
  const { row, lane } = layout(stages);
  const { width, height, column, top } = graphSize(stages, perColumn);
  const wrapped = Number.isFinite(perColumn);
  const columnOf = (name) => (wrapped ? Math.floor(row[name] / perColumn) : 0);
  const centre = (name) => ({
    x: margin + w / 2 + lane[name] * lanePitch + columnOf(name) * column,
    y: top + margin + h / 2 + (wrapped ? row[name] % perColumn : row[name]) * rowPitch,
  });
  const outputRoom = rowPitch - h;
  const byName = Object.fromEntries(stages.map((s) => [s.name, s]));
  const totals = runningTotals(stages);
  const crossed = {}; // edges drawn so far across the gap after each column
  const parts = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${Math.round(width * scale)}" ` +
      `height="${Math.round(height * scale)}" font-family="${escapeXml(FONT.family)}" font-size="${GRAPH.fontSize}" ` +
      `role="group" aria-label="${escapeXml(text.title)}">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
      `<path d="M0,0 L10,5 L0,10 z" fill="${GRAPH.edge}"/></marker></defs>`,
  );
  for (const stage of stages) {
    for (const source of stage.inputs) {
      const from = centre(source);
      const to = centre(stage.name);
      const skip = lane[source] === lane[stage.name] && row[stage.name] - row[source] > 1;
      const joined = stage.inputs.length > 1;
      const k = columnOf(source);
      let route = null;
      if (k !== columnOf(stage.name)) {
        crossed[k] = (crossed[k] ?? -1) + 1; // the edges across the gap after column k, a few units apart
        route = crossing(from, to, margin + (k + 1) * column - 30 - 8 * crossed[k], joined);
      }
      const { d, label } = route ?? edgePath(from, to, skip, joined);
      parts.push(
        `<path class="edge" d="${d}" fill="none" stroke="${GRAPH.edge}" stroke-width="1.5" marker-end="url(#arrow)"/>`,
        `<text x="${label.x}" y="${label.y}" text-anchor="${label.anchor}" fill="${GRAPH.muted}" font-size="11">` +
          `${escapeXml(shapeText(byName[source].shape))}</text>`,
      );
    }
  }
  stages.forEach((stage, i) => {
    const { x, y } = centre(stage.name);
    const left = x - w / 2;
    const top = y - h / 2;
    const chosen = stage.name === selected;
    const stroke = chosen ? COLOURS.negative : stage.one_by_one ? COLOURS.highlight : COLOURS.node;
    const strokeWidth = chosen ? 4 : stage.one_by_one ? 2.5 : 1.2;
    const fill = stage.one_by_one ? GRAPH.oneByOneFill : GRAPH.fill;
    const cost = `${text.params(stage.parameters)}; ${text.macs(stage.multiply_adds)}`;
    const op = text.op(stage.op);
    const label = `${stage.name}: ${op}, ${shapeText(stage.shape)}, ${cost}`;
    parts.push(
      `<g class="node${chosen ? " selected" : ""}" data-stage="${escapeXml(stage.name)}" tabindex="0" role="button" ` +
        `aria-pressed="${chosen}" aria-label="${escapeXml(label)}" cursor="pointer">`,
      `<rect x="${left}" y="${top}" width="${w}" height="${h}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="${strokeWidth}"/>`,
      `<text x="${left + 8}" y="${top + line}" font-weight="700" fill="${COLOURS.text}">${escapeXml(op)}</text>`,
      stage.one_by_one
        ? `<text x="${left + w - 8}" y="${top + line}" text-anchor="end" font-weight="700" fill="${COLOURS.highlight}">${escapeXml(text.oneByOne)}</text>`
        : "",
      `<text class="code" x="${left + 8}" y="${top + 2 * line}" font-family="${GRAPH.mono}" fill="${COLOURS.text}">` +
        `${escapeXml(codeLine(stage, op))}</text>`,
      `<text x="${left + 8}" y="${top + 3 * line}" fill="${COLOURS.text}">${escapeXml(cost)}</text>`,
      `<text x="${left + 8}" y="${top + 4 * line + 1}" fill="${GRAPH.muted}" font-size="11">` +
        `${escapeXml(text.total(totals[i].parameters, totals[i].multiplyAdds))}</text>`,
      `<title>${escapeXml(label)}</title>`,
      "</g>",
    );
  });
  const last = stages.at(-1);
  const out = centre(last.name);
  const y0 = out.y + h / 2;
  parts.push(
    `<path class="edge" d="M${out.x},${y0} V${y0 + outputRoom - 4}" stroke="${GRAPH.edge}" stroke-width="1.5" marker-end="url(#arrow)"/>`,
    `<text x="${out.x + 5}" y="${y0 + outputRoom / 2 + 4}" fill="${GRAPH.muted}" font-size="11">${escapeXml(shapeText(last.shape))}</text>`,
    "</svg>",
  );
  return parts.join("");
}
