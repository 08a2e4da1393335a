// The Blocks page: wiring only. The state lives in the query string (state.js); the server
// runs the block it names (/data/blocks) and panel.js draws the answer.
import { describe } from "../shared/api.js";
import { PAGE, TEXT, WIDTHS, setKind, state, toQuery, width } from "./state.js";
import { defaultNode, explainFor, fill, renderDiagram, renderStage, renderSummary, stageByName } from "./panel.js";
import { arrangeFigures, watchCells } from "../shared/fit.js";
import { hitTile } from "../shared/grid.js";
import { embedCode, withPath } from "../shared/share.js";
import { sendImage, wireFileDrop } from "../shared/uploads.js";

const $ = (id) => document.getElementById(id);
let answer = null;
let grid = null;
let inFlight = null;

function say(message, error = false) {
  $("status").textContent = message;
  $("status").classList.toggle("error", error);
}

// A refusal: the page's sentence around what the server or the browser said, which is English and
// marked so (lang="en") on a page in another language.
function sayRefused(template, detail) {
  const [before, after = ""] = template.split("{detail}");
  const said = document.createElement("span");
  said.lang = "en";
  said.textContent = detail;
  $("status").replaceChildren(before, said, after);
  $("status").classList.add("error");
}

// ---- controls ← state -------------------------------------------------------------------------

function showControls() {
  $("kind").value = state.b;
  document.querySelector(".formula").textContent = TEXT.formulas[state.b];
  const used = Object.keys(PAGE.kinds[state.b]);
  for (const element of document.querySelectorAll("[data-width]")) {
    element.hidden = !used.includes(element.dataset.width);
  }
  for (const parameter of used) {
    const value = width(parameter);
    $(`w-${parameter}`).value = Array.isArray(value) ? value.join(",") : String(value);
  }
  const upload = $("input").querySelector('option[value="upload"]');
  upload.disabled = !state.img;
  $("input").value = state.in;
  $("feat").value = state.feat;
  $("side").value = String(state.side);
  $("rs").value = String(state.rs);
  for (const element of document.querySelectorAll('[data-control="random"]')) element.hidden = state.in !== "random";
  $("seed").value = String(state.seed);
  $("use-seed").hidden = !state.wid;
  $("mc").value = String(state.mc);
}

function syncLinks() {
  history.replaceState(null, "", toQuery());
  $("export-html").href = `/export/blocks.html${toQuery()}`;
  $("download-input").href = `/data/blocks/input.pt${toQuery()}`;
  const other = new URLSearchParams(toQuery()); // the other language keeps the state
  other.set("lang", $("language").hreflang);
  $("language").href = `?${other}`;
}

// ---- the block run ------------------------------------------------------------------------------

// A refusal that names the selected stage or channel (a width change removed it) is retried without.
async function load(retry = true) {
  inFlight?.abort();
  const controller = new AbortController();
  inFlight = controller;
  syncLinks();
  say(TEXT.running);
  document.body.dataset.busy = "1";
  try {
    let response;
    try {
      response = await fetch(`/data/blocks${toQuery()}`, { signal: controller.signal });
    } catch (error) {
      if (error.name !== "AbortError") sayRefused(TEXT.refused, error.message);
      return;
    }
    const body = await response.json().catch(() => ({ detail: `HTTP ${response.status}` }));
    if (inFlight !== controller) return; // a newer request took over
    if (!response.ok) {
      refused(response.status, body.detail, retry);
      return;
    }
    answer = body;
    state.node = defaultNode(answer, state.node);
    draw();
    say(fill(TEXT.ran, { device: TEXT.devices[answer.device.split(":")[0]] ?? answer.device }));
  } finally {
    if (inFlight === controller) {
      delete document.body.dataset.busy;
      document.body.dataset.ready = "1";
    }
  }
}

function refused(status, detail, retry) {
  const where = Array.isArray(detail) ? detail[0]?.loc?.at(-1) : null;
  if (retry && (where === "node" || where === "ch")) {
    if (where === "node") state.node = "";
    state.ch = 0;
    load(false);
    return;
  }
  if (status === 503) say(TEXT.busy, true);
  else if (status === 404 && state.in === "upload") say(TEXT.image_gone, true);
  else if (where === "wid") sayRefused(TEXT.weights_refused, describe(detail));
  else sayRefused(TEXT.refused, describe(detail));
}

function draw() {
  renderSummary(answer, TEXT);
  renderDiagram(answer, state.node, TEXT);
  const stage = stageByName(answer, state.node);
  state.ch = Math.min(state.ch, stage.shape[0] - 1);
  grid = renderStage(answer, state.node, state.ch, TEXT).grid;
  listen();
  syncLinks();
}

// A stage or channel whose weighted sum the answer lacks is fetched; anything else is redrawn.
function select(node, channel) {
  state.node = node;
  state.ch = channel;
  const stage = stageByName(answer, node);
  const explain = explainFor(answer, node);
  if (stage.one_by_one && (!explain || explain.channel !== channel)) load();
  else draw();
}

// ---- wiring -------------------------------------------------------------------------------------

function change(update) {
  update();
  showControls();
  load();
}

$("kind").addEventListener("change", () => change(() => setKind($("kind").value)));
for (const parameter of WIDTHS) {
  $(`w-${parameter}`).addEventListener("change", (event) =>
    change(() => {
      const raw = event.target.value.trim();
      state[parameter] = parameter === "c" ? raw : Number(raw);
    }),
  );
}
$("input").addEventListener("change", () => change(() => (state.in = $("input").value)));
$("feat").addEventListener("change", () => change(() => (state.feat = $("feat").value)));
$("side").addEventListener("change", () => change(() => (state.side = Number($("side").value))));
$("rs").addEventListener("change", () => change(() => (state.rs = Number($("rs").value))));
$("seed").addEventListener("change", () => change(() => (state.seed = Number($("seed").value))));
$("mc").addEventListener("change", () => change(() => (state.mc = Number($("mc").value))));
$("use-seed").addEventListener("click", () => change(() => (state.wid = "")));
$("ch").addEventListener("change", () => answer && select(state.node, Math.max(0, Number($("ch").value) || 0)));

const diagram = $("diagram");
const nodeOf = (event) => event.target.closest?.(".node")?.dataset.stage;
diagram.addEventListener("click", (event) => {
  const node = nodeOf(event);
  if (node && answer) select(node, state.ch);
});
diagram.addEventListener("keydown", (event) => {
  const node = nodeOf(event);
  if (node && answer && (event.key === "Enter" || event.key === " ")) {
    event.preventDefault();
    select(node, state.ch);
    diagram.querySelector(`.node[data-stage="${CSS.escape(node)}"]`)?.focus();
  }
});

// An image chosen or dropped: scaled down in the browser to the size the server keeps (a phone photo,
// a format only the browser reads), then sent.
wireFileDrop($("upload"), $("dropzone"), async (original) => {
  try {
    const { stored } = await sendImage(original, { maxSide: PAGE.limits.max_side });
    change(() => Object.assign(state, { in: "upload", img: stored.image_id }));
  } catch (error) {
    sayRefused(TEXT.upload_failed, error.message);
  }
});

$("weights-file").addEventListener("change", async () => {
  const file = $("weights-file").files[0];
  if (!file) return;
  const limit = PAGE.limits.max_weights_bytes;
  if (file.size > limit) {
    say(fill(TEXT.weights_too_large, { mb: (file.size / 2 ** 20).toFixed(1), limit: limit / 2 ** 20 }), true);
    return;
  }
  const form = new FormData();
  form.append("file", file);
  const response = await fetch("/api/blocks/weights", { method: "POST", body: form });
  const body = await response.json().catch(() => ({ detail: `HTTP ${response.status}` }));
  if (!response.ok) {
    sayRefused(TEXT.upload_failed, describe(body.detail));
    return;
  }
  say(fill(TEXT.weights_stored, { keys: body.keys.length }));
  change(() => (state.wid = body.weights_id));
});

// ---- sharing ------------------------------------------------------------------------------------

async function copy(text, what) {
  $("copied-text").value = text;
  let copied = false;
  try {
    await navigator.clipboard.writeText(text);
    copied = true;
  } catch {
    copied = false;
  }
  $("copied-status").textContent = fill(copied ? TEXT.copied : TEXT.copy_by_hand, { what });
  if (!$("copied").open) $("copied").showModal();
  $("copied-text").focus();
  $("copied-text").select();
}

const makers = {
  link: () => `${location.origin}/blocks${toQuery()}`,
  // The diagram alone, without the controls: the whole page would be taller than any slide.
  embed: () => embedCode(withPath("/embed/blocks", { view: "diagram", hide: "controls" }), TEXT.title),
  code: () => answer?.code ?? "",
};
document.querySelector('[data-view="diagram"] .share').addEventListener("click", (event) => {
  const kind = event.target.closest("button[data-copy]")?.dataset.copy;
  if (kind) copy(makers[kind](), TEXT[kind]);
});

$("download-svg").addEventListener("click", () => {
  const svg = diagram.querySelector("svg");
  if (!svg) return;
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([svg.outerHTML], { type: "image/svg+xml" }));
  link.download = `pointwise-${state.b}.svg`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
});

// Plotly adds `on` to a plot's element when it first draws it: a click on a tile picks its channel.
let listening = false;
function listen() {
  const element = $("stage-grid");
  if (listening || !element.on) return;
  listening = true;
  element.on("plotly_click", (event) => {
    const point = event.points?.[0];
    const hit = point && grid && hitTile(grid, point.x + 0.5, point.y + 0.5);
    if (hit) select(state.node, hit.tile);
  });
}

showControls();
arrangeFigures(document.querySelector(".blocks > .views"));
watchCells(document.querySelector(".blocks > .views"), () => answer && draw());
load();
let resizing = null;
window.addEventListener("resize", () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => answer && draw(), 150);
});
