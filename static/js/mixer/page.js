// The Mixer page, wiring only: `page` is its one state; state.js reads and writes it as the
// URL's query string and builds its requests, scheduler.js sends them, render.js draws
// every view from the answer, editor.js edits W and b, upload.js sends images.
import { ApiError, postMix, postMixNpz, refusal } from "../shared/api.js";
import { PLOT_CONFIG } from "../shared/config.js";
import { editorElements, renderEditor, wireEditor } from "./editor.js";
import { wireGrids } from "./grids.js";
import { decodeAnswer, drawPlot, mixLocally, mixerElements, renderMixer } from "./render.js";
import { createScheduler, includes } from "./scheduler.js";
import {
  INITIAL,
  centre,
  fromQuery,
  isColourPreset,
  mixRequest,
  setControl,
  setUpload,
  toQuery,
} from "./state.js";
import { reupload, showGone, uploadElements, uploadFile, wireUploads } from "./upload.js";
import { wireLive } from "./live.js";
import { weightsFigure } from "../shared/weights-view.js";
import { embedCode, withPath, wireShare } from "../shared/share.js";
import { mixerSnippet } from "../shared/snippets.js";
import { fill, withLanguage } from "../shared/text.js";

const $ = (id) => document.getElementById(id);
// The page's words (mixer.<lang>.json), the query parameter each request field stands for, the limits.
const { text: TEXT, parameters: PARAMETERS, limits: LIMITS } = JSON.parse($("mixer-defaults").textContent);
const views = mixerElements();
const editor = editorElements();
const controls = {
  in: $("input"),
  feat: $("features"),
  cout: $("cout"),
  w: $("weights"),
  seed: $("seed"),
  bias: $("bias"),
  act: $("activation"),
  std: $("pca-std"),
  scale: $("scale"),
  rc: $("r-channels"),
  rh: $("r-height"),
  rw: $("r-width"),
  rs: $("r-seed"),
  rd: $("r-dist"),
};

const page = {
  state: { ...INITIAL }, // the query parameters, parsed: what the URL says (state.js)
  last: null, // the last answer drawn, its maps decoded (render.js, decodeAnswer)
  selected: { row: 0, col: 0 }, // the cell of W (or b, in column Cin) being edited
  file: null, // the image last uploaded, for a silent re-upload
  drawn: {}, // what the last render left: the grids, for hit tests, and the figures' widths
  edits: 0, // edits of W and b so far; `answered`: how many of them the last answer drawn holds
  answered: 0,
  overlaid: false, // the drag path has laid canvases over figures (render.js): owed a full draw
  uncommitted: false, // edits not yet in the URL
};

// ---- state ↔ controls ↔ URL --------------------------------------------------------------

function syncControls() {
  const { state } = page;
  if (state.in === "upload") controls.in.querySelector('option[value="upload"]').disabled = false;
  for (const [key, control] of Object.entries(controls)) control.value = String(state[key]);
  $("cout-value").textContent = state.cout;
  controls.cout.disabled = isColourPreset(state.w) || state.w === "edited";
  $("cout-fixed").hidden = state.w !== "edited";
  for (const key of ["w", "bias"]) {
    controls[key].querySelector('option[value="edited"]')?.remove();
    if (state[key] === "edited") controls[key].add(new Option(TEXT.edited, "edited", true, true));
  }
  $("pca-std-field").hidden = state.w !== "pca";
  const image = state.in !== "random";
  $("random-fields").hidden = image;
  controls.feat.disabled = !image;
}

function commit(push) {
  const query = withLanguage(toQuery(page.state));
  const url = `${location.pathname}${query}`;
  if (url !== `${location.pathname}${location.search}`) history[push ? "pushState" : "replaceState"](null, "", url);
  $("export-html").href = `/export/mixer.html${query}`;
}

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

// A refusal in the page's words: the control a request field stands for, with the range it offers.
function sayRefusal(error) {
  const names = { file: { limit: fill(TEXT.megabytes, { n: Math.round(LIMITS.max_upload_bytes / 2 ** 20) }) } };
  for (const [field, parameter] of Object.entries(PARAMETERS)) {
    const control = controls[parameter];
    const [min, max] = [control?.min || undefined, control?.max || undefined];
    names[field] = { name: TEXT.controls[parameter] ?? parameter, min, max };
  }
  return refusal(error, names);
}

// ---- requests and drawing ------------------------------------------------------------------
// body[data-busy] is there while anything is in flight or waiting, for tests and benchmarks to wait
// on; once every view shows the last answer (the frame after the last redraw), body[data-redraw-ms]
// says how long it took since the change. After the drag path's draws, the figures themselves are
// drawn again once the edits have stopped for FULL_DRAW_MS; data-busy waits for that too.
const FULL_DRAW_MS = 250;
let fullDraw = null;

const http = createScheduler({
  send: async (kind) => {
    const edits = page.edits;
    return { ...(await postMix(mixRequest(page.state, includes(kind)))), edits };
  },
  draw: show,
  fail: recover,
  channel: () => page.state.ch,
  busy: () => {
    document.body.dataset.busy = "1";
    clearTimeout(fullDraw);
  },
  idle: (ms) => {
    if (ms !== null) document.body.dataset.redrawMs = String(Math.round(ms));
    if (page.uncommitted) commit(false);
    page.uncommitted = false;
    if (!page.overlaid) delete document.body.dataset.busy;
    else {
      fullDraw = setTimeout(() => {
        page.overlaid = false;
        redraw();
        delete document.body.dataset.busy;
      }, FULL_DRAW_MS);
    }
  },
  now: () => performance.now(),
  frame: (callback) => requestAnimationFrame(callback),
});

// An edit of row n of W or of b[n] is drawn at the next frame from the X the page has, before the
// server answers; its answer replaces the local one. Edits the last answer drawn already holds
// are not drawn again.
const local = { rows: new Set(), frame: null };
function drawLocally(row) {
  local.rows.add(row);
  local.frame ??= requestAnimationFrame(() => {
    local.frame = null;
    const rows = [...local.rows];
    local.rows.clear();
    if (!page.last || page.answered === page.edits) return;
    const { pr, pc, act, ch } = page.state;
    const probe = pr !== null && pc !== null ? { row: pr, col: pc } : null;
    redraw(false, mixLocally(page.last, rows, act, ch, probe));
  });
}

function show({ edits, ...answer }, kind, sent) {
  const { state } = page;
  if (edits !== undefined) page.answered = edits; // a camera frame carries no count of edits
  page.last = decodeAnswer(answer, page.last, state.act, TEXT.channels);
  const [cout, cin] = answer.weight.shape;
  if (state.cout !== cout) {
    state.cout = cout;
    syncControls();
  }
  if (page.selected.row >= cout || page.selected.col > cin) page.selected = { row: 0, col: 0 };
  redraw(kind === "full" || kind === "live", { row: kind === "row" });
  // A camera frame's time is in the camera's own line: the status (read aloud) is not rewritten 15 times a second.
  if (kind !== "live") {
    const device = TEXT.devices[answer.device.split(":")[0]] ?? answer.device;
    setStatus(fill(TEXT.status, { device, ms: Math.round(performance.now() - sent) }));
  }
  document.body.dataset.ready = String(Number(document.body.dataset.ready || 0) + 1);
}

// `drag`: {row: true} where only output rows changed (render.js draws them on the drag path), and
// what mixLocally computed for a draw before the server's answer.
function redraw(newInput = false, drag = {}) {
  const { state } = page;
  const probe = state.pr !== null && state.pc !== null ? { row: state.pr, col: state.pc } : null;
  const how = { activation: state.act, channel: state.ch, probe, shared: state.scale === "shared" };
  const model = { ...page.last, ...how, ...drag, selected: page.selected, newInput, drawn: page.drawn, text: TEXT };
  page.overlaid = renderMixer(views, model);
  renderEditor(editor, page);
}

// An evicted upload is sent again without a word; any other refusal is said in the status line.
async function recover(error, kind) {
  if (!(error instanceof ApiError && error.status === 404 && page.state.in === "upload")) {
    setStatus(sayRefusal(error), true);
    return null;
  }
  let id;
  try {
    id = await reupload(page);
  } catch (uploadError) {
    setStatus(fill(TEXT.upload_refused, { reason: sayRefusal(uploadError) }), true);
    return null;
  }
  if (id === null) {
    setStatus(TEXT.upload_gone, true);
    showGone(true);
    return null;
  }
  page.state.img = id;
  commit(false);
  return kind;
}

// ---- events ---------------------------------------------------------------------------------

function onControl(key, kind) {
  return () => {
    setControl(page.state, key, controls[key].value, kind);
    syncControls();
    commit(true);
    if (key !== "scale") scheduler.schedule(kind);
    else if (page.last) redraw();
  };
}

for (const key of ["in", "feat", "rc", "rh", "rw", "rs", "rd"]) controls[key].addEventListener("change", onControl(key, "full"));
for (const key of ["w", "std", "seed", "bias", "act", "scale"]) controls[key].addEventListener("change", onControl(key, "mix"));
controls.cout.addEventListener("input", () => {
  $("cout-value").textContent = controls.cout.value;
  onControl("cout", "mix")();
});

// Hover a map for its value; click it to probe that pixel (and, on Y, to explain that channel).
const editing = {
  edited(row, firstEdit) {
    syncControls();
    // One history entry per editing session, not per keystroke; while a weight is dragged the URL
    // follows once the answers catch up (idle): Chromium throttles a page's history calls.
    if (firstEdit) commit(true);
    else page.uncommitted = true;
    page.edits += 1;
    scheduler.schedule("row", row);
    drawLocally(row);
  },
  chose() {
    commit(false);
    scheduler.schedule("row");
  },
  moved() {
    const { answer, names } = page.last;
    const biasName = TEXT.bias;
    const width = page.drawn.widths.weights;
    const figure = weightsFigure(answer.weight.values, answer.bias.values, names, page.selected, { biasName, width });
    drawPlot(views.weights, figure, width);
    renderEditor(editor, page);
  },
};

// An upload the server no longer holds cannot be exported (shared/chrome.js adds Large type and Marks).
$("export-html").addEventListener("click", (e) => {
  if (document.body.classList.contains("upload-gone")) e.preventDefault();
});
// Back from a hand-edited W (which fixes Cout) to PyTorch's initialisation: W and b drawn again.
$("reset-weights").addEventListener("click", () => {
  setControl(page.state, "w", "random", "mix");
  Object.assign(page.state, { bias: "default", B: null });
  syncControls();
  commit(true);
  scheduler.schedule("mix");
});
$("gone-sample").addEventListener("click", () => {
  controls.in.value = controls.in.options[0].value;
  controls.in.dispatchEvent(new Event("change"));
  showGone(false);
});

const onUpload = {
  started(file) {
    document.body.dataset.busy = "1";
    setStatus(fill(TEXT.uploading, { name: file.name }));
  },
  stored(stored) {
    showGone(false);
    setUpload(page.state, stored);
    syncControls();
    commit(true);
    scheduler.schedule("full");
  },
  refused(error) {
    setStatus(fill(TEXT.upload_refused, { reason: sayRefusal(error) }), true);
    if (scheduler.isIdle()) scheduler.settle();
  },
};
// The sidebar's upload control, and the one in a gone upload's message.
for (const prefix of ["", "gone-"]) wireUploads(uploadElements(prefix), page, onUpload, LIMITS.max_side);

wireShare(document.querySelector(".views"), {
  link: () => location.href,
  embed: (view) => {
    const title = fill(TEXT.embed_title, { view: TEXT.view_names[view] });
    return embedCode(withPath("/embed/mixer", { view, hide: "controls" }), title);
  },
  code: () => mixerSnippet(mixRequest(page.state, { input: false, output: false }), page.last.answer, TEXT.code),
});

$("download-npz").addEventListener("click", async () => {
  let blob;
  try {
    blob = await postMixNpz(mixRequest(page.state, { input: true, output: true }));
  } catch (error) {
    setStatus(fill(TEXT.npz_refused, { reason: sayRefusal(error) }), true);
    return;
  }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = "pointwise-mix.npz";
  link.click();
  URL.revokeObjectURL(link.href);
});

// The camera (live.js): while it runs, every change goes to its socket instead of to /api/mix. Its
// photo input (a phone's camera app, where the page may not stream) uploads like the sidebar's.
wireUploads({ input: $("camera-photo"), dropzone: $("camera") }, page, onUpload, LIMITS.max_side);
const live = wireLive(page, {
  text: TEXT.live,
  show: (answer, sent) => show(answer, "live", sent),
  stopped() {
    Object.assign(page.state, centre(page.state));
    http.schedule("full");
  },
  freeze: (file) => uploadFile(file, page, onUpload, LIMITS.max_side),
});
const scheduler = { ...http, schedule: (kind, row) => (live.running() && live.changed()) || http.schedule(kind, row) };

// Back and forward: the URLs this page wrote. One it cannot read goes to the server, which says why.
window.addEventListener("popstate", () => {
  try {
    page.state = fromQuery(location.search);
  } catch {
    location.reload();
    return;
  }
  if (page.state.pr === null || page.state.pc === null) Object.assign(page.state, centre(page.state));
  syncControls();
  scheduler.schedule("full");
});
window.addEventListener("resize", () => page.last && redraw());

if (page.state.pr === null || page.state.pc === null) Object.assign(page.state, centre(page.state));
syncControls();
commit(false);
for (const plot of [views.inputGrid, views.outputGrid, views.weights, views.sum, views.graph]) {
  Plotly.newPlot(plot, [], {}, PLOT_CONFIG);
}
wireGrids(views, page, {
  text: TEXT,
  changed(push) {
    commit(push);
    scheduler.schedule("row");
  },
});
wireEditor(editor, page, editing);
scheduler.schedule("full");
