// A figure's text alternative for screen readers: what it shows, its shape and its channel names,
// in a visually hidden paragraph beside the plot that the plot names with aria-describedby. (Not
// role="img" with a label: a plot holds focusable parts, which an image may not.)
export function describe(element, text) {
  if (!element) return;
  const id = `${element.id}-description`;
  let note = document.getElementById(id);
  if (!note) {
    note = document.createElement("p");
    note.id = id;
    note.className = "visually-hidden";
    element.after(note);
    element.setAttribute("aria-describedby", id);
  }
  if (note.textContent !== text) note.textContent = text;
}
