// The page's side of the API contract: requests, refusals in the page's words, tensors decoded.
import { commonText, fill } from "./text.js";

// A refusal: its message is the API's detail (English, for programs and the console); what the page
// shows is `refusal(error)`, in its own words.
export class ApiError extends Error {
  constructor(status, detail, retryAfter = null) {
    super(describe(detail));
    this.status = status;
    this.field = fieldOf(detail);
    this.retryAfter = retryAfter;
  }
}

// The field a refusal names: a 422's first loc (less "body" and "query"), a sentence's "field: …".
function fieldOf(detail) {
  if (Array.isArray(detail) && detail.length) return detail[0].loc.filter((p) => p !== "body" && p !== "query").join(".");
  const named = typeof detail === "string" && /^([\w.-]+): /.exec(detail);
  return named ? named[1] : "";
}

// The page's own words for every refusal it can meet, in its language (common.<lang>.json,
// "refusals"). `controls` says what the page calls the field a refusal names, by that field:
// {name, min, max} for a 422 (the range the control offers), {limit} for the upload's 413.
export function refusal(error, controls = {}, words = commonText().refusals) {
  if (!(error instanceof ApiError)) return error instanceof TypeError ? words.unreachable : error.message;
  const named = Object.entries(controls).find(([field]) => error.field.startsWith(`${field}.`));
  const control = controls[error.field] ?? named?.[1] ?? {};
  const seconds = error.retryAfter ?? "";
  switch (error.status) {
    case 0:
      return words.unreachable;
    case 404:
      return words.not_found;
    case 413:
      return control.limit ? fill(words.too_large_upload, control) : words.too_large;
    case 415:
      return words.not_image;
    case 422: {
      const name = control.name ?? error.field;
      if (control.min !== undefined && control.max !== undefined) return fill(words.out_of_range, { ...control, control: name });
      return fill(words.invalid, { control: name });
    }
    case 429:
      return fill(words.too_many_uploads, { seconds });
    case 503:
      return fill(words.busy, { seconds });
    default:
      return fill(words.refused, { status: error.status });
  }
}

// FastAPI's detail is a sentence (404, 413, 415) or a list of {loc, msg} (422).
export function describe(detail) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail.map((e) => `${e.loc.filter((p) => p !== "body").join(".")}: ${e.msg}`).join("; ");
  }
  return "the server refused the request";
}

async function refused(response) {
  const body = await response.json().catch(() => ({ detail: `HTTP ${response.status}` }));
  return new ApiError(response.status, body.detail, response.headers.get("Retry-After"));
}

async function answer(response) {
  if (!response.ok) throw await refused(response);
  return response.json();
}

const sendMix = (request, query, signal) =>
  fetch(`/api/mix${query}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(request),
    signal,
  });

export async function postMix(request, signal) {
  return answer(await sendMix(request, "", signal));
}

// The mix's maps and weights as a NumPy .npz file (a Blob).
export async function postMixNpz(request) {
  const response = await sendMix(request, "?format=npz");
  if (!response.ok) throw await refused(response);
  return response.blob();
}

export async function getJSON(path, params) {
  const query = new URLSearchParams(params).toString();
  return answer(await fetch(`${path}?${query}`));
}

// XMLHttpRequest rather than fetch: it reports upload progress.
export function uploadImage(file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/images");
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      const body = xhr.response || {};
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body.detail || `HTTP ${xhr.status}`, xhr.getResponseHeader("Retry-After")));
    };
    xhr.onerror = () => reject(new ApiError(0, "the upload did not reach the server"));
    const form = new FormData();
    form.append("file", file);
    xhr.send(form);
  });
}

function bytes(base64) {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(base64); // native where the browser has it
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

// An encoded tensor → {shape, values: Float32Array in C order}. u8 is value = offset + scale·q per channel.
export function decodeTensor(encoded) {
  if (Array.isArray(encoded)) {
    const flat = encoded.flat(Infinity);
    const shape = [];
    for (let a = encoded; Array.isArray(a); a = a[0]) shape.push(a.length);
    return { shape, values: Float32Array.from(flat) };
  }
  const shape = encoded.shape.split(",").map(Number);
  const raw = bytes(encoded.bdata);
  if (encoded.dtype === "f4") return { shape, values: new Float32Array(raw.buffer) };
  const plane = shape[shape.length - 1] * shape[shape.length - 2];
  const values = new Float32Array(raw.length);
  for (let c = 0; c < raw.length / plane; c++) {
    const scale = encoded.scale[c];
    const offset = encoded.offset[c];
    for (let i = c * plane, end = i + plane; i < end; i++) values[i] = offset + scale * raw[i];
  }
  return { shape, values };
}
