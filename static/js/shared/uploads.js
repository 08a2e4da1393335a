// Uploads shared by the pages: a file chosen or dropped, scaled down in the browser to the size the
// server keeps, sent to /api/images and remembered in sessionStorage (where it fits), so that an
// image the server has evicted can be sent again without asking the student.
import { uploadImage } from "./api.js";
import { shrinkImage } from "./shrink-image.js";

const UPLOAD_KEY = "pointwise-upload-"; // one key for every page: an image uploaded on one is known on all

// The file stored under an image id in this session, or null.
export function storedUpload(id) {
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

// Send a file, scaled down to `maxSide` first when given, showing its progress in `progress` when
// given; resolves with the server's answer and the file that was sent.
export async function sendImage(original, { progress = null, maxSide = null } = {}) {
  if (progress) Object.assign(progress, { hidden: false, value: 0 });
  try {
    const file = maxSide ? await shrinkImage(original, maxSide) : original;
    const stored = await uploadImage(file, (p) => progress && (progress.value = p));
    remember(stored.image_id, file);
    return { stored, file };
  } finally {
    if (progress) progress.hidden = true;
  }
}

// Call `onFile(file)` for a file chosen in `input` or dropped on `zone`.
export function wireFileDrop(input, zone, onFile) {
  input.addEventListener("change", () => input.files[0] && onFile(input.files[0]));
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    if (e.dataTransfer.files[0]) onFile(e.dataTransfer.files[0]);
  });
}
