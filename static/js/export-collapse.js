// The non-linearity figure in an exported file: drawn once from the data inside the file.
import { collapseView, drawCollapse } from "./collapse-views.js";

const $ = (id) => document.getElementById(id);
const data = JSON.parse($("pointwise-data").textContent);
const view = collapseView(data, { two: $("two-plot").clientWidth, one: $("one-plot").clientWidth }, data.text);
$("collapse-verdict").textContent = view.verdict;
drawCollapse(view, data.text);
document.body.dataset.ready = "1";
