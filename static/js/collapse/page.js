// The lesson's folding figure: two 1×1 layers and the one layer W2·W1 they collapse into without
// ReLU (view=collapse); a 1×1 layer with BatchNorm and the one layer they fold into (view=fold).
import { getJSON, refusal } from "../shared/api.js";
import { collapseSizes, collapseView, drawCollapse, writeVerdicts } from "./views.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const text = JSON.parse($("collapse-text").textContent);
const initial = JSON.parse($("collapse-state").textContent); // parsed by the server
const views = initial.view.length ? initial.view : ["collapse"];
if ($("relu")) $("relu").checked = initial.relu === "1";
$("seed").value = String(initial.seed);
const relu = () => ($("relu")?.checked ? "1" : "0");

// The server computes both layers and their product W2·W1, and the folded layer with its measured
// difference (app/lab/mixer/collapse.py), as for the export.
const data = () => getJSON("/data/collapse", { seed: $("seed").value, relu: relu(), view: views.join(",") });

async function refresh() {
  document.body.dataset.busy = "1";
  if ($("relu")) params.set("relu", relu());
  params.set("seed", $("seed").value);
  history.replaceState(null, "", `?${params}`);
  const verdicts = [...document.querySelectorAll(".collapse .verdict")];
  try {
    const answer = await data();
    writeVerdicts(answer, text); // first: the figures take the height they leave
    drawCollapse(collapseView(answer, collapseSizes(views), text), text);
    verdicts.forEach((verdict) => verdict.classList.remove("error"));
  } catch (error) {
    verdicts[0].textContent = refusal(error, { seed: { name: text.seed, min: $("seed").min, max: $("seed").max } });
    verdicts[0].classList.add("error");
  }
  delete document.body.dataset.busy;
  document.body.dataset.ready = "1";
}

$("relu")?.addEventListener("change", refresh);
$("seed").addEventListener("change", refresh);
refresh();
