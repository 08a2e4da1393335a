// The Mixer's views in an exported file: drawn once from the data inside the file, no server, by the
// page's own renderMixer.
import { decodeAnswer, mixerElements, paintScaleBars, renderMixer } from "./mixer-render.js";

const { answer, request, views, shared, text } = JSON.parse(document.getElementById("pointwise-data").textContent);

// The views the state asked for (?view=…), as the page leaves the others out.
for (const element of document.querySelectorAll("[data-view]")) {
  if (views.length && !views.includes(element.dataset.view)) element.classList.add("left-out");
}
const channel = request.explain_channel;
renderMixer(mixerElements(), {
  ...decodeAnswer(answer, null, request.activation, text.channels),
  activation: request.activation,
  channel,
  probe: request.probe,
  shared,
  selected: { row: channel, col: 0 },
  newInput: true,
  drawn: {},
  text,
});
paintScaleBars();
document.body.dataset.ready = "1";
