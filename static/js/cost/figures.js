// The cost explorer's figures and sentences: each panel's counts → a Plotly figure or a verdict.
// views.js and networks.js make the panels from them.
import { COLOURS } from "../shared/config.js";
import { font, group } from "../shared/plots.js";
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
