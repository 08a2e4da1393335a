// The weight editor on the W heatmap: click a cell, then type, drag the slider, scroll (once the
// heatmap has the focus), or use the keyboard (arrows move; Shift+arrows, + and − change the value). It edits page.state, the one state
// of the page; the page draws and asks the server.
import { WEIGHT_STEP } from "../shared/config.js";
import { MOVES } from "./map-keys.js";

const LIMIT = 10; // a weight or bias typed by hand stays within ±LIMIT

const clamp = (v, low, high) => Math.max(low, Math.min(high, v));

// The selected cell's value: the hand edit where there is one (it may be newer than the answer).
export function cellValue(state, answer, { row, col }) {
  if (col === answer.weight.shape[1]) {
    return (state.bias === "edited" ? state.B?.[row] : undefined) ?? answer.bias.values[row];
  }
  return (state.w === "edited" ? state.W?.[row]?.[col] : undefined) ?? answer.weight.values[row][col];
}

// Write `value` into the selected cell of the state's W or b; the first edit copies the answer's
// W and b into the state. Says whether it was the first edit (a new history entry).
export function editCell(state, answer, { row, col }, value) {
  const { weight, bias } = answer;
  const firstEdit = state.w !== "edited";
  if (firstEdit) Object.assign(state, { w: "edited", W: weight.values.map((r) => [...r]) });
  if (state.bias !== "edited") Object.assign(state, { bias: "edited", B: [...bias.values] });
  const v = clamp(value, -LIMIT, LIMIT);
  if (col === weight.shape[1]) state.B[row] = v;
  else state.W[row][col] = v;
  weight.values = state.W; // the heatmap shows the edit before the server answers
  bias.values = state.B;
  return firstEdit;
}

// The cell `row`, `col` of W (or b, in column Cin), kept inside the matrix.
export function cellAt(answer, row, col) {
  const [cout, cin] = answer.weight.shape;
  return { row: clamp(row, 0, cout - 1), col: clamp(col, 0, cin) };
}

export function editorElements(root = document) {
  const $ = (id) => root.getElementById(id);
  const [heatmap, label, value, slider, error] = ["weights-plot", "w-label", "w-value", "w-slider", "w-error"].map($);
  return { heatmap, label, value, slider, error };
}

export function renderEditor(dom, page) {
  const { answer, names } = page.last;
  const { row, col } = page.selected;
  const value = cellValue(page.state, answer, page.selected);
  dom.label.textContent = col === answer.weight.shape[1] ? `b[y${row}]` : `W[y${row}, ${names[col]}]`;
  if (document.activeElement !== dom.value) dom.value.value = String(Number(value.toFixed(4)));
  dom.slider.value = String(value);
}

// on.edited(row, firstEdit): the state's W or b changed in `row`;
// on.chose(): another output channel is selected (page.state.ch changed);
// on.moved(): another cell of the same row is selected: only the heatmap and the editor change.
export function wireEditor(dom, page, on) {
  function set(value) {
    if (!page.last || !Number.isFinite(value)) return;
    const firstEdit = editCell(page.state, page.last.answer, page.selected, value);
    on.edited(page.selected.row, firstEdit);
  }

  function step(up) {
    set(cellValue(page.state, page.last.answer, page.selected) + (up ? WEIGHT_STEP : -WEIGHT_STEP));
  }

  function select(row, col) {
    page.selected = cellAt(page.last.answer, row, col);
    if (page.state.ch === page.selected.row) {
      on.moved();
    } else {
      page.state.ch = page.selected.row;
      on.chose();
    }
  }

  // A typed value outside the field's limits is refused, not clamped: the browser's own words say
  // why beside the field, and on leaving it the field shows the value in force again.
  dom.value.addEventListener("input", () => {
    const valid = dom.value.checkValidity();
    dom.value.setAttribute("aria-invalid", String(!valid));
    dom.error.hidden = valid;
    dom.error.textContent = valid ? "" : dom.value.validationMessage;
    if (valid) set(Number.parseFloat(dom.value.value));
  });
  dom.value.addEventListener("change", () => {
    if (dom.value.checkValidity() || !page.last) return;
    dom.value.value = String(Number(cellValue(page.state, page.last.answer, page.selected).toFixed(4)));
  });
  dom.slider.addEventListener("input", () => set(Number.parseFloat(dom.slider.value)));
  dom.heatmap.addEventListener("keydown", (e) => {
    if (!page.last) return;
    const move = MOVES[e.key];
    if (move && !e.shiftKey) select(page.selected.row + move[0], page.selected.col + move[1]);
    else if (move || e.key === "+" || e.key === "-") step(e.key === "+" || e.key === "ArrowUp" || e.key === "ArrowRight");
    else return;
    e.preventDefault();
  });
  // The wheel edits only a matrix that holds the focus (clicked or tabbed into): over W on a page
  // being scrolled, it scrolls the page.
  dom.heatmap.addEventListener(
    "wheel",
    (e) => {
      if (!page.last || document.activeElement !== dom.heatmap) return;
      e.preventDefault();
      step(e.deltaY < 0);
    },
    { passive: false },
  );
  // Plotly's own events: the heatmap must have been made with Plotly.newPlot first.
  dom.heatmap.on("plotly_click", (event) => {
    const point = event.points[0];
    select(point.y, point.x);
    dom.heatmap.focus();
  });
}
