// Grids of maps composed into one image (each tile's label under it, a colour bar under them all),
// and the Plotly figure that shows one.
import { COLOURS, GRID_HEIGHT, MIN_TILE_PX, TILE_GAP, TILE_IMAGE } from "./config.js";
import { extent, fmt, font, mapColour, marking } from "./plots.js";
import { commonText } from "./text.js";

export function columnsFor(count) {
  return Math.max(1, Math.ceil(Math.sqrt(count * 1.2)));
}

// Tiles [{values (H·W), factor (default 1: the map is factor·values), range (of factor·values),
// label: [lines]}] → one image: a grid of `cols` columns with each tile's label drawn under it and a
// colour bar under them all. A tile gets about as many pixels as the screen gives it in a figure
// `figureWidth` CSS pixels wide: large maps are sampled (every n-th pixel), small ones enlarged
// (each value a block of n×n pixels), so labels drawn into the image stay sharp. Tiles on one range
// share the bar's numbers; tiles on ranges of their own each get their ±A under their name, and the
// bar says so.
// `maxHeight`: on a page, the height gridFigure will cap the figure at (not with Large type, which
// shows a grid at its full width): the labels are drawn larger where the image will be shown smaller.
export function composeTiles(tiles, { height, width, cols: wanted, figureWidth, figureHeight = null, maxHeight = null, selected = -1 }) {
  const ratio = window.devicePixelRatio || 1;
  const limits = tiles.map((tile) => extent(tile.range));
  const shared = limits.every((m) => Math.abs(m - limits[0]) <= 1e-9 * limits[0]);
  const lines = tiles.map((tile) => (shared ? tile.label : [...tile.label, "±A"])); // for the room they take
  const f = font();
  const legendLines = shared ? 1 : 2;
  const legendPx = (size) => Math.round(size * (1.6 + 1.25 * legendLines));
  // In a frame (figureHeight given) the columns that make the largest tiles fit both ways; on a page,
  // pageColumns.
  const lineCount = Math.max(...lines.map((label) => label.length));
  const [cols, tileSide] = figureHeight
    ? bestColumns(tiles.length, height / width, figureWidth, figureHeight - legendPx(f.size), f.size * (1.25 * lineCount + 0.4))
    : pageColumns(wanted, figureWidth);
  // The tile's pixels: about as many as it is shown with; in a frame never fewer (an image shown
  // larger than drawn would blur its labels), on a page never more (a page's grid may be any height).
  const shown = Math.max(1, tileSide * ratio);
  const side = Math.max(height, width);
  const enlarge = (figureHeight ? Math.ceil : Math.floor)(shown / side);
  const scale = side > shown ? 1 / Math.floor(side / shown) : Math.max(1, enlarge);
  const th = Math.ceil(height * scale);
  const tw = Math.ceil(width * scale);
  const rows = Math.ceil(tiles.length / cols);
  const gap = Math.max(2, Math.round(TILE_GAP * tw));
  const gridWidth = cols * tw + (cols - 1) * gap;
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d");
  const words = commonText()?.figures ?? {};
  const ticks = shared ? [fmt(-limits[0], 2), "0", `+${fmt(limits[0], 2)}`] : ["−A", "0", "+A"];
  // Labels are drawn at the font's size as the grid will be seen: in a frame the image is shown
  // smaller than `figureWidth` where the height is short, so its labels are drawn larger to match.
  let fontPx = Math.max(8, Math.round((f.size * gridWidth) / figureWidth));
  let labels;
  let labelRoom;
  let canvasWidth;
  const layOut = () => {
    context.font = `${fontPx}px ${f.family}`;
    // A tile's own range is never cut short: "±0.37", else "±0.4" where the tile is narrow.
    const range = (m) => [`±${fmt(m, 2)}`, `±${Number(m.toPrecision(1))}`];
    const fitting = (texts) => texts.find((text) => textWidth(context, text) <= tw) ?? texts.at(-1);
    labels = tiles.map((tile, k) => [...fitLines(context, tile.label, tw), ...(shared ? [] : [fitting(range(limits[k]))])]);
    labelRoom = Math.round(fontPx * (1.25 * Math.max(...labels.map((label) => label.length)) + 0.4));
    // The bar's three numbers side by side, with room between them; never wider than the grid needs.
    const tickWidth = ticks.reduce((sum, tick) => sum + textWidth(context, tick), 0) + 2 * fontPx;
    canvasWidth = Math.ceil(Math.max(gridWidth, tickWidth));
  };
  layOut();
  const tall = () => rows * (th + labelRoom) + legendPx(fontPx);
  const cap = figureHeight ?? (document.documentElement.classList.contains("large") ? null : maxHeight);
  for (let pass = 0; cap && pass < 2; pass++) {
    // On a page the grid is never shown with tiles under MIN_TILE_PX, whatever its cap (gridFigure);
    // and never below a quarter of what its width allows: a cell too short for its labels gets small
    // tiles, not labels (and an image) that grow without end.
    const byWidth = (figureWidth - 8) / canvasWidth;
    const byHeight = Math.max((cap - 8) / tall(), figureHeight ? byWidth / 4 : MIN_TILE_PX / tw);
    const seen = Math.min(byWidth, byHeight);
    const wanted = Math.max(8, Math.round(f.size / seen));
    if (wanted <= fontPx) break;
    fontPx = wanted;
    layOut();
  }
  canvas.width = canvasWidth;
  canvas.height = tall();
  const image = context.createImageData(canvas.width, canvas.height);
  const pixels = new Uint32Array(image.data.buffer);
  const [br, bg, bb] = COLOURS.tileBackground;
  pixels.fill(((255 << 24) | (bb << 16) | (bg << 8) | br) >>> 0); // RGBA bytes, little-endian
  const marks = marking();
  const paint = (p, u, i, j) => (pixels[p] = mapColour(u, marks, i, j));
  const origins = tiles.map((tile, k) => {
    const x0 = (k % cols) * (tw + gap);
    const y0 = Math.floor(k / cols) * (th + labelRoom);
    const a = (tile.factor ?? 1) / limits[k];
    const values = tile.values;
    for (let i = 0; i < th; i++) {
      let p = (y0 + i) * canvas.width + x0;
      const rowStart = Math.min(height - 1, Math.floor(i / scale)) * width;
      for (let j = 0; j < tw; j++, p++) paint(p, a * values[rowStart + Math.min(width - 1, Math.floor(j / scale))], i, j);
    }
    return [x0, y0];
  });
  // The colour bar: from −A to +A across the image, under the last row.
  const barTop = rows * (th + labelRoom) + Math.round(0.5 * fontPx);
  const barHeight = Math.round(0.6 * fontPx);
  const barLeft = Math.round(fontPx / 2);
  const barWidth = canvas.width - 2 * barLeft;
  for (let i = 0; i < barHeight; i++) {
    for (let j = 0; j < barWidth; j++) paint((barTop + i) * canvas.width + barLeft + j, (2 * j) / (barWidth - 1) - 1, i, j);
  }
  context.putImageData(image, 0, 0);
  context.font = `${fontPx}px ${f.family}`; // resizing the canvas reset it
  context.textBaseline = "top";
  context.fillStyle = f.color;
  const tickTop = barTop + barHeight + Math.round(0.2 * fontPx);
  [
    ["left", barLeft],
    ["center", canvas.width / 2],
    ["right", barLeft + barWidth],
  ].forEach(([align, x], i) => {
    context.textAlign = align;
    context.fillText(ticks[i], x, tickTop);
  });
  if (!shared) {
    context.textAlign = "center";
    const [note] = fitLines(context, [words.own_range ?? "A = max |value| of each map"], canvas.width);
    context.fillText(note, canvas.width / 2, tickTop + 1.25 * fontPx);
  }
  context.textAlign = "center";
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
  const names = tiles.map((tile) => tile.label.join(" "));
  const scaleText = shared ? `${ticks[0]} … ${ticks[2]}` : words.own_range;
  const grid = { canvas, width: canvas.width, height: canvas.height, origins, tileHeight: th, tileWidth: tw, scale };
  return withUrl({ ...grid, labels: names, fontPx, cols, limits, scaleText });
}

// `grid.url`, the composed image as a data URL, is encoded when first read: the Mixer's drag path
// shows the canvas itself and never needs it.
function withUrl(grid) {
  let url = null;
  return Object.defineProperty(grid, "url", {
    get: () => (url ??= grid.canvas.toDataURL(TILE_IMAGE.type, TILE_IMAGE.quality)),
    enumerable: true,
  });
}

// As many columns as keep a grid of `count` tiles (`aspect` = height / width, `lines` of label under
// each, a colour bar under all) within `maxHeight` at its natural size: a grid shrunk to its height
// would shrink its labels with it (7 px under 16 maps on a laptop).
export function columnsWithin(count, aspect, figureWidth, maxHeight, lines) {
  const f = font();
  for (let cols = columnsFor(count); cols < count; cols++) {
    const tile = figureWidth / cols / (1 + TILE_GAP);
    const rows = Math.ceil(count / cols);
    if (rows * (tile * aspect + f.size * (1.25 * lines + 0.4)) + 4 * f.size <= maxHeight) return cols;
  }
  return count;
}

// A grid composed for the width it is shown at: where even one row of tiles is taller than
// `maxHeight` at `figureWidth` (two maps side by side), it is composed for the narrower width the
// height leaves it, so that its labels are drawn at the figures' size, not shrunk with the grid.
export function composeWithin(tiles, options, maxHeight) {
  const grid = composeTiles(tiles, options);
  const natural = ((options.figureWidth - 8) * grid.height) / grid.width;
  if (options.figureHeight || natural <= maxHeight - 8 || document.documentElement.classList.contains("large")) return grid;
  return composeTiles(tiles, { ...options, figureWidth: 8 + ((options.figureWidth - 8) * (maxHeight - 8)) / natural });
}

// How many columns of `count` tiles (each `aspect` = height/width, with `labelPx` of label under it)
// give the widest tiles in a box of figureWidth × figureHeight CSS pixels: [columns, tile width].
function bestColumns(count, aspect, figureWidth, figureHeight, labelPx) {
  let best = [1, 0];
  for (let cols = 1; cols <= count; cols++) {
    const rows = Math.ceil(count / cols);
    const byWidth = figureWidth / (cols * (1 + TILE_GAP));
    const byHeight = (figureHeight / rows - labelPx) / aspect;
    const side = Math.min(byWidth, byHeight);
    if (side > best[1]) best = [cols, side];
  }
  return best;
}

// [columns, tile width] of a grid on a page: up to `wanted` columns, no tile narrower than
// MIN_TILE_PX on screen (a narrow figure, a phone, gets fewer columns).
function pageColumns(wanted, figureWidth) {
  const cols = Math.max(1, Math.min(wanted, Math.floor((figureWidth - 8) / (MIN_TILE_PX * (1 + TILE_GAP) + 1))));
  return [cols, figureWidth / cols];
}

// The width of `text` in the context's font, measured once: a grid drawn on every frame of a drag
// lays out the same labels each time, and measureText is a third of its time.
const WIDTHS = new Map();
function textWidth(context, text) {
  const key = `${context.font}\n${text}`;
  let width = WIDTHS.get(key);
  if (width === undefined) {
    if (WIDTHS.size > 5000) WIDTHS.clear();
    width = context.measureText(text).width;
    WIDTHS.set(key, width);
  }
  return width;
}

// A tile's label lines, each as wide as the tile at most: a line too wide breaks at its spaces, and
// a word still too wide is cut short with "…" (the full label travels as the figure's text).
function fitLines(context, lines, room) {
  const fits = (text) => textWidth(context, text) <= room;
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
export function gridFigure(grid, figureWidth, maxHeight = GRID_HEIGHT, floorTiles = true) {
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
