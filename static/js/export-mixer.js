// The Mixer's views in an exported file, drawn by the page's own renderMixer from the data inside the
// file, with no server. A click on a map probes that pixel, a click on an output tile or a row of W
// explains that channel: local-mix.js computes both here, from the file's X, W and b.
import { decodeAnswer, mixerElements, renderMixer } from "./mixer-render.js";
import { explainChannel, probePixel } from "./local-mix.js";
import { hitTile } from "./plots.js";
import { fill } from "./text.js";

const { answer, request, views, shared, text } = JSON.parse(document.getElementById("pointwise-data").textContent);

// The views the state asked for (?view=…), as the page leaves the others out.
for (const element of document.querySelectorAll("[data-view]")) {
  if (views.length && !views.includes(element.dataset.view)) element.classList.add("left-out");
}
const dom = mixerElements();
const decoded = decodeAnswer(answer, null, request.activation, text.channels);
const mix = {
  input: decoded.input,
  output: decoded.output,
  weight: answer.weight.values,
  bias: answer.bias.values,
  activation: request.activation,
};
const [cout] = answer.weight.shape;
const [, height, width] = decoded.input.shape;
// Rounded to 8 bits (an export too large in float32), the file says its numbers are approximate.
document.getElementById("eight-bit").hidden = answer.input.maps.dtype === "f4";

// What the file shows: at first the server's probe and explanation, as exported; after a click, the
// ones computed here (`local` says which), captioned as such. Tests read it.
export const shown = {
  answer,
  channel: request.explain_channel,
  probe: request.probe,
  selected: { row: request.explain_channel, col: 0 },
  local: { probe: false, explain: false },
  drawn: {},
};

function draw() {
  const words = { ...text };
  if (shown.local.probe) words.probe_check = text.local_probe_check;
  if (shown.local.explain) words.sum_caption = text.local_sum_caption;
  const { answer: current, channel, probe, selected, drawn } = shown;
  renderMixer(dom, { ...decoded, answer: current, activation: mix.activation, channel, probe, shared, selected, drawn, text: words });
}

function probeAt(row, col) {
  shown.probe = { row: Math.max(0, Math.min(height - 1, row)), col: Math.max(0, Math.min(width - 1, col)) };
  shown.answer = { ...shown.answer, probe: probePixel(mix, shown.probe.row, shown.probe.col) };
  shown.local.probe = true;
}

function explain(channel) {
  if (channel === shown.channel && shown.local.explain) return;
  shown.channel = channel;
  shown.selected = { ...shown.selected, row: channel };
  shown.answer = { ...shown.answer, explain: explainChannel(mix, channel) };
  shown.local.explain = true;
}

// A map: a click probes the pixel under it (on Y, and explains that tile's channel); with the focus,
// the arrow keys move the probed pixel. (mixer.js wires the page's grids the same way.)
const MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

function wireMap(plot, which) {
  if (!plot.on) return; // a view left out is never drawn
  plot.tabIndex = 0;
  const caption = plot.closest("figure").querySelector("figcaption").textContent.trim();
  plot.setAttribute("role", "group");
  plot.setAttribute("aria-label", fill(text.map_keys, { name: caption }));
  plot.on("plotly_click", (event) => {
    const grid = shown.drawn.grids?.[which];
    const hit = grid && hitTile(grid, event.points[0].x + 0.5, event.points[0].y + 0.5);
    if (!hit) return;
    probeAt(hit.row, hit.col);
    if (which === "output") explain(hit.tile);
    draw();
    plot.focus();
  });
  plot.addEventListener("keydown", (event) => {
    const move = MOVES[event.key];
    if (!move || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    const from = shown.probe ?? { row: Math.floor(height / 2), col: Math.floor(width / 2) };
    probeAt(from.row + move[0], from.col + move[1]);
    draw();
  });
}

// W: a click on a row (or the up and down arrow keys) explains that output channel; the cell clicked
// is outlined. (mixer-editor.js selects the page's cells the same way, and edits them.)
function wireWeights(plot) {
  if (!plot.on) return;
  plot.tabIndex = 0;
  const caption = plot.closest("figure").querySelector("figcaption").textContent.trim();
  plot.setAttribute("role", "group");
  plot.setAttribute("aria-label", fill(text.weights_keys, { name: caption }));
  plot.on("plotly_click", (event) => {
    const { x: col, y: row } = event.points[0];
    shown.selected = { row, col };
    explain(row);
    draw();
    plot.focus();
  });
  plot.addEventListener("keydown", (event) => {
    const step = { ArrowUp: -1, ArrowDown: 1 }[event.key];
    if (step === undefined || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    explain(Math.max(0, Math.min(cout - 1, shown.channel + step)));
    draw();
  });
}

draw();
wireMap(dom.inputGrid, "input");
wireMap(dom.outputGrid, "output");
wireWeights(dom.weights);
window.addEventListener("resize", draw);
document.body.dataset.ready = "1";
