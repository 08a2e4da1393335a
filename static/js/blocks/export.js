// A block run in an exported file: drawn from the data inside the file; a click on a stage shows
// its maps, and the channel picker moves within the maps the file holds.
import { defaultNode, renderDiagram, renderStage, renderSummary, stageByName } from "./panel.js";
import { largeTypeBox } from "../shared/export-chrome.js";

const $ = (id) => document.getElementById(id);
const data = JSON.parse($("pointwise-data").textContent);
const { answer, text } = data;
let node = defaultNode(answer, data.state.node);
let channel = data.state.ch;

function draw() {
  renderDiagram(answer, node, text);
  channel = Math.max(0, Math.min(channel, stageByName(answer, node).shape[0] - 1));
  renderStage(answer, node, channel, text);
}

$("diagram").addEventListener("click", (event) => {
  const stage = event.target.closest?.(".node")?.dataset.stage;
  if (!stage) return;
  node = stage;
  draw();
});
$("ch").addEventListener("change", () => {
  channel = Number($("ch").value) || 0;
  draw();
});

renderSummary(answer, text);
draw();
largeTypeBox(draw);
document.body.dataset.ready = "1";
