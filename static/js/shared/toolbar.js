// Plotly's toolbar buttons (PNG, SVG, reset) out of the tab order: Tab goes from figure to figure,
// and a figure keeps the focus and its own keys; the buttons stay a click away, on hover or focus.
// Every button, as Plotly draws it (a redraw makes new ones).
export function untabToolbars() {
  const untab = (element) => {
    if (element.matches(".modebar-btn")) element.tabIndex = -1;
    for (const button of element.querySelectorAll(".modebar-btn")) button.tabIndex = -1;
  };
  untab(document.body);
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) if (node.nodeType === Node.ELEMENT_NODE) untab(node);
    }
  }).observe(document.body, { childList: true, subtree: true });
}
