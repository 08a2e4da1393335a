// Uploads on the Learn page: the file is sent to /api/images and kept in sessionStorage, so that
// an image the server has evicted can be sent again without asking the student.
import { uploadImage } from "./api.js";

const UPLOAD_KEY = "pointwise-upload-"; // the Mixer's key: an image uploaded there is known here
let uploaded = null;

export function storedUpload(id) {
  if (uploaded?.id === id) return uploaded.file;
  const dataUrl = sessionStorage.getItem(UPLOAD_KEY + id);
  if (!dataUrl) return null;
  const [head, body] = dataUrl.split(",");
  const bytes = Uint8Array.from(atob(body), (ch) => ch.charCodeAt(0));
  return new File([bytes], "upload", { type: head.slice(5, head.indexOf(";")) });
}

function remember(id, file) {
  uploaded = { id, file };
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

// Send `file`; resolves with the stored image's id.
export async function upload(file, progress) {
  progress.hidden = false;
  progress.value = 0;
  try {
    const stored = await uploadImage(file, (p) => (progress.value = p));
    remember(stored.image_id, file);
    return stored.image_id;
  } finally {
    progress.hidden = true;
  }
}

// Call `onFile(file)` for a file chosen in `input` or dropped on `zone`.
export function wireUpload(input, zone, onFile) {
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
