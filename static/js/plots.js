// Shared drawing helpers: colour maps, grids of maps composed into one image, number formats.
import { COLOURS, DIVERGING, FONT, LARGE_FONT, MIN_TILE_PX, SEQUENTIAL, TILE_GAP, TILE_IMAGE } from "./config.js";

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

// A 256-entry lookup table interpolated between the stops of a colour scale: opaque RGBA packed
// in one 32-bit word per entry, as a canvas's pixels lie in memory (little-endian).
function lut(stops) {
  const table = new Uint32Array(256);
  const rgb = stops.map(([t, hex]) => [t, hexToRgb(hex)]);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
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

const LUTS = { diverging: lut(DIVERGING), sequential: lut(SEQUENTIAL) };

export function font() {
  return document.documentElement.classList.contains("large") ? LARGE_FONT : FONT;
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

// Signed data gets the diverging scale centred on zero; data that is never negative the sequential one.
function colouring([lo, hi]) {
  if (lo < 0) {
    const m = Math.max(-lo, hi) || 1;
    return { table: LUTS.diverging, a: 127.5 / m, b: 127.5 };
  }
  const span = hi - lo || 1;
  return { table: LUTS.sequential, a: 255 / span, b: (-255 * lo) / span };
}

export function columnsFor(count) {
  return Math.max(1, Math.ceil(Math.sqrt(count * 1.2)));
}

// Tiles [{values (H·W), factor (default 1: the map is factor·values), range, label: [lines]}] → one image: a grid of `cols` columns with each
// tile's label drawn under it. A tile gets about as many pixels as the screen gives it in a figure
// `figureWidth` CSS pixels wide: large maps are sampled (every n-th pixel), small ones enlarged
// (each value a block of n×n pixels), so labels drawn into the image stay sharp.
export function composeTiles(tiles, { height, width, cols: wanted, figureWidth, figureHeight = null, selected = -1 }) {
  const ratio = window.devicePixelRatio || 1;
  // In a frame (figureHeight given) the columns that make the largest tiles fit both ways; on a page,
  // no tile narrower than MIN_TILE_PX on screen: a narrow figure (a phone) gets fewer columns.
  const lineCount = Math.max(...tiles.map((t) => t.label.length));
  const cols = figureHeight
    ? bestColumns(tiles.length, height / width, figureWidth, figureHeight, font().size * (1.25 * lineCount + 0.4))
    : Math.max(1, Math.min(wanted, Math.floor((figureWidth - 8) / (MIN_TILE_PX * (1 + TILE_GAP) + 1))));
  const shown = Math.max(1, (figureWidth / cols) * ratio);
  const side = Math.max(height, width);
  const scale = side > shown ? 1 / Math.floor(side / shown) : Math.max(1, Math.floor(shown / side));
  const th = Math.ceil(height * scale);
  const tw = Math.ceil(width * scale);
  const rows = Math.ceil(tiles.length / cols);
  const gap = Math.max(2, Math.round(TILE_GAP * tw));
  const canvasWidth = cols * tw + (cols - 1) * gap;
  const f = font();
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d");
  // Labels are drawn at the font's size as the grid will be seen: in a frame the image is shown
  // smaller than `figureWidth` where the height is short, so its labels are drawn larger to match.
  let fontPx = Math.max(8, Math.round((f.size * canvasWidth) / figureWidth));
  let labels;
  let labelRoom;
  const layOut = () => {
    context.font = `${fontPx}px ${f.family}`;
    labels = tiles.map((tile) => fitLines(context, tile.label, tw));
    labelRoom = Math.round(fontPx * (1.25 * Math.max(...labels.map((label) => label.length)) + 0.4));
  };
  layOut();
  for (let pass = 0; figureHeight && pass < 2; pass++) {
    const seen = Math.min((figureWidth - 8) / canvasWidth, (figureHeight - 8) / (rows * (th + labelRoom)));
    const wanted = Math.max(8, Math.round(f.size / seen));
    if (wanted <= fontPx) break;
    fontPx = wanted;
    layOut();
  }
  canvas.width = canvasWidth;
  canvas.height = rows * (th + labelRoom);
  const image = context.createImageData(canvas.width, canvas.height);
  const pixels = new Uint32Array(image.data.buffer);
  const [br, bg, bb] = COLOURS.tileBackground;
  pixels.fill(((255 << 24) | (bb << 16) | (bg << 8) | br) >>> 0); // RGBA bytes, little-endian
  const origins = tiles.map((tile, k) => {
    const x0 = (k % cols) * (tw + gap);
    const y0 = Math.floor(k / cols) * (th + labelRoom);
    const { table, a: slope, b } = colouring(tile.range);
    const a = slope * (tile.factor ?? 1);
    const values = tile.values;
    for (let i = 0; i < th; i++) {
      let p = (y0 + i) * canvas.width + x0;
      const rowStart = Math.min(height - 1, Math.floor(i / scale)) * width;
      for (let j = 0; j < tw; j++, p++) {
        const v = values[rowStart + Math.min(width - 1, Math.floor(j / scale))];
        pixels[p] = table[Math.max(0, Math.min(255, Math.round(a * v + b)))];
      }
    }
    return [x0, y0];
  });
  context.putImageData(image, 0, 0);
  context.font = `${fontPx}px ${f.family}`; // resizing the canvas reset it
  context.textAlign = "center";
  context.textBaseline = "top";
  labels.forEach((label, k) => {
    const [x0, y0] = origins[k];
    label.forEach((line, i) => {
      const y = y0 + th + fontPx * (0.2 + 1.25 * i);
      if (k === selected) {
        const w = context.measureText(line).width + fontPx * 0.4;
        context.fillStyle = COLOURS.highlight;
        context.fillRect(x0 + tw / 2 - w / 2, y - fontPx * 0.1, w, fontPx * 1.2);
      }
      context.fillStyle = f.color;
      context.fillText(line, x0 + tw / 2, y);
    });
  });
  const url = canvas.toDataURL(TILE_IMAGE.type, TILE_IMAGE.quality);
  const names = tiles.map((tile) => tile.label.join(" "));
  const grid = { url, width: canvas.width, height: canvas.height, origins, tileHeight: th, tileWidth: tw, scale };
  return { ...grid, labels: names, fontPx, cols };
}

// How many columns of `count` tiles (each `aspect` = height/width, with `labelPx` of label under it)
// give the widest tiles in a box of figureWidth × figureHeight CSS pixels.
function bestColumns(count, aspect, figureWidth, figureHeight, labelPx) {
  let best = [1, 0];
  for (let cols = 1; cols <= count; cols++) {
    const rows = Math.ceil(count / cols);
    const byWidth = figureWidth / (cols * (1 + TILE_GAP));
    const byHeight = (figureHeight / rows - labelPx) / aspect;
    const side = Math.min(byWidth, byHeight);
    if (side > best[1]) best = [cols, side];
  }
  return best[0];
}

// A tile's label lines, each as wide as the tile at most: a line too wide breaks at its spaces, and
// a word still too wide is cut short with "…" (the full label travels as the figure's text).
function fitLines(context, lines, room) {
  const fits = (text) => context.measureText(text).width <= room;
  const out = [];
  for (const line of lines) {
    if (fits(line)) {
      out.push(line);
      continue;
    }
    let current = "";
    for (const word of line.split(" ")) {
      const joined = current ? `${current} ${word}` : word;
      if (fits(joined)) current = joined;
      else {
        if (current) out.push(current);
        current = word;
      }
    }
    out.push(current);
  }
  return out.map((line) => {
    if (fits(line)) return line;
    let cut = line;
    while (cut.length > 1 && !fits(`${cut}…`)) cut = cut.slice(0, -1);
    return `${cut}…`;
  });
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

// Which tile, and which pixel in it, a point (x, y) of a composed grid falls on; null in a gap.
export function hitTile(grid, x, y) {
  const { tileWidth: w, tileHeight: h, scale } = grid;
  const k = grid.origins.findIndex(([x0, y0]) => x >= x0 && x < x0 + w && y >= y0 && y < y0 + h);
  if (k < 0) return null;
  const [x0, y0] = grid.origins[k];
  return { tile: k, row: Math.floor((y - y0) / scale), col: Math.floor((x - x0) / scale) };
}

// A Plotly figure of one composed grid, as tall as its width asks for. Its tile labels, drawn
// into the image, also travel as text (`tiles`) for the page to expose.
// Never so short that its tiles shrink under MIN_TILE_PX (unless fitted to a frame: floorTiles false); `layout.meta.labelPx` is the size its
// labels are drawn at, and `tilePx` the width of a tile, on screen (CSS pixels), for tests to check.
export function gridFigure(grid, figureWidth, maxHeight = 420, floorTiles = true) {
  // With Large type a page grid is drawn at its full width, however tall: its labels stay large too.
  if (floorTiles && document.documentElement.classList.contains("large")) maxHeight = Infinity;
  const natural = Math.round(((figureWidth - 8) * grid.height) / grid.width);
  const tileShown = ((figureWidth - 8) * grid.tileWidth) / grid.width;
  const floor = floorTiles ? Math.ceil(natural * Math.min(1, MIN_TILE_PX / tileShown)) : 0;
  const height = Math.max(floor, Math.min(maxHeight - 8, natural)) + 8;
  const shownScale = Math.min((figureWidth - 8) / grid.width, (height - 8) / grid.height);
  return {
    tiles: grid.labels,
    data: [{ type: "image", source: grid.url, hoverinfo: "none", x0: 0, y0: 0, dx: 1, dy: 1 }],
    layout: {
      height,
      margin: { l: 4, r: 4, t: 4, b: 4 },
      xaxis: { visible: false, range: [-0.5, grid.width - 0.5], fixedrange: true },
      yaxis: { visible: false, range: [grid.height - 0.5, -0.5], fixedrange: true, scaleanchor: "x" },
      dragmode: false,
      paper_bgcolor: "rgba(0,0,0,0)",
      meta: { labelPx: Math.round(grid.fontPx * shownScale * 10) / 10, tilePx: Math.round(grid.tileWidth * shownScale) },
    },
  };
}

// The CSS gradient of a colour scale, for legends drawn in HTML.
export function cssGradient(stops) {
  return `linear-gradient(to right, ${stops.map(([t, colour]) => `${colour} ${t * 100}%`).join(", ")})`;
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
