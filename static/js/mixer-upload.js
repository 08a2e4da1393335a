// Uploads: the file input, drag-and-drop, and a silent re-upload of an image the server has evicted.
// The file is kept in page.file, and in sessionStorage where it fits, so that a reload can send it again.
import { sendImage, storedUpload, wireFileDrop } from "./uploads.js";

// The image of page.state.img sent again, from this page's memory or the session's storage: its
// new id, or null where neither has the file.
export async function reupload(page) {
  const file = page.file || storedUpload(page.state.img);
  if (!file) return null;
  const { stored } = await sendImage(file);
  return stored.image_id;
}

export function uploadElements(root = document) {
  const $ = (id) => root.getElementById(id);
  return { input: $("upload"), dropzone: $("dropzone"), progress: $("upload-progress") };
}

// on.started(file); on.stored(answer of POST /api/images); on.refused(error). A file is scaled down
// to `maxSide` (the size the server keeps) in the browser first.
export function wireUploads(dom, page, on, maxSide) {
  wireFileDrop(dom.input, dom.dropzone, async (original) => {
    on.started(original);
    try {
      const { stored, file } = await sendImage(original, { progress: dom.progress, maxSide });
      page.file = file;
      on.stored(stored);
    } catch (error) {
      on.refused(error);
    }
  });
}
