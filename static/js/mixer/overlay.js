// The Mixer's drag path draws on canvases laid over its figures' plot areas (render.js's renderRow):
// laying one over a figure, the probe's cross-hair in a grid's canvas, and W's cells as its heatmap
// draws them.
import { COLOURS } from "../shared/config.js";
import { mapColour } from "../shared/plots.js";

// `canvas` laid over the part [x0, x1] × [y0, y1] (data coordinates) of a figure's plot area, in
// place of the one laid there before; says how many CSS pixels one of its pixels spans.
export function overlay(element, canvas, [x0, x1, y0, y1]) {
  const { xaxis, yaxis } = element._fullLayout;
  const [left, right] = [xaxis.l2p(x0), xaxis.l2p(x1)].sort((a, b) => a - b);
  const [top, bottom] = [yaxis.l2p(y0), yaxis.l2p(y1)].sort((a, b) => a - b);
  const width = right - left;
  Object.assign(canvas.style, {
    position: "absolute",
    left: `${xaxis._offset + left}px`,
    top: `${yaxis._offset + top}px`,
    width: `${width}px`,
    height: `${bottom - top}px`,
    pointerEvents: "none",
  });
  canvas.className = "live";
  const old = element.querySelector("canvas.live");
  if (old) old.replaceWith(canvas);
  else element.querySelector(".svg-container").append(canvas);
  return width / canvas.width;
}

// withMarker's cross-hair on the probed pixel, drawn into a grid's canvas shown `scale` CSS pixels
// to one of its pixels.
export function markProbe(grid, probe, scale) {
  if (!probe) return;
  const context = grid.canvas.getContext("2d");
  const s = grid.scale;
  const [col, row, r] = [(probe.col + 0.5) * s, (probe.row + 0.5) * s, Math.max(3, 0.6 * s)];
  context.strokeStyle = "#ff8f00";
  context.lineWidth = 2 / scale;
  for (const [x0, y0] of grid.origins) {
    context.beginPath();
    context.arc(x0 + col, y0 + row, r, 0, 2 * Math.PI);
    context.stroke();
  }
}

// W's heatmap as weightsFigure describes it (cells, the line before b, the selected cell, the dashes
// in negative cells, the numbers in them), drawn on a canvas the size of `element`'s plot area, on
// the colour bar's range `limit` as drawn (a weight dragged beyond it takes the end colour, as
// clipped values do, until the figure is drawn again with its new bar).
export function cellsCanvas(element, figure, limit) {
  const { xaxis, yaxis } = element._fullLayout;
  const ratio = window.devicePixelRatio || 1;
  const [heatmap, marks] = figure.data;
  const { z } = heatmap;
  const [rows, cols] = [z.length, z[0].length];
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(xaxis._length * ratio);
  canvas.height = Math.round(yaxis._length * ratio);
  const context = canvas.getContext("2d");
  const [cw, ch] = [canvas.width / cols, canvas.height / rows];
  const colour = (w) => {
    const rgba = mapColour(w / limit, false, 0, 0);
    return `rgb(${rgba & 255},${(rgba >> 8) & 255},${(rgba >> 16) & 255})`;
  };
  const gap = ratio; // xgap, ygap: 1 CSS pixel
  z.forEach((row, n) =>
    row.forEach((w, c) => {
      context.fillStyle = colour(w);
      context.fillRect(c * cw + gap / 2, n * ch + gap / 2, cw - gap, ch - gap);
    }),
  );
  if (marks) {
    const size = marks.marker.size * ratio;
    context.lineWidth = marks.marker.line.width * ratio;
    marks.x.forEach((c, i) => {
      context.strokeStyle = marks.marker.line.color[i];
      const [x, y] = [(c + 0.5) * cw, (marks.y[i] + 0.5) * ch];
      context.beginPath();
      context.moveTo(x - size / 2, y);
      context.lineTo(x + size / 2, y);
      context.stroke();
    });
  }
  if (heatmap.texttemplate) {
    context.font = `${heatmap.textfont.size * ratio}px ${heatmap.textfont.family}`;
    context.textAlign = "center";
    context.textBaseline = "middle";
    z.forEach((row, n) =>
      row.forEach((w, c) => {
        context.fillStyle = Math.abs(w / limit) > 0.6 ? "#fff" : COLOURS.text;
        context.fillText(heatmap.text[n][c], (c + 0.5) * cw, (n + 0.5) * ch);
      }),
    );
  }
  for (const shape of figure.layout.shapes) {
    context.strokeStyle = shape.line.color;
    context.lineWidth = shape.line.width * ratio;
    const [x0, x1] = [(shape.x0 + 0.5) * cw, (shape.x1 + 0.5) * cw];
    const [y0, y1] = [(shape.y0 + 0.5) * ch, (shape.y1 + 0.5) * ch];
    if (shape.type === "line") {
      context.beginPath();
      context.moveTo(x0, y0);
      context.lineTo(x1, y1);
      context.stroke();
    } else context.strokeRect(x0, y0, x1 - x0, y1 - y0);
  }
  return canvas;
}
