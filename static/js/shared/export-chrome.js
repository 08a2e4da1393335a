// An exported file's "Large type" box: it starts as the query the file was made from said (?large=1,
// a class on <html> from the server) and, ticked or not, redraws the file's figures with no server.
export function largeTypeBox(redraw) {
  const box = document.getElementById("large-type");
  box.addEventListener("change", () => {
    document.documentElement.classList.toggle("large", box.checked);
    redraw();
  });
}
