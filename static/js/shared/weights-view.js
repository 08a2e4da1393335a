// The weight matrix W, with the bias b as one more column, as a heatmap on the diverging scale: the
// Mixer's, the collapse figure's and Learn's.
import { COLOURS, DIVERGING, FONT } from "./config.js";
import { colourBar, font, robustLimit } from "./plots.js";

// The output channels' names, y0, y1, …: W's rows and the maps of Y.
export const outputNames = (count) => Array.from({ length: count }, (_, n) => `y${n}`);

// W (Cout × Cin) with b as an extra column (named `biasName`), on a diverging scale centred on zero.
// Rows are named y0, y1, … unless `rowNames` says otherwise (a hidden layer's h0, h1, …).
// `width` (CSS pixels), where known, leaves the numbers out of cells too narrow for them; `height`,
// in a frame, is the figure's height there (else it grows with the rows); `scale` ({limit, clipped}
// of robustLimit) puts matrices that are compared on one colour range.
export function weightsFigure(weight, bias, inputNames, selected, options = {}) {
  const { rowNames: names, biasName = "bias b", width = null, height: fitted = null, scale = null } = options;
  const rowNames = names ?? outputNames(weight.length);
  const columns = [...inputNames, biasName];
  const z = weight.map((row, n) => [...row, bias[n]]);
  const rows = z.length;
  // One weight typed far out of the others' range saturates its own cell, not the whole scale.
  const { limit, clipped } = scale ?? robustLimit(z.flat());
  const f = font();
  const grow = f.size / FONT.size;
  const height = fitted ?? Math.min(380 * grow, 110 * grow + 26 * grow * rows);
  // Every column named: slanted where the cells leave a line of text between two slanted names,
  // else upright (placeLabels leaves out a name closer than a line to the one before it).
  const line = 1.15 * LABEL_EM * ROOT_PX * grow;
  const slant = !width || ((width - 44 * grow - 80 * grow) / columns.length) * 0.71 >= line ? -45 : -90;
  // Room under the cells for the column names: as much as the longest one needs.
  const [top, bottom] = [8, Math.min(110 * grow, 16 + (slant === -45 ? 0.71 : 1) * labelWidth(columns, grow))];
  const plotHeight = height - top - bottom;
  const bar = colourBar(limit, clipped, f, plotHeight);
  // Room on the right for the colour bar: the HTML labels are placed from these margins, so Plotly
  // must not widen them on its own.
  const margin = { l: 44 * grow, r: colourBarRoom(bar, f), t: top, b: bottom, autoexpand: false };
  const cellWidth = width ? (width - margin.l - margin.r) / columns.length : Infinity;
  // A number in every cell of at least 28×16 CSS pixels, never under 12 px (the cells' type size,
  // 16 px with Large type), in as many characters as the cell holds (cellText).
  const cellHeight = plotHeight / rows;
  const textPx = Math.max(12, f.size - 2);
  const chars = Math.floor((cellWidth - 4) / (0.62 * textPx));
  const numbers = cellWidth >= 28 && cellHeight >= 16 && chars >= 3 && cellHeight >= 1.15 * textPx;
  const shapes = [
    {
      type: "line",
      x0: inputNames.length - 0.5,
      x1: inputNames.length - 0.5,
      y0: -0.5,
      y1: rows - 0.5,
      line: { color: "#000", width: 2 },
    },
  ];
  if (selected) {
    const { row, col } = selected;
    const line = { color: COLOURS.highlight, width: 4 };
    shapes.push({ type: "rect", x0: col - 0.5, x1: col + 0.5, y0: row - 0.5, y1: row + 0.5, line });
  }
  // Axis labels are HTML laid over the plot (see placeLabels): they do not change while W is
  // edited, and Plotly would measure every one of them again on each redraw.
  const labels = [
    ...columns.map((text, c) => ({ text, x: c, y: rows - 0.5, dy: 6, anchor: "end", angle: slant })),
    ...rowNames.map((text, n) => ({ text, x: -0.5, y: n, dx: -6, anchor: "end" })),
  ];
  return {
    data: [
      {
        type: "heatmap",
        z,
        customdata: z.map((row, n) =>
          row.map((_, c) => (c < inputNames.length ? `W[${rowNames[n]}, ${columns[c]}]` : `b[${rowNames[n]}]`)),
        ),
        hovertemplate: "%{customdata} = %{z:.5f}<extra></extra>",
        colorscale: DIVERGING,
        zmin: -limit,
        zmax: limit,
        xgap: 1,
        ygap: 1,
        // The sign without colour: each value in its cell where they fit (else negativeMarks).
        text: z.map((row) => row.map((w) => cellText(w, chars))),
        texttemplate: numbers ? "%{text}" : "",
        textfont: { family: f.family, size: textPx }, // no colour: Plotly picks one that contrasts with the cell
        showscale: true,
        colorbar: bar,
      },
      ...(numbers ? [] : [negativeMarks(z, limit, height / rows)]),
    ],
    layout: {
      // Rows and the room for the slanted column names grow with the type (Large type, presenter mode).
      height,
      margin,
      xaxis: { visible: false, range: [-0.5, columns.length - 0.5], fixedrange: true },
      yaxis: { visible: false, range: [rows - 0.5, -0.5], fixedrange: true },
      shapes,
      font: f,
      paper_bgcolor: "rgba(0,0,0,0)",
    },
    labels,
    limit,
    clipped,
  };
}

// A weight as its cell shows it, in `chars` characters at most (a real minus sign): two decimals
// ("−0.25"), or one digit and its exponent where two decimals would round it to 0 ("−2e−3"); in a
// cell of four or three characters the leading zero goes (".25", "−.3").
function cellText(w, chars) {
  const full = w === 0 || Math.abs(w) >= 0.005 ? w.toFixed(2) : w.toExponential(0);
  const shorter = [full, w.toFixed(2), w.toFixed(1)].map((t) => t.replace(/^(-?)0\./, "$1.").replaceAll("-", "−"));
  return [full.replaceAll("-", "−"), ...shorter].find((t) => t.length <= chars) ?? shorter.at(-1);
}

// Where W is too large for its numbers, a dash in every negative cell, so the sign reads without
// colour: white on the darkest cells, dark on the others.
function negativeMarks(z, limit, cellPx) {
  const cells = z.flatMap((row, n) => row.map((w, c) => [c, n, w])).filter(([, , w]) => w < 0);
  return {
    type: "scatter",
    mode: "markers",
    x: cells.map(([c]) => c),
    y: cells.map(([, n]) => n),
    hoverinfo: "skip",
    showlegend: false,
    marker: {
      symbol: "line-ew",
      size: Math.max(3, Math.min(12, 0.6 * cellPx)),
      line: { width: 1.5, color: cells.map(([, , w]) => (-w / limit > 0.6 ? "#fff" : COLOURS.text)) },
    },
  };
}

// The HTML labels' size (app.css: 0.8 rem of a 15 px root, which Large type grows).
const [LABEL_EM, ROOT_PX] = [0.8, 15];

// The width of the widest of `names` as the HTML labels draw them (CJK characters a whole em).
function labelWidth(names, grow) {
  const em = LABEL_EM * 16 * grow;
  const width = (name) => [...name].reduce((sum, ch) => sum + (ch.codePointAt(0) >= 0x2e80 ? 1 : 0.62), 0);
  return em * Math.max(...names.map(width));
}

// The width a vertical colour bar takes with its tick labels, in pixels.
function colourBarRoom(bar, f) {
  const longest = Math.max(...bar.ticktext.map((tick) => tick.length));
  return Math.ceil(bar.thickness + bar.xpad + 0.62 * f.size * longest + 8);
}
