// The non-linearity figure: two 1×1 layers, and the one layer W2·W1 they collapse into without ReLU.
import { getJSON, refusal } from "../shared/api.js";
import { collapseSizes, collapseVerdict, collapseView, drawCollapse } from "./views.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const text = JSON.parse($("collapse-text").textContent);
const initial = JSON.parse($("collapse-state").textContent); // parsed by the server
$("relu").checked = initial.relu === "1";
$("seed").value = String(initial.seed);

// The server computes both layers and their product W2·W1 (app/lab/mixer/collapse.py), as for the export.
const data = () => getJSON("/data/collapse", { seed: $("seed").value, relu: $("relu").checked ? "1" : "0" });

async function refresh() {
  document.body.dataset.busy = "1";
  params.set("relu", $("relu").checked ? "1" : "0");
  params.set("seed", $("seed").value);
  history.replaceState(null, "", `?${params}`);
  const verdict = $("collapse-verdict");
  try {
    const answer = await data();
    verdict.textContent = collapseVerdict(answer, text); // first: the figures take the height it leaves
    drawCollapse(collapseView(answer, collapseSizes(), text), text);
    verdict.classList.remove("error");
  } catch (error) {
    verdict.textContent = refusal(error, { seed: { name: text.seed, min: $("seed").min, max: $("seed").max } });
    verdict.classList.add("error");
  }
  delete document.body.dataset.busy;
  document.body.dataset.ready = "1";
}

$("relu").addEventListener("change", refresh);
$("seed").addEventListener("change", refresh);
refresh();
