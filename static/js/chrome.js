// Site-wide chrome: the "Large type" switch, remembered across pages and visits.
const box = document.getElementById("large-type");
const KEY = "pointwise-large-type";

function apply(on) {
  document.documentElement.classList.toggle("large", on);
  box.checked = on;
}

apply(localStorage.getItem(KEY) === "1" || new URLSearchParams(location.search).get("large") === "1");
box.addEventListener("change", () => {
  localStorage.setItem(KEY, box.checked ? "1" : "0");
  apply(box.checked);
  window.dispatchEvent(new Event("resize"));
});
