// Embeds fit their frame: the views a link selects (?view=a,b, in that order) share the frame's
// width and height at any aspect ratio, and each figure is drawn as tall as its share, so a slide
// never scrolls inside its iframe. Pages outside a frame scroll as usual (fitHeight is null there).

const MODEBAR = 26; // the strip above each figure that holds Plotly's toolbar (app.css --modebar)
const WIDE = new Set(["sum", "probe", "cost", "intro"]); // views that take a whole row of the frame

// Fitted: an embed of chosen views (?view=, as every "Copy embed code" gives) or of a single figure,
// on a page whose renderers size their figures with fitHeight. An embed of a whole page scrolls.
const FITTED_PAGES = "#input-grid, .cost-page, .collapse";
const chosen = new URLSearchParams(location.search).has("view") || !document.querySelector("[data-view]");
export const fitting = document.body.classList.contains("embed") && chosen && !!document.querySelector(FITTED_PAGES);

// The height a figure may take, in CSS pixels, or null where the page is not fitted to a frame.
export function fitHeight(element) {
  if (!fitting || !element) return null;
  return Math.max(60, element.clientHeight - MODEBAR);
}

const visible = (element) => !element.matches(".left-out, [hidden]") && !element.closest(".left-out, [hidden]");

// The views of the page, each a cell of one grid: the order of ?view=, wide views on rows of their
// own, the others as many to a row as the frame's aspect suits (a 16:9 frame: two or three).
export function arrangeViews() {
  if (!fitting) return;
  document.body.classList.add("fit");
  const container = document.querySelector(".views, .cost-page");
  if (!container) return;
  const order = (new URLSearchParams(location.search).get("view") || "").split(",").filter(Boolean);
  // Views, not the share toolbars inside them (which also name their view).
  const views = [...container.querySelectorAll("[data-view]")].filter((v) => visible(v) && !v.parentElement.closest("[data-view]"));
  views.sort((a, b) => rank(order, a) - rank(order, b));
  const narrow = views.filter((v) => !WIDE.has(v.dataset.view));
  const aspect = window.innerWidth / Math.max(1, window.innerHeight);
  const cols = Math.max(1, Math.min(narrow.length, Math.round(Math.sqrt(narrow.length * aspect * 0.8))));
  const rows = [];
  let row = null;
  for (const view of views) {
    if (WIDE.has(view.dataset.view)) {
      // The probe's row is as tall as its tables at the room's type size (app.css caps it at 62% of
      // the frame); the figures share what is left. Alone, the probe has the whole frame.
      rows.push(view.dataset.view === "sum" || views.length === 1 ? "minmax(0, 1fr)" : "auto");
      row = null;
      view.style.gridColumn = "1 / -1";
    } else if (!row || row.count === cols) {
      row = { count: 1 };
      rows.push("minmax(0, 1fr)");
    } else {
      row.count += 1;
    }
    view.style.order = String(views.indexOf(view));
  }
  // Many views in one frame: the figures alone, without their controls, verdicts and copy buttons.
  document.body.classList.toggle("crowded", narrow.length > 2);
  document.body.classList.toggle("alone", views.length === 1);
  container.style.gridTemplateColumns = `repeat(${cols}, minmax(0, 1fr))`;
  container.style.gridTemplateRows = rows.join(" ");
}

function rank(order, element) {
  const i = order.indexOf(element.dataset.view);
  return i < 0 ? order.length : i;
}

// A table or block of text made to fit its box: the largest font from `smallest` pixels up to
// `largest` (the page's own size, unless said) that fits (a binary search), and where even the
// smallest does not (a probe of many channels in a small frame), the whole block zoomed out. Returns
// the size its text is drawn at (font size × zoom), or Infinity where nothing was fitted.
export function shrinkToFit(element, smallest = 11, largest = null) {
  if (!fitting || !element) return Infinity;
  const over = () => element.scrollHeight > element.clientHeight + 1 || element.scrollWidth > element.clientWidth + 1;
  for (const child of element.children) child.style.zoom = "";
  element.style.fontSize = "";
  let [lo, hi] = [smallest, largest ?? Math.round(parseFloat(getComputedStyle(element).fontSize))];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    element.style.fontSize = `${mid}px`;
    if (over()) hi = mid - 1;
    else lo = mid;
  }
  element.style.fontSize = `${lo}px`;
  let zoom = 1;
  for (let tries = 0; tries < 4 && over(); tries++) {
    zoom *= 0.98 * Math.min(element.clientWidth / element.scrollWidth, element.clientHeight / element.scrollHeight);
    for (const child of element.children) child.style.zoom = String(zoom);
  }
  return lo * zoom;
}

// ---- Learn and Blocks: an embed of chosen views (?view=loss,pca on Learn, ?view=diagram,stage on
// Blocks) fits its frame the same way, by figures: the figures of those views share the frame as the
// cells of one grid, in the order the link names them, and each plot is drawn as tall as its cell.

const named = (new URLSearchParams(location.search).get("view") || "").split(",").filter(Boolean);
export const fittingFigures = document.body.classList.contains("embed") && named.length > 0;

const shown = (element) => !element.matches(".left-out, [hidden]");

// The cells: each view, or each figure of a view that pairs figures (weights, output, maps).
export function arrangeFigures(container) {
  if (!fittingFigures) return;
  document.body.classList.add("fit");
  const views = [...container.querySelectorAll(":scope > [data-view]")].filter(shown);
  const cells = views.flatMap((view) => {
    const rank = String(named.indexOf(view.dataset.view));
    const parts = view.matches("figure, .panel") ? [view] : [...view.querySelectorAll(":scope > figure")];
    for (const part of parts) part.style.order = rank;
    return parts;
  });
  const aspect = window.innerWidth / Math.max(1, window.innerHeight);
  const cols = Math.max(1, Math.min(cells.length, Math.round(Math.sqrt(cells.length * aspect * 0.8))));
  container.style.gridTemplateColumns = `repeat(${cols}, minmax(0, 1fr))`;
  document.body.classList.toggle("crowded", cells.length > 2);
}

// The heights the plots `ids` that are shown may take in their cells, or {} on a page that scrolls.
export function fittedHeights(ids) {
  if (!fittingFigures) return {};
  const plots = ids.map((id) => document.getElementById(id)).filter((plot) => plot.getClientRects().length);
  return Object.fromEntries(plots.map((plot) => [plot.id, Math.max(60, plot.clientHeight - MODEBAR)]));
}

// Cells settle as a frame's words and figures arrive (a caption wraps, a figure appears): when a
// plot's cell no longer matches the height it was drawn for, `refit()` draws the page again.
export function watchCells(container, refit) {
  if (!fittingFigures) return;
  let pending = 0;
  const observer = new ResizeObserver(() => {
    const stale = [...container.querySelectorAll(".js-plotly-plot")].some(
      (plot) => plot.getClientRects().length && Math.abs(plot.clientHeight - MODEBAR - plot.layout.height) > 1,
    );
    if (stale && !pending) pending = requestAnimationFrame(() => (pending = 0) || refit());
  });
  for (const plot of container.querySelectorAll(".plot")) observer.observe(plot);
}
