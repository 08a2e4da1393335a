// "Copy link", "Copy embed code" and "Copy PyTorch code" on every view. What is copied is also
// shown, selected, in a dialog: on a classroom LAN (plain http) the clipboard API is not there.
import { commonText, fill } from "./text.js";

// A 16:9 slide (960×540); the embed fits its figures to whatever size the frame is given. The frame
// may use the camera (the Mixer's live input in slides on another origin); the browser still asks.
const EMBED_SIZE = { width: 960, height: 540 };

export function embedCode(src, title) {
  const { width, height } = EMBED_SIZE;
  const frame = `src="${src}" width="${width}" height="${height}" style="border:0" title="${title}"`;
  return `<iframe ${frame} allow="camera" loading="lazy"></iframe>`;
}

// A URL of this page's kind at another path (e.g. /embed/mixer), with the same query plus `extra`,
// and the page's "Stripe negatives" setting (a figure embedded or exported is drawn as it is seen).
export function withPath(path, extra = {}) {
  const url = new URL(location.href);
  url.pathname = path;
  for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
  return withMarks(url.toString());
}

export function withMarks(href) {
  const url = new URL(href, location.href);
  if (document.documentElement.classList.contains("marks")) url.searchParams.set("marks", "1");
  else url.searchParams.delete("marks");
  return url.toString();
}

async function toClipboard(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export async function copyText(text, what) {
  const dialog = document.getElementById("copied");
  const area = document.getElementById("copied-text");
  area.value = text;
  const copied = await toClipboard(text);
  const words = commonText().dialog;
  document.getElementById("copied-status").textContent = fill(copied ? words.copied : words.select, { what });
  if (!dialog.open) dialog.showModal();
  area.focus();
  area.select();
}

// Wire every .share toolbar under `root`: makers.link/embed/code(view) give the text to copy.
export function wireShare(root, makers) {
  const words = commonText().share;
  const names = { link: words.link_copied, embed: words.embed_copied, code: words.code_copied };
  root.addEventListener("click", (event) => {
    const button = event.target.closest(".share button[data-copy]");
    if (!button) return;
    const kind = button.dataset.copy;
    const view = button.closest(".share").dataset.view;
    copyText(makers[kind](view), names[kind]);
  });
}
