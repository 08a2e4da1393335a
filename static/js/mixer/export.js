// The Mixer's views in an exported file, drawn by the page's own renderMixer from the data inside the
// file, with no server. A click on a map probes that pixel, a click on an output tile or a row of W
// explains that channel: local-mix.js computes both here, from the file's X, W and b.
import { decodeAnswer, mixerElements, renderMixer } from "./render.js";
import { explainChannel, probePixel } from "./local-mix.js";
import { focusable, stepProbe, wireMap } from "./map-keys.js";
import { largeTypeBox } from "../shared/export-chrome.js";

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
const [cout, cin] = answer.weight.shape;
const [, height, width] = decoded.input.shape;
const clamp = (v, high) => Math.max(0, Math.min(high, v));
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
  shown.probe = { row, col };
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
// the arrow keys move the probed pixel, as on the page.
function wireMapView(plot, which) {
  if (!plot.on) return false; // a view left out is never drawn
  wireMap(plot, () => shown.drawn.grids?.[which], text.map_keys, {
    onPixel(hit) {
      probeAt(hit.row, hit.col);
      if (which === "output") explain(hit.tile);
      draw();
    },
    onMove(move) {
      const { row, col } = stepProbe(shown.probe, move, [height, width]);
      probeAt(row, col);
      draw();
    },
  });
  return true;
}

// W: a click on a cell (or the arrow keys) outlines it and explains its row's output channel.
// (editor.js selects the page's cells the same way, and edits them.)
function wireWeights(plot) {
  if (!plot.on) return false;
  const pick = (row, col) => {
    shown.selected = { row, col };
    explain(row);
  };
  focusable(plot, text.weights_keys, ([rows, cols]) => {
    const { row, col } = shown.selected;
    pick(clamp(row + rows, cout - 1), clamp(col + cols, cin));
    draw();
  });
  plot.on("plotly_click", (event) => {
    pick(event.points[0].y, event.points[0].x);
    draw();
    plot.focus();
  });
  return true;
}

draw();
const wired = [wireMapView(dom.inputGrid, "input"), wireMapView(dom.outputGrid, "output"), wireWeights(dom.weights)];
// With no map and no W among the views (?view=probe,graph), there is nothing to click: no word about it.
document.getElementById("offline-local").hidden = !wired.includes(true);
window.addEventListener("resize", draw);
largeTypeBox(draw);
document.body.dataset.ready = "1";
