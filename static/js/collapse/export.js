// The non-linearity figure in an exported file: drawn once from the data inside the file.
import { collapseSizes, collapseVerdict, collapseView, drawCollapse } from "./views.js";

const data = JSON.parse(document.getElementById("pointwise-data").textContent);
document.getElementById("collapse-verdict").textContent = collapseVerdict(data, data.text);
drawCollapse(collapseView(data, collapseSizes(), data.text), data.text);
document.body.dataset.ready = "1";
