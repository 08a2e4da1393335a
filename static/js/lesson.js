// The lesson: one step on screen at a time, ← and → between them, P for presenter mode.
// The step, the language and presenter mode live in the URL; a step's figure loads when shown.
import { copyText, embedCode } from "./share.js";
import { commonText } from "./text.js";

const $ = (id) => document.getElementById(id);
const count = Number($("lesson").dataset.steps);
const params = new URLSearchParams(location.search);
let step = Math.min(count, Math.max(1, Number.parseInt(params.get("step"), 10) || 1));

function show(n, push) {
  step = Math.min(count, Math.max(1, n));
  for (const section of document.querySelectorAll(".step")) {
    const current = Number(section.dataset.step) === step;
    section.hidden = !current;
    const frame = section.querySelector("iframe");
    if (current && !frame.src) frame.src = frame.dataset.src;
  }
  $("counter").textContent = `${step} / ${count}`;
  $("previous").disabled = step === 1;
  $("next").disabled = step === count;
  params.set("step", String(step));
  history[push ? "pushState" : "replaceState"](null, "", `?${params}`);
  document.body.dataset.step = String(step);
}

function presenter(on) {
  document.body.classList.toggle("presenter", on);
  document.documentElement.classList.toggle("large", on);
  $("presenter").checked = on;
  if (on) params.set("presenter", "1");
  else params.delete("presenter");
  history.replaceState(null, "", `?${params}`);
}

$("previous").addEventListener("click", () => show(step - 1, true));
$("next").addEventListener("click", () => show(step + 1, true));
$("presenter").addEventListener("change", () => presenter($("presenter").checked));
document.addEventListener("keydown", (event) => {
  if (event.target.closest("input, select, textarea")) return;
  if (event.key === "ArrowRight" || event.key === "PageDown") show(step + 1, true);
  else if (event.key === "ArrowLeft" || event.key === "PageUp") show(step - 1, true);
  else if (event.key === "p" || event.key === "P") presenter(!document.body.classList.contains("presenter"));
  else return;
  event.preventDefault();
});
window.addEventListener("popstate", () => show(Number(new URLSearchParams(location.search).get("step")) || 1, false));
for (const button of document.querySelectorAll(".copy-embed")) {
  button.addEventListener("click", () => {
    const src = new URL(button.dataset.src, location.href).toString();
    const title = button.closest(".step").querySelector("h2").textContent.trim();
    copyText(embedCode(src, title), commonText().share.embed_copied);
  });
}

presenter(params.get("presenter") === "1");
show(step, false);
document.body.dataset.ready = "1";
