// The collapse and folding figure in an exported file: drawn from the data inside the file, again
// when the window or Large type changes.
import { collapseSizes, collapseView, drawCollapse, writeVerdicts } from "./views.js";
import { largeTypeBox } from "../shared/export-chrome.js";

const data = JSON.parse(document.getElementById("pointwise-data").textContent);
writeVerdicts(data, data.text);
const draw = () => drawCollapse(collapseView(data, collapseSizes(data.views), data.text), data.text);
draw();
window.addEventListener("resize", draw);
largeTypeBox(draw);
document.body.dataset.ready = "1";
