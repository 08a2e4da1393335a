// The Mixer page: controls ↔ state ↔ URL, requests to /api/mix, and every view redrawn from the answer.
import { ApiError, decodeTensor, postMix, uploadImage } from "./api.js";
import { DIVERGING, PLOT_CONFIG, WEIGHT_STEP } from "./config.js";
import {
  DEFAULTS,
  INITIAL,
  MAX_SIDE,
  centre,
  fromQuery,
  isColourPreset,
  mixRequest,
  resizeEdits,
  toQuery,
} from "./mixer-state.js";
import {
  channelGrid,
  costLine,
  graphFigure,
  outputNames,
  probeCaption,
  rgbFigure,
  sumCaption,
  sumFigure,
  weightsFigure,
} from "./mixer-views.js";
import { channelRanges, cssGradient, fmt, font, gridFigure, hitTile, placeLabels, rangeOf } from "./plots.js";
import { renderProbe } from "./probe.js";
import { embedCode, withPath, wireShare } from "./share.js";
import { mixerSnippet } from "./snippets.js";

const $ = (id) => document.getElementById(id);
const controls = {
  in: $("input"),
  feat: $("features"),
  cout: $("cout"),
  w: $("weights"),
  seed: $("seed"),
  bias: $("bias"),
  act: $("activation"),
  scale: $("scale"),
  rc: $("r-channels"),
  rh: $("r-height"),
  rw: $("r-width"),
  rs: $("r-seed"),
  rd: $("r-dist"),
};

let state = { ...INITIAL };
let last = null; // the last answer, decoded
let selected = { row: 0, col: 0 }; // the cell of W being edited
let inFlight = false;
let pending = null; // "row" | "mix" | "full" | null: see schedule()
let uploadedFile = null;
const grids = {};

// ---- state ↔ controls ↔ URL --------------------------------------------------------------

function syncControls() {
  if (state.in === "upload") controls.in.querySelector('option[value="upload"]').disabled = false;
  for (const key of ["in", "feat", "cout", "w", "seed", "bias", "act", "scale", "rc", "rh", "rw", "rs", "rd"]) {
    controls[key].value = String(state[key]);
  }
  $("cout-value").textContent = state.cout;
  controls.cout.disabled = isColourPreset(state.w) || state.w === "edited";
  for (const key of ["w", "bias"]) {
    controls[key].querySelector('option[value="edited"]')?.remove();
    if (state[key] === "edited") controls[key].add(new Option("Edited by hand", "edited", true, true));
  }
  const image = state.in !== "random";
  $("random-fields").hidden = image;
  controls.feat.disabled = !image;
}

function commit(push) {
  const query = toQuery(state);
  const url = `${location.pathname}${query}`;
  if (url !== `${location.pathname}${location.search}`) history[push ? "pushState" : "replaceState"](null, "", url);
  $("export-html").href = `/export/mixer.html${query}`;
}

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

// ---- requests ------------------------------------------------------------------------------

// One request at a time; changes made meanwhile fold into one follow-up of the strongest kind:
//   "row"  — only row n of W or b[n] changed (or just the probe or the explained channel), so only
//            Y[n] can differ: the answer leaves the output maps out and explain.sum gives Y[n];
//   "mix"  — anything else about the mix changed: every output map is fetched;
//   "full" — the input changed: its maps are fetched too.
// body[data-busy] is there while anything is in flight or waiting, for tests and benchmarks to wait
// on; once every view is drawn (the frame after the last redraw), body[data-redraw-ms] says how long
// it took since the change.
const KINDS = ["row", "mix", "full"];
let changedAt = null;
let editedRows = new Set();

function schedule(kind, editedRow = null) {
  pending = KINDS[Math.max(KINDS.indexOf(pending), KINDS.indexOf(kind))];
  if (editedRow !== null) editedRows.add(editedRow);
  changedAt ??= performance.now();
  document.body.dataset.busy = "1";
  if (!inFlight) run();
}

function settled() {
  requestAnimationFrame(() => {
    if (inFlight || pending) return;
    document.body.dataset.redrawMs = String(Math.round(performance.now() - changedAt));
    changedAt = null;
    delete document.body.dataset.busy;
  });
}

async function run() {
  let kind = last ? pending : "full";
  if (kind === "row" && [...editedRows].some((row) => row !== state.ch)) kind = "mix";
  pending = null;
  editedRows = new Set();
  inFlight = true;
  const started = performance.now();
  try {
    const answer = await postMix(mixRequest(state, { input: kind === "full", output: kind !== "row" }));
    render(answer, kind === "full");
    setStatus(`${answer.device} · ${Math.round(performance.now() - started)} ms`);
    document.body.dataset.ready = String(Number(document.body.dataset.ready || 0) + 1);
  } catch (error) {
    await recover(error, kind);
  } finally {
    inFlight = false;
    if (pending) run();
    else settled();
  }
}

async function recover(error, kind) {
  if (error instanceof ApiError && error.status === 404 && state.in === "upload") {
    const file = uploadedFile || storedUpload(state.img);
    if (file) {
      const stored = await uploadImage(file, () => {});
      state.img = stored.image_id;
      commit(false);
      pending = kind;
      return;
    }
    setStatus("The uploaded image is no longer on the server: upload it again.", true);
    return;
  }
  setStatus(error.message, true);
}

// ---- rendering ---------------------------------------------------------------------------------

const PLOTS = ["input-grid", "output-grid", "weights-plot", "sum-plot", "graph-plot", "rgb-plot"];
let widths = {};

// Every figure gets its container's width, read for all of them before any is redrawn (reading a
// width after a redraw would make the browser lay the page out again, once per figure).
function measure() {
  widths = Object.fromEntries(PLOTS.map((id) => [id, $(id).clientWidth || 400]));
}

function draw(id, figure, make = Plotly.react) {
  make($(id), figure.data, { ...figure.layout, width: widths[id] }, PLOT_CONFIG);
  if (figure.labels) placeLabels($(id), figure, widths[id]);
  if (figure.tiles) $(id).dataset.tiles = figure.tiles.join("|"); // what each tile shows, as text
}

function render(answer, withInput) {
  const input = withInput ? decodeTensor(answer.input.maps) : last.input;
  const output = answer.output.maps ? decodeTensor(answer.output.maps) : withRow(last.output, answer.explain);
  last = { answer, input, output, names: answer.input.channel_names };
  const [cout, cin] = answer.weight.shape;
  if (state.cout !== cout) {
    state.cout = cout;
    syncControls();
  }
  if (selected.row >= cout || selected.col > cin) selected = { row: 0, col: 0 };
  const rgbWasHidden = $("rgb-figure").hidden;
  $("rgb-figure").hidden = cout !== 3;
  measure();
  const shared = state.scale === "shared";
  // The input grid changes only with the input, the colour scale, its width or the probed pixel.
  const inputKey = [shared, widths["input-grid"], state.pr, state.pc, font().size].join();
  if (withInput || grids.inputKey !== inputKey) {
    grids.input = channelGrid(input, last.names, { shared, figureWidth: widths["input-grid"] });
    grids.inputKey = inputKey;
    draw("input-grid", withMarker(gridFigure(grids.input, widths["input-grid"]), grids.input));
  }
  const outputWidth = widths["output-grid"];
  grids.output = channelGrid(output, outputNames(cout), { shared, figureWidth: outputWidth, selected: state.ch });
  draw("output-grid", withMarker(gridFigure(grids.output, outputWidth), grids.output));
  const weights = weightsFigure(answer.weight.values, answer.bias.values, last.names, selected);
  draw("weights-plot", weights);
  renderSum(answer, output);
  draw("graph-plot", graphFigure(answer.weight.values, last.names, null, widths["graph-plot"]));
  // A plot made while hidden has no size: make it anew once it can be seen.
  if (cout === 3) draw("rgb-plot", rgbFigure(output), rgbWasHidden ? Plotly.newPlot : Plotly.react);
  // Text and tables last: Plotly measures the page as it draws, and every change before that would
  // have to be laid out again for it.
  renderProbe($("probe"), answer.probe, answer.weight.values, answer.bias.values, last.names, state.act, selected, state.ch);
  $("probe-caption").textContent = probeCaption(answer.probe);
  $("sum-caption").textContent = sumCaption(answer.explain, state.act);
  $("w-min").textContent = fmt(-weights.limit, 2);
  $("w-max").textContent = fmt(weights.limit, 2);
  $("cost").textContent = costLine(answer);
  renderEditor();
}

function renderSum(answer, output) {
  draw("sum-plot", sumFigure(answer.explain, last.input, last.names, output, state.act, widths["sum-plot"]));
}

// Y with channel n replaced by f(explain.sum): after a "row" change, the only channel that moved.
// (In place: the previous Y is not needed again. Only channel n's range is computed anew.)
function withRow(output, explain) {
  const sum = decodeTensor(explain.sum).values;
  const n = explain.channel;
  const row = output.values.subarray(n * sum.length, (n + 1) * sum.length);
  for (let i = 0; i < sum.length; i++) row[i] = state.act === "relu" ? Math.max(0, sum[i]) : sum[i];
  const ranges = [...channelRanges(output)];
  ranges[n] = rangeOf(row);
  return { shape: output.shape, values: output.values, ranges };
}

// A cross-hair on the probed pixel, in every tile.
function withMarker(figure, grid) {
  if (state.pr === null || state.pc === null) return figure;
  const s = grid.scale;
  const [col, row, r] = [(state.pc + 0.5) * s - 0.5, (state.pr + 0.5) * s - 0.5, Math.max(3, 0.6 * s)];
  figure.layout.shapes = grid.origins.map(([x0, y0]) => ({
    type: "circle",
    x0: x0 + col - r,
    x1: x0 + col + r,
    y0: y0 + row - r,
    y1: y0 + row + r,
    line: { color: "#ff8f00", width: 2 },
  }));
  return figure;
}

function renderEditor() {
  const { weight, bias } = last.answer;
  const cin = weight.shape[1];
  const isBias = selected.col === cin;
  const value = isBias ? bias.values[selected.row] : weight.values[selected.row][selected.col];
  $("w-label").textContent = isBias ? `b[y${selected.row}]` : `W[y${selected.row}, ${last.names[selected.col]}]`;
  if (document.activeElement !== $("w-value")) $("w-value").value = String(Number(value.toFixed(4)));
  $("w-slider").value = String(value);
}

// ---- editing weights ------------------------------------------------------------------------------

function setCell(value) {
  if (!Number.isFinite(value)) return;
  const { weight, bias } = last.answer;
  const firstEdit = state.w !== "edited";
  if (firstEdit) {
    state.W = weight.values.map((row) => [...row]);
    state.w = "edited";
  }
  if (state.bias !== "edited") {
    state.B = [...bias.values];
    state.bias = "edited";
  }
  const v = Math.max(-10, Math.min(10, value));
  if (selected.col === weight.shape[1]) state.B[selected.row] = v;
  else state.W[selected.row][selected.col] = v;
  weight.values = state.W;
  bias.values = state.B;
  syncControls();
  commit(firstEdit); // one history entry per editing session, not per keystroke
  schedule("row", selected.row);
}

function currentCell() {
  const { weight, bias } = last.answer;
  return selected.col === weight.shape[1] ? bias.values[selected.row] : weight.values[selected.row][selected.col];
}

function select(row, col) {
  const [cout, cin] = last.answer.weight.shape;
  selected = { row: Math.max(0, Math.min(cout - 1, row)), col: Math.max(0, Math.min(cin, col)) };
  if (state.ch !== selected.row) {
    state.ch = selected.row;
    commit(false);
    schedule("row");
  } else {
    draw("weights-plot", weightsFigure(last.answer.weight.values, last.answer.bias.values, last.names, selected));
    renderEditor();
  }
}

// ---- events -----------------------------------------------------------------------------------------

function onControl(key, kind) {
  return () => {
    const raw = controls[key].value;
    state[key] = typeof DEFAULTS[key] === "number" ? Math.max(0, Number.parseInt(raw, 10) || 0) : raw;
    if (key === "cout") resizeEdits(state, state.cout);
    if (key === "w") state.W = null;
    // Hand edits fit one Cin; a new input or new weights start from unedited ones.
    if (["in", "feat", "rc", "w"].includes(key) && state.bias === "edited") Object.assign(state, { bias: "default", B: null });
    if (["in", "feat", "rc"].includes(key) && state.w === "edited") Object.assign(state, { w: "random", W: null });
    if (kind === "full") Object.assign(state, centre(state));
    syncControls();
    commit(true);
    if (key === "scale") render(last.answer, false);
    else schedule(kind);
  };
}

for (const key of ["in", "feat", "rc", "rh", "rw", "rs", "rd"]) controls[key].addEventListener("change", onControl(key, "full"));
for (const key of ["w", "seed", "bias", "act", "scale"]) controls[key].addEventListener("change", onControl(key, "mix"));
controls.cout.addEventListener("input", () => {
  $("cout-value").textContent = controls.cout.value;
  onControl("cout", "mix")();
});

$("w-value").addEventListener("input", () => setCell(Number.parseFloat($("w-value").value)));
$("w-slider").addEventListener("input", () => setCell(Number.parseFloat($("w-slider").value)));

const heatmap = $("weights-plot");
heatmap.addEventListener("keydown", (e) => {
  if (!last) return;
  const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  if (moves[e.key] && !e.shiftKey) {
    select(selected.row + moves[e.key][0], selected.col + moves[e.key][1]);
  } else if (moves[e.key] || e.key === "+" || e.key === "-") {
    const up = e.key === "+" || e.key === "ArrowUp" || e.key === "ArrowRight";
    setCell(currentCell() + (up ? WEIGHT_STEP : -WEIGHT_STEP));
  } else {
    return;
  }
  e.preventDefault();
});
heatmap.addEventListener(
  "wheel",
  (e) => {
    if (!last) return;
    e.preventDefault();
    setCell(currentCell() + (e.deltaY < 0 ? WEIGHT_STEP : -WEIGHT_STEP));
  },
  { passive: false },
);

function wirePlots() {
  heatmap.on("plotly_click", (event) => {
    const point = event.points[0];
    select(point.y, point.x);
    heatmap.focus();
  });
  for (const [id, gridKey, readout] of [
    ["input-grid", "input", "input-readout"],
    ["output-grid", "output", "output-readout"],
  ]) {
    const plot = $(id);
    const hit = (event) => hitTile(grids[gridKey], event.points[0].x + 0.5, event.points[0].y + 0.5);
    plot.on("plotly_hover", (event) => {
      const h = hit(event);
      if (!h) return;
      const tensor = gridKey === "input" ? last.input : last.output;
      const [, height, width] = tensor.shape;
      const value = tensor.values[h.tile * height * width + h.row * width + h.col];
      const name = gridKey === "input" ? last.names[h.tile] : `y${h.tile}`;
      $(readout).textContent = `${name} at (${h.row}, ${h.col}) = ${fmt(value)}`;
    });
    plot.on("plotly_click", (event) => {
      const h = hit(event);
      if (!h) return;
      state.pr = h.row;
      state.pc = h.col;
      if (gridKey === "output") state.ch = h.tile;
      commit(true);
      schedule("row");
    });
  }
  $("graph-plot").on("plotly_hover", (event) => {
    const point = event.points[0];
    if (point.x !== 1 || !last) return;
    draw("graph-plot", graphFigure(last.answer.weight.values, last.names, point.pointIndex, widths["graph-plot"]));
  });
  $("graph-plot").on("plotly_unhover", () => last && draw("graph-plot", graphFigure(last.answer.weight.values, last.names, null, widths["graph-plot"])));
}

// ---- uploads ------------------------------------------------------------------------------------------

const UPLOAD_KEY = "pointwise-upload-";

function storedUpload(id) {
  const dataUrl = sessionStorage.getItem(UPLOAD_KEY + id);
  if (!dataUrl) return null;
  const [head, body] = dataUrl.split(",");
  const bytes = Uint8Array.from(atob(body), (ch) => ch.charCodeAt(0));
  return new File([bytes], "upload", { type: head.slice(5, head.indexOf(";")) });
}

function remember(id, file) {
  const reader = new FileReader();
  reader.onload = () => {
    try {
      sessionStorage.setItem(UPLOAD_KEY + id, reader.result);
    } catch {
      // Too large for sessionStorage: the file is kept in memory for this page only.
    }
  };
  reader.readAsDataURL(file);
}

async function upload(file) {
  const progress = $("upload-progress");
  progress.hidden = false;
  progress.value = 0;
  document.body.dataset.busy = "1";
  setStatus(`Uploading ${file.name}…`);
  try {
    const stored = await uploadImage(file, (p) => (progress.value = p));
    uploadedFile = file;
    remember(stored.image_id, file);
    const side = Math.min(1, MAX_SIDE / Math.max(stored.width, stored.height));
    const probe = { pr: Math.floor((stored.height * side) / 2), pc: Math.floor((stored.width * side) / 2) };
    Object.assign(state, { in: "upload", img: stored.image_id, ...probe });
    if (state.w === "edited") Object.assign(state, { w: "random", bias: "default" });
    syncControls();
    commit(true);
    schedule("full");
  } catch (error) {
    setStatus(`Upload refused: ${error.message}`, true);
    if (!inFlight && !pending) settled();
  } finally {
    progress.hidden = true;
  }
}

$("upload").addEventListener("change", () => $("upload").files[0] && upload($("upload").files[0]));
const dropzone = $("dropzone");
dropzone.addEventListener("dragover", (e) => {
  e.preventDefault();
  dropzone.classList.add("over");
});
dropzone.addEventListener("dragleave", () => dropzone.classList.remove("over"));
dropzone.addEventListener("drop", (e) => {
  e.preventDefault();
  dropzone.classList.remove("over");
  if (e.dataTransfer.files[0]) upload(e.dataTransfer.files[0]);
});

// ---- the rest -----------------------------------------------------------------------------------------

wireShare(document.querySelector(".views"), {
  link: () => location.href,
  embed: (view) => embedCode(withPath("/embed/mixer", { view }), `Pointwise: the ${view} view of a 1×1 convolution`),
  code: () => mixerSnippet(mixRequest(state, { input: false, output: false }), last.answer),
});

$("download-npz").addEventListener("click", async () => {
  const response = await fetch("/api/mix?format=npz", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(mixRequest(state, { input: true, output: true })),
  });
  if (!response.ok) {
    setStatus(`The .npz was refused: HTTP ${response.status}`, true);
    return;
  }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = "pointwise-mix.npz";
  link.click();
  URL.revokeObjectURL(link.href);
});

window.addEventListener("popstate", () => {
  state = fromQuery(location.search);
  syncControls();
  schedule("full");
});
window.addEventListener("resize", () => last && render(last.answer, false));

if (state.pr === null || state.pc === null) Object.assign(state, centre(state));
for (const bar of document.querySelectorAll(".diverging")) bar.style.background = cssGradient(DIVERGING);
syncControls();
commit(false);
for (const id of PLOTS.filter((id) => id !== "rgb-plot")) {
  Plotly.newPlot($(id), [], {}, PLOT_CONFIG);
}
wirePlots();
schedule("full");
