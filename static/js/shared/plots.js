// Shared drawing helpers: the maps' colour scale, colour bars, ranges, number formats. Grids of
// maps composed into one image are grid.js.
import { DIVERGING, FONT, LARGE_FONT, STRIPE } from "./config.js";

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

// A lookup table of LUT_SIZE entries interpolated between the stops of a colour scale: opaque RGBA
// packed in one 32-bit word per entry, as a canvas's pixels lie in memory (little-endian). An odd
// size, so that zero falls on the middle entry: exactly the scale's middle colour.
const LUT_SIZE = 255;
const MIDDLE = (LUT_SIZE - 1) / 2;
function lut(stops) {
  const table = new Uint32Array(LUT_SIZE);
  const rgb = stops.map(([t, hex]) => [t, hexToRgb(hex)]);
  for (let i = 0; i < LUT_SIZE; i++) {
    const t = i / (LUT_SIZE - 1);
    let k = 0;
    while (k < rgb.length - 2 && t > rgb[k + 1][0]) k++;
    const [t0, c0] = rgb[k];
    const [t1, c1] = rgb[k + 1];
    const u = (t - t0) / (t1 - t0);
    const [r, g, b] = [0, 1, 2].map((j) => Math.round(c0[j] + u * (c1[j] - c0[j])));
    table[i] = ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
  }
  return table;
}

const TABLE = lut(DIVERGING);
const [WHITE, BLACK] = [0xffffffff, 0xff1a1a1a];

export function font() {
  return document.documentElement.classList.contains("large") ? LARGE_FONT : FONT;
}

// "Marks" (a site-wide option, ?marks=1): negative values striped, for greyscale printouts and
// washed-out projectors, where +w and −w of the same size look alike.
export function marking() {
  return document.documentElement.classList.contains("marks");
}

// Is pixel (i, j) of a negative value on one of the diagonal stripes that mark it?
const onStripe = (i, j) => (i + j) % STRIPE.period < STRIPE.width;

// A value scaled to [−1, 1] → its colour on the maps' scale (RGBA packed as canvas pixels lie); with
// `marks`, pixel (i, j) of a negative value on a stripe is black or white, whichever contrasts.
export function mapColour(u, marks, i, j) {
  const index = Math.max(0, Math.min(LUT_SIZE - 1, Math.round(MIDDLE * (u + 1))));
  return marks && u < 0 && onStripe(i, j) ? (index < MIDDLE / 2 ? WHITE : BLACK) : TABLE[index];
}

export function rangeOf(values, start = 0, length = values.length) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = start, end = start + length; i < end; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

// The [min, max] of every channel of a (C, H, W) tensor, computed once and kept on the tensor.
export function channelRanges(tensor) {
  if (!tensor.ranges) {
    const plane = tensor.shape[1] * tensor.shape[2];
    tensor.ranges = Array.from({ length: tensor.shape[0] }, (_, c) => rangeOf(tensor.values, c * plane, plane));
  }
  return tensor.ranges;
}

export function mergeRanges(ranges) {
  return [Math.min(...ranges.map((r) => r[0])), Math.max(...ranges.map((r) => r[1]))];
}

// Every map on one scale: white is zero, red positive, blue negative, centred on zero (a map that is
// never negative uses the red half). A = the largest |value| the scale shows.
export const extent = ([lo, hi]) => Math.max(Math.abs(lo), Math.abs(hi)) || 1;

// A colour scale's limit that one outlier does not move: the largest |value|, but no more than
// OUTLIER_FACTOR times the 90th percentile of the nonzero |values|. Values beyond it are drawn in
// the scale's end colour, and `clipped` says there are some.
const OUTLIER_FACTOR = 3;
export function robustLimit(values) {
  const sizes = values.map(Math.abs).filter((v) => v > 0).sort((a, b) => a - b);
  if (!sizes.length) return { limit: 1, clipped: false };
  const largest = sizes[sizes.length - 1];
  const typical = sizes[Math.floor(0.9 * (sizes.length - 1))];
  const limit = Math.min(largest, OUTLIER_FACTOR * typical);
  return { limit, clipped: limit < largest };
}

// The colour bar of a heatmap on the diverging scale from −limit to +limit, `room` pixels tall:
// ticks at both ends and at zero, "≤"/"≥" at the ends when values beyond them were clipped to the
// end colours; too short for three ticks one above the other (a small frame), the ends alone; too
// short for two, one "±limit" in the middle.
export function colourBar(limit, clipped, f = font(), room = Infinity) {
  const [low, high] = clipped ? ["≤ ", "≥ "] : ["", ""];
  const ends = [
    [-limit, `${low}${fmt(-limit, 2)}`],
    [limit, `${high}${fmt(limit, 2)}`],
  ];
  const ticks = room >= 4 * f.size ? [ends[0], [0, "0"], ends[1]] : room >= 2.5 * f.size ? ends : [[0, `±${fmt(limit, 2)}`]];
  return {
    thickness: Math.round(0.8 * f.size),
    len: 1,
    x: 1,
    xanchor: "left",
    xpad: 6,
    outlinewidth: 0,
    tickfont: f,
    tickvals: ticks.map(([value]) => value),
    ticktext: ticks.map(([, text]) => text),
  };
}

// RGB (3, H, W) values in [0, 1] (clipped) → an image URL.
export function rgbImage(values, height, width) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  const image = context.createImageData(width, height);
  const plane = height * width;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) image.data[i * 4 + c] = 255 * values[c * plane + i];
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return canvas.toDataURL("image/png");
}

export function fmt(value, digits = 3) {
  if (value === 0) return "0";
  const a = Math.abs(value);
  const text = a >= 1e4 || a < 10 ** -digits ? value.toExponential(1) : value.toFixed(digits);
  return text.replaceAll("-", "−"); // the mantissa and the exponent both get a real minus sign
}

// "+0.25" or "−0.25": a term of a sum.
export function signed(value, digits = 2) {
  const text = fmt(value, digits);
  return text.startsWith("−") ? text : `+${text}`;
}

// A channel name over two lines where it has two words, to fit under a small tile.
export function twoLines(name) {
  const space = name.indexOf(" ");
  return space < 0 ? [name] : [name.slice(0, space), name.slice(space + 1)];
}

export function group(n) {
  return n.toLocaleString("en-US");
}
