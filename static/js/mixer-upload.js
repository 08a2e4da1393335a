// Uploads: the file input, drag-and-drop, and a silent re-upload of an image the server has evicted.
// The file is kept in page.file, and in sessionStorage where it fits, so that a reload can send it again.
import { uploadImage } from "./api.js";
import { shrinkImage } from "./shrink-image.js";

const UPLOAD_KEY = "pointwise-upload-";

function storedUpload(id) {
  const dataUrl = sessionStorage.getItem(UPLOAD_KEY + id);
  if (!dataUrl) return null;
  const [head, body] = dataUrl.split(",");
  const bytes = Uint8Array.from(atob(body), (ch) => ch.charCodeAt(0));
  return new File([bytes], "upload", { type: head.slice(5, head.indexOf(";")) });
}

function remember(id, file) {
  const reader = new FileReader();
  reader.onload = () => {
    try {
      sessionStorage.setItem(UPLOAD_KEY + id, reader.result);
    } catch {
      // Too large for sessionStorage: the file is kept in memory for this page only.
    }
  };
  reader.readAsDataURL(file);
}

// The image of page.state.img sent again, from this page's memory or the session's storage: its
// new id, or null where neither has the file.
export async function reupload(page) {
  const file = page.file || storedUpload(page.state.img);
  if (!file) return null;
  const stored = await uploadImage(file, () => {});
  remember(stored.image_id, file);
  return stored.image_id;
}

export function uploadElements(root = document) {
  const $ = (id) => root.getElementById(id);
  return { input: $("upload"), dropzone: $("dropzone"), progress: $("upload-progress") };
}

// on.started(file); on.stored(answer of POST /api/images); on.refused(error). A file is scaled down
// to `maxSide` (the size the server keeps) in the browser first.
export function wireUploads(dom, page, on, maxSide) {
  async function upload(original) {
    dom.progress.hidden = false;
    dom.progress.value = 0;
    on.started(original);
    try {
      const file = await shrinkImage(original, maxSide);
      const stored = await uploadImage(file, (p) => (dom.progress.value = p));
      page.file = file;
      remember(stored.image_id, file);
      on.stored(stored);
    } catch (error) {
      on.refused(error);
    } finally {
      dom.progress.hidden = true;
    }
  }

  dom.input.addEventListener("change", () => dom.input.files[0] && upload(dom.input.files[0]));
  dom.dropzone.addEventListener("dragover", (e) => {
    e.preventDefault();
    dom.dropzone.classList.add("over");
  });
  dom.dropzone.addEventListener("dragleave", () => dom.dropzone.classList.remove("over"));
  dom.dropzone.addEventListener("drop", (e) => {
    e.preventDefault();
    dom.dropzone.classList.remove("over");
    if (e.dataTransfer.files[0]) upload(e.dataTransfer.files[0]);
  });
}
