// The Learn page: controls ↔ state ↔ URL, training streamed from /api/learn and drawn as it comes,
// the ReLU comparison, the PCA curve from /api/reduce and the autoencoder that learns it.
import { ApiError, decodeTensor, refusal } from "../shared/api.js";
import { PLOT_CONFIG } from "../shared/config.js";
import { postReduce, streamLearn } from "./stream.js";
import { PAGE, TEXT, fetchRequests, readControls, refusalNames, syncControls, toQuery } from "./state.js";
import { storedUpload, upload, wireUpload } from "./upload.js";
import { describe } from "../shared/describe.js";
import { arrangeFigures, fittedHeights, fittingFigures, watchCells } from "../shared/fit.js";
import { autoencoderViews, compareFigure, compareText, reductionViews, trainingViews } from "./views.js";
import { fill } from "../shared/text.js";
import { placeLabels } from "../shared/labels.js";
import { embedCode, withPath, wireShare } from "../shared/share.js";
import { learnSnippet } from "../shared/snippets.js";

const $ = (id) => document.getElementById(id);
const V = TEXT.views;
let state = { ...PAGE.state };
let requests = PAGE.requests;
let chain = null; // the AbortController of the runs in progress
let live = null; // the training being drawn: {start, latest, history, done}
let autoencoderShape = null; // the autoencoder's input's shape, for its PyTorch code
let frame = 0;
const shown = {}; // the latest build of each group of views, to draw again when a frame's cells settle

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

function draw(id, figure) {
  const element = $(id);
  const width = element.clientWidth || 400;
  Plotly.react(element, figure.data, { ...figure.layout, width }, PLOT_CONFIG);
  if (figure.labels) placeLabels(element, figure, width);
  if (figure.tiles) element.dataset.tiles = figure.tiles.join("|"); // what each tile shows, as text
}

function commit() {
  const query = toQuery(state);
  if (query !== location.search) history.replaceState(null, "", `${location.pathname}${query}`);
  $("export-html").href = `/export/learn.html${query}`;
}

// ---- one training run, drawn as it streams ---------------------------------------------------

const PLOTS = ["loss-plot", "weights-plot", "target-weights-plot", "output-plot", "target-plot"];
const REDUCTION_PLOTS = ["pca-plot", "original-plot", "reduced-plot", "reconstruction-plot"];
const widthsOf = (ids) => Object.fromEntries(ids.map((id) => [id, $(id).clientWidth || 400]));

// `build(heights)` → {figures, readouts, descriptions} for the plots `ids`: the readouts go in first,
// then the figures. In a frame the readouts' lines take from the plots' cells, so the figures are
// built again for the heights the readouts leave them.
function show(build, ids) {
  shown[ids.join()] = [build, ids];
  let views = build(fittedHeights(ids));
  for (const [id, text] of Object.entries(views.readouts)) $(id).textContent = text;
  if (fittingFigures) views = build(fittedHeights(ids));
  for (const [id, figure] of Object.entries(views.figures)) draw(id, figure);
  for (const [id, text] of Object.entries(views.descriptions)) describe($(id), text);
}

function drawTraining() {
  frame = 0;
  $("layers-hint").hidden = !live.latest.layers; // a two-layer model's progress names its layers
  show((heights) => trainingViews(live, TEXT, widthsOf(PLOTS), requests.learn.steps, heights), PLOTS);
  const plot = $("loss-plot");
  plot.dataset.lossFirst = String(live.history.losses[0]);
  plot.dataset.lossLast = String(live.latest.loss);
  plot.dataset.step = String(live.latest.step);
}

function redraw() {
  if (!frame) frame = requestAnimationFrame(drawTraining);
}

// Stream one request; `onEvent(name, event, history)` for each. Resolves with {history, done} (done null when stopped).
async function stream(request, signal, onEvent) {
  const history = { steps: [], losses: [] };
  const done = await streamLearn(
    request,
    (name, event) => {
      history.steps.push(event.step);
      history.losses.push(event.loss);
      onEvent(name, event, history);
    },
    signal,
  );
  return { history, done };
}

async function train(signal) {
  const started = performance.now();
  const { done } = await stream(requests.learn, signal, (name, event, history) => {
    if (event.step === 0) {
      const start = { ...event, input: decodeTensor(event.input), target: decodeTensor(event.target) };
      live = { start, history, done: null };
    }
    live.latest = event;
    if (name === "done") live.done = event;
    setStatus(fill(TEXT.status.training, { step: event.step }));
    redraw();
  });
  if (done) setStatus(fill(TEXT.status.done, { steps: done.step, ms: Math.round(performance.now() - started) }));
}

async function compare(signal) {
  $("compare-figure").hidden = false;
  const names = [V.one_layer, fill(V.two_layers, { hidden: requests.compare[1].hidden })];
  const runs = [];
  let floor = null;
  for (const [k, request] of requests.compare.entries()) {
    const run = await stream(request, signal, (_, event, history) => {
      if (event.step === 0 && event.least_squares) floor ??= event.least_squares.loss;
      runs[k] = { name: names[k], history };
      const [width, height] = [$("compare-plot").clientWidth, fittedHeights(["compare-plot"])["compare-plot"]];
      draw("compare-plot", compareFigure(runs, floor, TEXT, width, request.steps, height));
      describe($("compare-plot"), compareText(runs, floor, TEXT, request.steps));
    });
    if (!run.done) return;
  }
  $("compare-plot").dataset.losses = runs.map((r) => r.history.losses.at(-1)).join(",");
}

// ---- what a reduction loses ------------------------------------------------------------------

async function reduction(signal) {
  const answer = await postReduce(requests.reduce, signal);
  show((heights) => reductionViews(answer, TEXT, widthsOf(REDUCTION_PLOTS), heights), REDUCTION_PLOTS);
  $("pca-plot").dataset.error = answer.relative_error.join(",");
}

async function autoencoder(signal) {
  const request = requests.autoencoder;
  let bound = null;
  const { done } = await stream(request, signal, (_, event, history) => {
    if (event.input) autoencoderShape = event.input.shape.split(",").map(Number);
    bound ??= event.pca;
    const width = $("autoencoder-plot").clientWidth;
    const build = (heights) => autoencoderViews(history, event, bound, TEXT, width, request.steps, heights["autoencoder-plot"]);
    show(build, ["autoencoder-plot"]);
  });
  if (done) $("autoencoder-plot").dataset.gap = String(done.loss / bound.loss);
}

// ---- runs ------------------------------------------------------------------------------------

// Run `steps` one after another (training takes one slot of the server's train pool at a time);
// a new run, Stop, or a change of the controls aborts what is in progress.
async function run(steps) {
  chain?.abort();
  const controller = new AbortController();
  chain = controller;
  document.body.dataset.busy = "1";
  $("stop").disabled = false;
  try {
    for (const step of steps) {
      await patiently(step, controller.signal);
      if (controller.signal.aborted) return;
    }
    document.body.dataset.ready = String(Number(document.body.dataset.ready || 0) + 1);
  } catch (error) {
    if (!controller.signal.aborted) await refused(error);
  } finally {
    if (chain === controller) {
      chain = null;
      $("stop").disabled = true;
      delete document.body.dataset.busy;
    }
  }
}

// A busy server (503: every training slot and the queue taken, thirty students pressing Train at
// once) is asked again after the Retry-After it gave, until it answers or the run is stopped.
async function patiently(step, signal) {
  for (;;) {
    try {
      return await step(signal);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 503) || signal.aborted) throw error;
      setStatus(refusal(error, refusalNames()), true);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, 1000 * Number(error.retryAfter || 5));
        signal.addEventListener("abort", () => clearTimeout(timer) || resolve(), { once: true });
      });
      if (signal.aborted) return null;
    }
  }
}

// An evicted upload is sent again without a word; any other refusal is said in the page's words.
async function refused(error) {
  if (error instanceof ApiError && error.status === 404 && state.in === "upload") {
    const file = storedUpload(state.img);
    if (!file) return setStatus(TEXT.status.upload_gone, true);
    state.img = await upload(file, $("upload-progress"), PAGE.limits.max_side);
    return changed();
  }
  setStatus(error.diverged ? TEXT.status.diverged : refusal(error, refusalNames()), true);
}

const everything = () => [train, ...(state.cmp === "1" ? [compare] : []), reduction, autoencoder];

// A change of the controls: the server reads the new state (body[data-busy] from here on, so that a
// test waits for the runs it starts), then everything it touches runs again.
async function changed(steps = everything) {
  commit();
  document.body.dataset.busy = "1";
  try {
    ({ state, requests } = await fetchRequests(state));
  } catch (error) {
    if (!chain) delete document.body.dataset.busy;
    return setStatus(refusal(error, refusalNames()), true);
  }
  syncControls(state);
  run(steps());
}

function stop() {
  if (!chain) return;
  chain.abort();
  setStatus(fill(TEXT.status.stopped, { step: live?.latest?.step ?? 0 }));
}

// ---- wiring ----------------------------------------------------------------------------------

$("controls").addEventListener("change", (event) => {
  if (event.target.id === "upload") return;
  state = readControls(state);
  changed();
});
$("R").addEventListener("input", () => ($("R-value").textContent = $("R").value));
for (const id of ["R", "std"]) {
  $(id).addEventListener("change", () => {
    state = readControls(state);
    changed(() => [reduction, autoencoder]);
  });
}
$("train").addEventListener("click", () => run(everything()));
$("stop").addEventListener("click", stop);
$("train-autoencoder").addEventListener("click", () => run([autoencoder]));
$("compare").addEventListener("click", () => {
  state = { ...readControls(state), tact: "relu", cmp: "1" };
  syncControls(state);
  changed();
});
$("controls").addEventListener("submit", (event) => event.preventDefault());
wireUpload($("upload"), $("dropzone"), async (file) => {
  setStatus(fill(TEXT.status.uploading, { name: file.name }));
  try {
    state = { ...readControls(state), in: "upload", img: await upload(file, $("upload-progress"), PAGE.limits.max_side) };
    syncControls(state);
    changed();
  } catch (error) {
    setStatus(fill(TEXT.status.upload_refused, { reason: refusal(error, refusalNames()) }), true);
  }
});
window.addEventListener("resize", () => live?.start && redraw());
// The loss curve with W against the optimum, or the reduction curve, alone in a slide's frame.
const EMBEDDED = { loss: "loss,weights", pca: "pca" };
wireShare(document.querySelector(".learn > .views"), {
  link: () => location.href,
  embed: (view) => embedCode(withPath("/embed/learn", { view: EMBEDDED[view], hide: "controls" }), TEXT.embed_titles[view]),
  code: (view) => {
    if (view === "pca") return autoencoderShape ? learnSnippet(requests.autoencoder, autoencoderShape, null, TEXT.code) : TEXT.code.train_first;
    if (!live?.start) return TEXT.code.train_first;
    const target = { weight: live.start.target_weight, bias: live.start.target_bias };
    return learnSnippet(requests.learn, live.start.input.shape, target, TEXT.code);
  },
});

syncControls(state);
commit();
arrangeFigures(document.querySelector(".learn > .views"));
watchCells(document.querySelector(".learn > .views"), () => Object.values(shown).forEach((args) => show(...args)));
run(everything());
