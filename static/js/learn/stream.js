// POST /api/learn read as a stream of server-sent events. EventSource cannot POST, so the body of a
// fetch is read chunk by chunk and cut into events here; an AbortController's signal stops it (the
// server notices the closed connection and stops training).
import { ApiError } from "../shared/api.js";

// Split text into complete events ("event: x\ndata: {...}\n\n"); return them and the unfinished rest.
export function parseEvents(text) {
  const events = [];
  const blocks = text.replace(/\r\n/g, "\n").split("\n\n");
  const rest = blocks.pop();
  for (const block of blocks) {
    let name = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) name = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length) events.push({ name, data: JSON.parse(data.join("\n")) });
  }
  return { events, rest };
}

// Train, calling onEvent(name, data) for each event as it arrives. Resolves with the `done` data,
// or null when stopped through `signal`; a refusal (a 4xx before the stream) rejects with an
// ApiError, and so does an `error` event (training diverged), marked `diverged`.
export async function streamLearn(request, onEvent, signal) {
  let response;
  try {
    response = await fetch("/api/learn", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify(request),
      signal,
    });
  } catch (error) {
    if (signal?.aborted) return null;
    throw error;
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({ detail: `HTTP ${response.status}` }));
    throw new ApiError(response.status, body.detail, response.headers.get("retry-after"));
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let done = null;
  try {
    for (;;) {
      const { value, done: finished } = await reader.read();
      if (finished) break;
      const parsed = parseEvents(buffer + value);
      buffer = parsed.rest;
      for (const event of parsed.events) {
        if (event.name === "error") throw Object.assign(new ApiError(422, event.data.detail), { diverged: true });
        if (event.name === "done") done = event.data;
        onEvent(event.name, event.data);
      }
    }
  } catch (error) {
    if (signal?.aborted) return null;
    throw error;
  }
  return done;
}

export async function postReduce(request, signal) {
  const response = await fetch("/api/reduce", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(request),
    signal,
  });
  const body = await response.json().catch(() => ({ detail: `HTTP ${response.status}` }));
  if (!response.ok) throw new ApiError(response.status, body.detail, response.headers.get("retry-after"));
  return body;
}
