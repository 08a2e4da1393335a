// Arrow keys on a figure that holds the focus: the Mixer's maps move the probed pixel, W moves the
// selected cell, on the page and in its export alike.
import { fill } from "./text.js";

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
