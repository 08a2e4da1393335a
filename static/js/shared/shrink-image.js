// A photo straight from a phone (4000 px, 12–20 MB, a format the server may not read) is made into
// what the server keeps before it is sent: at most `maxSide` pixels on its longer side, decoded by
// the browser (upright, as its EXIF says). A phone photo then travels as ~100–300 KB of JPEG instead
// of meeting the upload limit. An image already that small, in a format the server reads, is sent
// as it is (its pixels exactly); a file the browser cannot decode is sent as it is, for the server
// to say what it is.

const SERVER_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
const JPEG_QUALITY = 0.9;

export async function shrinkImage(file, maxSide) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return file;
  }
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  if (scale === 1 && SERVER_TYPES.includes(file.type)) {
    bitmap.close();
    return file;
  }
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext("2d");
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  // Drawings and screenshots stay lossless; photos go as JPEG.
  const type = file.type === "image/png" ? "image/png" : "image/jpeg";
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, type, JPEG_QUALITY));
  const name = `${file.name.replace(/\.[^.]*$/, "")}.${type === "image/png" ? "png" : "jpg"}`;
  return new File([blob], name, { type });
}
