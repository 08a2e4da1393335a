// Site-wide chrome: the language, "Large type" and "Marks" (remembered across pages and visits, or
// ?large=1, ?marks=1),
// and the layout a link asks for: ?view=a,b shows only those views, ?hide=x,y hides those controls.
import { arrangeViews } from "./fit.js";
import { untabToolbars } from "./toolbar.js";

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

// The display settings, each a class on <html>: ?name=1 or =0 in the link, else the one remembered
// in this browser; a tick of its box is remembered and redraws the figures. Presenter mode (the
// lesson's, set by the server from its link) is large type as well.
const SETTINGS = [
  ["large", "large-type", "pointwise-large-type"],
  ["marks", "marks", "pointwise-marks"],
];
for (const [name, id, key] of SETTINGS) {
  const box = document.getElementById(id);
  const apply = (on) => {
    const forced = name === "large" && document.body.classList.contains("presenter");
    document.documentElement.classList.toggle(name, on || forced);
    if (box) box.checked = on;
  };
  apply(params.get(name) === "1" || (params.get(name) !== "0" && localStorage.getItem(key) === "1"));
  box?.addEventListener("change", () => {
    localStorage.setItem(key, box.checked ? "1" : "0");
    apply(box.checked);
    window.dispatchEvent(new Event("resize"));
  });
}

// "Skip to the figure": past the site's links and the controls to the page's first figure (its
// views, a lesson's step), or to its content where it has none.
document.getElementById("skip")?.addEventListener("click", (event) => {
  const shown = [...document.querySelectorAll("main .views, main [data-view], main .step")].find((e) => e.offsetParent);
  const target = shown ?? document.getElementById("main");
  event.preventDefault();
  if (!target.hasAttribute("tabindex")) target.tabIndex = -1;
  target.focus();
});
untabToolbars();

// An export is drawn as the page is seen: the link to it takes the page's Large type and Marks.
document.getElementById("export-html")?.addEventListener("click", (event) => {
  const url = new URL(event.currentTarget.href);
  for (const [name] of SETTINGS) {
    if (document.documentElement.classList.contains(name)) url.searchParams.set(name, "1");
    else url.searchParams.delete(name);
  }
  event.currentTarget.href = url.toString();
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
