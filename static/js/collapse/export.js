// The collapse and folding figure in an exported file: drawn once from the data inside the file.
import { collapseSizes, collapseView, drawCollapse, writeVerdicts } from "./views.js";

const data = JSON.parse(document.getElementById("pointwise-data").textContent);
writeVerdicts(data, data.text);
drawCollapse(collapseView(data, collapseSizes(data.views), data.text), data.text);
document.body.dataset.ready = "1";
