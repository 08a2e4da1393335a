// The cost explorer's panels in an exported file: drawn once from the data inside the file.
import { showPanel } from "./panel.js";
import { PANEL_VIEWS } from "./views.js";

const { panels, text } = JSON.parse(document.getElementById("pointwise-data").textContent);

for (const [name, data] of Object.entries(panels)) showPanel(name, PANEL_VIEWS[name](data, text));
document.body.dataset.ready = "1";
