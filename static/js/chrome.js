// Site-wide chrome: the language, "Large type" (remembered across pages and visits, or ?large=1),
// and the layout a link asks for: ?view=a,b shows only those views, ?hide=x,y hides those controls.
import { arrangeViews } from "./fit.js";

const box = document.getElementById("large-type");
const KEY = "pointwise-large-type";
const params = new URLSearchParams(location.search);

// The language: ?lang= in the URL, remembered in this browser (localStorage, no cookies). A page
// opened without it takes the remembered one, else keeps the server's pick from Accept-Language;
// either way the URL then says it, so every link, embed and export the page makes keeps it.
const LANGUAGE_KEY = "pointwise-language";
const language = document.documentElement.lang;
const remembered = localStorage.getItem(LANGUAGE_KEY);
if (params.has("lang")) {
  localStorage.setItem(LANGUAGE_KEY, language);
} else if (remembered && remembered !== language) {
  params.set("lang", remembered);
  location.replace(`${location.pathname}?${params}${location.hash}`);
} else {
  params.set("lang", language);
  history.replaceState(history.state, "", `${location.pathname}?${params}${location.hash}`);
}
// A language switch opens this page, in its present state, in the other language.
for (const link of document.querySelectorAll("a[hreflang]")) {
  link.addEventListener("click", () => {
    const url = new URL(location.href);
    url.searchParams.set("lang", link.hreflang);
    link.href = url.toString();
    localStorage.setItem(LANGUAGE_KEY, link.hreflang);
  });
}

// Presenter mode (the lesson's, set by the server from its link) is large type as well.
function apply(on) {
  document.documentElement.classList.toggle("large", on || document.body.classList.contains("presenter"));
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
  const selector = name === "controls" ? ".controls, .share, .figure-control" : `[data-control="${CSS.escape(name)}"]`;
  for (const element of document.querySelectorAll(selector)) element.classList.add("left-out");
}
arrangeViews();
