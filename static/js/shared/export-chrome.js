// An exported file's chrome: Plotly's toolbar buttons out of the tab order, as on the pages, and its
// "Large type" box, which starts as the query the file was made from said (?large=1, a class on
// <html> from the server) and, ticked or not, redraws the file's figures with no server.
import { untabToolbars } from "./toolbar.js";

untabToolbars();

export function largeTypeBox(redraw) {
  const box = document.getElementById("large-type");
  box.addEventListener("change", () => {
    document.documentElement.classList.toggle("large", box.checked);
    redraw();
  });
}
