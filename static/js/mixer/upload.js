// Uploads: the file input, drag-and-drop, and a silent re-upload of an image the server has evicted.
// The file is kept in page.file, and in sessionStorage where it fits, so that a reload can send it again.
import { sendImage, storedUpload, wireFileDrop } from "../shared/uploads.js";

// The image of page.state.img sent again, from this page's memory or the session's storage: its
// new id, or null where neither has the file.
export async function reupload(page) {
  const file = page.file || storedUpload(page.state.img);
  if (!file) return null;
  const { stored } = await sendImage(file);
  return stored.image_id;
}

// An upload control's elements: the sidebar's, or with `prefix` "gone-" the one in a gone upload's message.
export function uploadElements(prefix = "") {
  const $ = (id) => document.getElementById(prefix + id);
  return { input: $("upload"), dropzone: $("dropzone"), progress: $("upload-progress") };
}

// A linked upload the server no longer has, and no copy here: the message, with its own upload
// control, in place of the views; the exports, which would have nothing to show, are switched off.
export function showGone(gone) {
  const $ = (id) => document.getElementById(id);
  document.body.classList.toggle("upload-gone", gone);
  if (gone) document.body.dataset.ready = "gone"; // settled: what there is to show is shown
  $("gone").hidden = !gone;
  if (gone) $("export-html").setAttribute("aria-disabled", "true");
  else $("export-html").removeAttribute("aria-disabled");
  $("download-npz").disabled = gone;
}

// on.started(file); on.stored(answer of POST /api/images); on.refused(error). A file is scaled down
// to `maxSide` (the size the server keeps) in the browser first.
export function wireUploads(dom, page, on, maxSide) {
  wireFileDrop(dom.input, dom.dropzone, (file) => uploadFile(file, page, on, maxSide, dom.progress));
}

// One file sent as wireUploads sends it (the camera's frozen frame, too).
export async function uploadFile(original, page, on, maxSide, progress = null) {
  on.started(original);
  try {
    const { stored, file } = await sendImage(original, { progress, maxSide });
    page.file = file;
    on.stored(stored);
  } catch (error) {
    on.refused(error);
  }
}
