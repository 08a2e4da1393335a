// Site-wide chrome: "Large type" (remembered across pages and visits, or ?large=1), and the
// layout a link asks for: ?view=a,b shows only those views, ?hide=x,y hides those controls.
const box = document.getElementById("large-type");
const KEY = "pointwise-large-type";
const params = new URLSearchParams(location.search);

function apply(on) {
  document.documentElement.classList.toggle("large", on);
  if (box) box.checked = on;
}

apply(params.get("large") === "1" || (params.get("large") !== "0" && localStorage.getItem(KEY) === "1"));
box?.addEventListener("change", () => {
  localStorage.setItem(KEY, box.checked ? "1" : "0");
  apply(box.checked);
  window.dispatchEvent(new Event("resize"));
});

const list = (name) => (params.get(name) || "").split(",").filter(Boolean);
const views = list("view");
if (views.length) {
  document.body.classList.add("one-view");
  for (const element of document.querySelectorAll("[data-view]")) {
    if (!views.includes(element.dataset.view)) element.classList.add("left-out");
  }
}
document.body.classList.toggle("no-controls", list("hide").includes("controls"));
for (const name of list("hide")) {
  const selector = name === "controls" ? ".controls" : `[data-control="${CSS.escape(name)}"]`;
  for (const element of document.querySelectorAll(selector)) element.classList.add("left-out");
}
