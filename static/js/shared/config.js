// Every visual constant of the pages, in one place.
import { commonText } from "./text.js";

// Blue for negative, near-white for zero, red for positive: keeps its meaning on a washed-out projector.
export const DIVERGING = [
  [0.0, "#08306b"],
  [0.2, "#2171b5"],
  [0.4, "#9ecae1"],
  [0.5, "#f7f7f7"],
  [0.6, "#fcae91"],
  [0.8, "#de2d26"],
  [1.0, "#67000d"],
];

// Dark to bright (viridis-like, monotone in lightness): the colours of series that are not values on
// a map (Learn's loss curve). Every map and weight is on DIVERGING, centred on zero.
export const SEQUENTIAL = [
  [0.0, "#440154"],
  [0.25, "#3b528b"],
  [0.5, "#21918c"],
  [0.75, "#5ec962"],
  [1.0, "#fde725"],
];

export const COLOURS = {
  positive: "#c62828",
  negative: "#1565c0",
  highlight: "#ff8f00",
  node: "#37474f",
  text: "#1a1a1a",
  tileBackground: [255, 255, 255],
};

export const FONT = { family: "system-ui, -apple-system, 'Segoe UI', sans-serif", size: 13, color: COLOURS.text };
export const LARGE_FONT = { ...FONT, size: 18 };

// Negative values are striped with "Marks" on: every `period`-th diagonal, `width` pixels wide.
export const STRIPE = { period: 6, width: 2 };
export const TILE_GAP = 0.08; // gap between tiles, as a fraction of a tile's width
export const MIN_TILE_PX = 64;
export const GRID_HEIGHT = 420; // a grid of maps on a page is at most this tall (CSS pixels), unless Large type // no map tile narrower on screen (CSS pixels)
// Every figure's toolbar holds what a lecturer uses and nothing else: PNG (Plotly's camera), SVG
// (the button added here) and reset. Listing the buttons leaves out every cloud and Chart Studio
// entry; app.css keeps the bar in a strip of its own above the data, hidden (so out of the tab
// order) until the figure is hovered or holds the focus.
const LANGUAGE = document.documentElement.lang;
// Plotly's own words (the toolbar's tips) in the page's language, on a page and in an export alike.
Plotly.register({ moduleType: "locale", name: LANGUAGE, dictionary: commonText().plotly });
const SVG_BUTTON = {
  name: commonText().figures.svg,
  icon: Plotly.Icons.disk,
  click: (figure) => Plotly.downloadImage(figure, { format: "svg", filename: "pointwise" }),
};
export const PLOT_CONFIG = {
  locale: LANGUAGE,
  displaylogo: false,
  responsive: true,
  showSendToCloud: false,
  showTips: false,
  modeBarButtons: [["toImage", SVG_BUTTON, "resetScale2d"]],
  toImageButtonOptions: { format: "png", filename: "pointwise", scale: 2 },
};
export const WEIGHT_STEP = 0.05; // one scroll notch or arrow press on the weight matrix
export const GRAPH_EDGES = 160; // the mixing graph draws this many of its strongest edges at most
export const TILE_IMAGE = { type: "image/png", quality: undefined }; // how composed grids reach Plotly
