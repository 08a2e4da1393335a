// A figure as a control, on the page and in its export alike: a map probes the pixel clicked, or
// moved to with the arrow keys while it has the focus; W moves its selected cell with the keys.
import { hitTile } from "../shared/grid.js";
import { fill } from "../shared/text.js";

export const MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

// A plot that takes the focus, named by its caption and what its keys do (`keys`, a template with
// {name}); `onMove([rows, cols])` on a plain arrow key.
export function focusable(plot, keys, onMove) {
  plot.tabIndex = 0;
  plot.setAttribute("role", "group");
  const caption = plot.closest("figure").querySelector("figcaption").firstChild.textContent.trim();
  plot.setAttribute("aria-label", fill(keys, { name: caption }));
  plot.addEventListener("keydown", (event) => {
    const move = MOVES[event.key];
    if (!move || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    onMove(move);
  });
}

// A plotly event on a composed grid → the tile and the map's pixel it shows ({tile, row, col}), or
// null in a gap: the image pixel as it is (a sampled map shows every n-th).
export const pixelAt = (grid, event) => grid && hitTile(grid, event.points[0].x, event.points[0].y);

// A map (its plot, and `gridOf()` the grid it was last drawn from): `onPixel({tile, row, col})` on a
// click, `onMove([rows, cols])` on an arrow key while it has the focus (`keys`, as focusable's).
export function wireMap(plot, gridOf, keys, { onPixel, onMove }) {
  plot.on("plotly_click", (event) => {
    const hit = pixelAt(gridOf(), event);
    if (!hit) return;
    onPixel(hit);
    plot.focus();
  });
  focusable(plot, keys, onMove);
}

// The probed pixel one arrow key on, kept within the map's [height, width]; from its middle where
// no pixel is probed yet.
export function stepProbe(probe, [rows, cols], [height, width]) {
  const clamp = (v, high) => Math.max(0, Math.min(high, v));
  const from = probe ?? { row: Math.floor(height / 2), col: Math.floor(width / 2) };
  return { row: clamp(from.row + rows, height - 1), col: clamp(from.col + cols, width - 1) };
}
