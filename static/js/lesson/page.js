// The lesson: one step on screen at a time, ← and → between them, P for presenter mode.
// The step, the language and presenter mode live in the URL; a step's figure loads when shown.
import { copyText, embedCode } from "../shared/share.js";
import { commonText } from "../shared/text.js";

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
    if (current && frame.dataset.shown !== figureSource(frame)) {
      frame.dataset.shown = figureSource(frame);
      frame.src = frame.dataset.shown;
    }
  }
  $("counter").textContent = `${step} / ${count}`;
  $("previous").disabled = step === 1;
  $("next").disabled = step === count;
  params.set("step", String(step));
  history[push ? "pushState" : "replaceState"](null, "", `?${params}`);
  document.body.dataset.step = String(step);
}

// A figure follows the lesson's type size: presenter mode or Large type make its text large too.
function figureSource(frame) {
  const url = new URL(frame.dataset.src, location.href);
  url.searchParams.set("large", document.documentElement.classList.contains("large") ? "1" : "0");
  return `${url.pathname}${url.search}`;
}

// Large type (the site-wide setting, shared/chrome.js) stays on when presenter mode is turned off.
function presenter(on) {
  document.body.classList.toggle("presenter", on);
  document.documentElement.classList.toggle("large", on || !!$("large-type")?.checked);
  $("presenter").checked = on;
  if (on) params.set("presenter", "1");
  else params.delete("presenter");
  history.replaceState(null, "", `?${params}`);
  if (document.body.dataset.step) show(step, false); // the figure in its new size
}

$("previous").addEventListener("click", () => show(step - 1, true));
$("next").addEventListener("click", () => show(step + 1, true));
$("presenter").addEventListener("change", () => presenter($("presenter").checked));
$("large-type")?.addEventListener("change", () => presenter($("presenter").checked));

// ← → and P, on the lesson and inside its figures (same origin: a click into a figure must not take
// the keys away), except in a text field or where the figure used the key itself (its weight grid).
function onKey(event) {
  if (event.defaultPrevented || event.target.closest?.("input, select, textarea")) return;
  if (event.key === "ArrowRight" || event.key === "PageDown") show(step + 1, true);
  else if (event.key === "ArrowLeft" || event.key === "PageUp") show(step - 1, true);
  else if (event.key === "p" || event.key === "P") presenter(!document.body.classList.contains("presenter"));
  else return;
  event.preventDefault();
}
document.addEventListener("keydown", onKey);
for (const frame of document.querySelectorAll(".step-figure")) {
  frame.addEventListener("load", () => frame.contentDocument?.addEventListener("keydown", onKey));
}
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
