// An embed of chosen views (?view=loss,pca on Learn, ?view=diagram,stage on Blocks) fits its frame,
// as the Mixer's embeds do (fit.js): the figures of those views share the frame as the cells of one
// grid, in the order the link names them, and each plot is drawn as tall as its cell leaves it, so a
// slide never scrolls inside its iframe.
const MODEBAR = 26; // the strip above each figure that holds Plotly's toolbar (app.css --modebar)

const chosen = (new URLSearchParams(location.search).get("view") || "").split(",").filter(Boolean);
export const fitting = document.body.classList.contains("embed") && chosen.length > 0;

const shown = (element) => !element.matches(".left-out, [hidden]");

// The cells: each view, or each figure of a view that pairs figures (weights, output, maps).
export function arrangeFigures(container) {
  if (!fitting) return;
  document.body.classList.add("fit");
  const views = [...container.querySelectorAll(":scope > [data-view]")].filter(shown);
  const cells = views.flatMap((view) => {
    const rank = String(chosen.indexOf(view.dataset.view));
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
  if (!fitting) return {};
  const plots = ids.map((id) => document.getElementById(id)).filter((plot) => plot.getClientRects().length);
  return Object.fromEntries(plots.map((plot) => [plot.id, Math.max(60, plot.clientHeight - MODEBAR)]));
}

// Cells settle as a frame's words and figures arrive (a caption wraps, a figure appears): when a
// plot's cell no longer matches the height it was drawn for, `refit()` draws the page again.
export function watchCells(container, refit) {
  if (!fitting) return;
  let pending = 0;
  const observer = new ResizeObserver(() => {
    const stale = [...container.querySelectorAll(".js-plotly-plot")].some(
      (plot) => plot.getClientRects().length && Math.abs(plot.clientHeight - MODEBAR - plot.layout.height) > 1,
    );
    if (stale && !pending) pending = requestAnimationFrame(() => (pending = 0) || refit());
  });
  for (const plot of container.querySelectorAll(".plot")) observer.observe(plot);
}
