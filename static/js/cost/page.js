// The cost explorer: controls ↔ URL, the /api/cost endpoints, and the four panels drawn from them.
import { getJSON, refusal } from "../shared/api.js";
import { showPanel } from "./panel.js";
import { PANEL_VIEWS } from "./views.js";
import { embedCode, withPath, wireShare } from "../shared/share.js";

const $ = (id) => document.getElementById(id);
const controls = [...document.querySelectorAll(".panel-controls input, .panel-controls select")];
// The server parses the query and owns every rule (the sweep's range and step, R ≤ Cin, the bias of
// each bottleneck style): the page gets the parsed state and its defaults, and fetches each panel's
// data from /data/cost, the function its export is built from.
const { defaults: DEFAULTS, text: TEXT, titles: TITLES } = JSON.parse($("cost-data").textContent);
// The page's one state: what each panel shows (for the copy buttons), and how many refreshes wait.
const page = { shown: {}, waiting: 0 };

function value(control) {
  if (control.type === "checkbox") return control.checked ? "1" : "0";
  return control.value;
}

function setValue(control, text) {
  if (control.type === "checkbox") control.checked = text === "1";
  else control.value = text;
}

// ---- state in the URL -------------------------------------------------------------------------

function query() {
  const params = new URLSearchParams(location.search);
  for (const control of controls) {
    if (value(control) === String(DEFAULTS[control.id])) params.delete(control.id);
    else params.set(control.id, value(control));
  }
  return params;
}

function writeQuery() {
  const text = query().toString() ? `?${query()}` : "";
  history.replaceState(null, "", `${location.pathname}${text}`);
  $("export-html").href = `/export/cost.html${text}`;
}

// ---- each panel: ask the server, then draw -----------------------------------------------------

async function panelData(name) {
  const params = query();
  params.set("panel", name);
  const answer = await getJSON("/data/cost", Object.fromEntries(params));
  const state = answer.state;
  $("i-r").max = state["i-cin"];
  setValue($("i-r"), String(state["i-r"]));
  $("i-r-value").textContent = state["i-r"];
  $("s-cout-value").textContent = state["s-cout"];
  return answer.panels[name];
}

const PANELS = {
  s: "sweep",
  i: "inception",
  b: "bottleneck",
  p: "projection",
  d: "separable",
  n: "networks",
  g: "grouped",
};

// What a refusal calls each query parameter: its control's label, and the range the control offers.
function controlNames() {
  const names = {};
  for (const control of controls) {
    const label = control.closest("label")?.firstChild.textContent.trim() || control.id;
    names[control.id] = { name: label, min: control.min || undefined, max: control.max || undefined };
  }
  return names;
}

// A refused query is said in the panel's own verdict line, in the page's words.
async function update(key) {
  const name = PANELS[key];
  const verdict = $(`${name}-verdict`);
  try {
    page.shown[name] = PANEL_VIEWS[name](await panelData(name), TEXT);
    showPanel(name, page.shown[name]);
    verdict.classList.remove("error");
  } catch (error) {
    verdict.textContent = refusal(error, controlNames());
    verdict.classList.add("error");
  }
}

// body[data-busy] while any panel waits for the server, for tests to wait on.
async function refresh(keys) {
  page.waiting += 1;
  document.body.dataset.busy = "1";
  try {
    await Promise.all(keys.map(update));
  } finally {
    page.waiting -= 1;
    if (!page.waiting) {
      delete document.body.dataset.busy;
      document.body.dataset.ready = "1";
    }
  }
}

for (const control of controls) {
  const event = control.type === "range" ? "input" : "change";
  control.addEventListener(event, () => {
    writeQuery();
    refresh([control.id[0]]);
  });
}

wireShare(document.querySelector(".cost-page"), {
  link: (view) => `${location.origin}${location.pathname}${location.search}#${view}`,
  embed: (view) => embedCode(withPath("/embed/cost", { view, hide: "controls" }), `Pointwise: ${TITLES[view]}`),
  code: (view) => page.shown[view]?.code ?? "",
});

writeQuery();
refresh(Object.keys(PANELS));
