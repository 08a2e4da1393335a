// Uploads on the Learn page, through shared/uploads.js; the last file sent is also kept
// in memory, for an image too large for sessionStorage that the server has since evicted.
import { sendImage, storedUpload as fromSession, wireFileDrop } from "../shared/uploads.js";

let uploaded = null;

export const storedUpload = (id) => (uploaded?.id === id ? uploaded.file : fromSession(id));

// Send `file` (scaled down to `maxSide`, the size the server keeps); resolves with the image's id.
export async function upload(original, progress, maxSide) {
  const { stored, file } = await sendImage(original, { progress, maxSide });
  uploaded = { id: stored.image_id, file };
  return stored.image_id;
}

export { wireFileDrop as wireUpload };
