// The cost explorer's panels in an exported file: drawn from the data inside the file, again when
// Large type changes.
import { showPanel } from "./panel.js";
import { PANEL_VIEWS } from "./views.js";
import { largeTypeBox } from "../shared/export-chrome.js";

const { panels, text } = JSON.parse(document.getElementById("pointwise-data").textContent);

const draw = () => {
  for (const [name, data] of Object.entries(panels)) showPanel(name, PANEL_VIEWS[name](data, text));
};
draw();
largeTypeBox(draw);
document.body.dataset.ready = "1";
