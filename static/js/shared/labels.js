// Axis and tile labels as HTML laid over a Plotly figure: Plotly would measure every one of them
// again on each redraw, and HTML text scales with the room (Large type, presenter mode).
import { font } from "./plots.js";

// Labels [{text, x, y (data coordinates), dx, dy (pixels), anchor: "start" | "end", angle}] as HTML
// over a plot, placed from the figure's own margins and axis ranges. Rebuilt only when they change.
const LABEL_EM = 0.8; // the labels' size in rem (app.css: .plot > .labels > span)
export function placeLabels(element, figure, width) {
  const { margin, height, xaxis, yaxis } = figure.layout;
  const key = JSON.stringify([figure.labels, width, height, margin, xaxis.range, yaxis.range, font().size]);
  let layer = element.querySelector(":scope > .labels");
  if (layer?.dataset.key === key) return;
  layer?.remove();
  layer = document.createElement("div");
  layer.className = "labels";
  layer.dataset.key = key;
  const plotWidth = width - margin.l - margin.r;
  const plotHeight = height - margin.t - margin.b;
  const [x0, x1] = xaxis.range;
  const [y0, y1] = yaxis.range;
  // Labels closer than a line to the last one kept along the same row or column are left out
  // (thinned: y0, y4, y8, … at Cout = 64); the figure's hover still names every cell.
  const line = 1.15 * LABEL_EM * parseFloat(getComputedStyle(document.documentElement).fontSize);
  const kept = new Map();
  for (const label of figure.labels) {
    const left = margin.l + (plotWidth * (label.x - x0)) / (x1 - x0) + (label.dx || 0);
    const top = margin.t + (plotHeight * (y1 - label.y)) / (y1 - y0) + (label.dy || 0);
    const angle = ((label.angle || 0) * Math.PI) / 180;
    const last = kept.get(`${label.anchor}|${label.angle || 0}`);
    // The distance between two parallel lines of text: across the direction the text runs.
    if (last && Math.abs((left - last[0]) * Math.sin(angle) - (top - last[1]) * Math.cos(angle)) < line) continue;
    kept.set(`${label.anchor}|${label.angle || 0}`, [left, top]);
    const span = document.createElement("span");
    span.textContent = label.text;
    const shift = label.anchor === "end" ? "-100%" : "0";
    span.style.left = `${left}px`;
    span.style.top = `${top}px`;
    span.style.transformOrigin = label.anchor === "end" ? "right center" : "left center";
    span.style.transform = `translate(${shift}, -50%) rotate(${label.angle || 0}deg)`;
    layer.append(span);
  }
  element.append(layer);
}
