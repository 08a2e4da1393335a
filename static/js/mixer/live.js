// The Mixer on the camera: frames from getUserMedia go to WebSocket /api/live (u8 RGB with a
// 4-byte header), which mixes each with the page's settings in PyTorch and answers with the same
// answer as POST /api/mix, its maps as raw bytes. At most one frame is in flight: a frame the camera
// makes meanwhile is dropped, never queued. While the camera runs, every change to the settings is
// sent on the socket (the next frame follows it) instead of to /api/mix.
import { mixRequest } from "./state.js";
import { fill } from "../shared/text.js";

const SIDE = 128; // the longer side of a frame as it is sent
const NOT_SETTINGS = ["input", "max_side", "encoding"]; // the frame is the input; maps come as raw u8
const FPS_WINDOW_MS = 1000;

const $ = (id) => document.getElementById(id);

// The camera can be asked for only in a secure context (localhost, HTTPS).
const canStream = () => window.isSecureContext && Boolean(navigator.mediaDevices?.getUserMedia);

// The page's settings as the socket's settings message: its /api/mix request less what a frame replaces.
export function liveSettings(state) {
  const request = mixRequest(state, { input: true, output: true });
  for (const key of NOT_SETTINGS) delete request[key];
  return request;
}

// A binary answer → the /api/mix answer, each map's bdata the bytes it points at.
export function unpack(buffer) {
  const size = new DataView(buffer).getUint32(0, true);
  const answer = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, size)));
  const maps = 4 + size;
  // Only the answer's objects hold maps: its lists (W, b, probe values) are numbers, never walked.
  const restore = (node) => {
    if (Array.isArray(node.bdata)) node.bdata = new Uint8Array(buffer, maps + node.bdata[0], node.bdata[1]);
    else for (const value of Object.values(node)) if (value?.constructor === Object) restore(value);
  };
  restore(answer);
  return answer;
}

// A camera image drawn on `canvas` → the frame message: u16 width, u16 height, then RGB bytes.
function frameMessage(context, width, height) {
  const rgba = context.getImageData(0, 0, width, height).data;
  const message = new Uint8Array(4 + 3 * width * height);
  new DataView(message.buffer).setUint16(0, width, true);
  new DataView(message.buffer).setUint16(2, height, true);
  for (let i = 0, o = 4; i < rgba.length; i += 4, o += 3) {
    message[o] = rgba[i];
    message[o + 1] = rgba[i + 1];
    message[o + 2] = rgba[i + 2];
  }
  return message;
}

// hooks: show(answer, sent) draws a frame's answer; stopped() — the camera stopped (the page goes
// back to its own input); freeze(file) — keep this frame as an upload; text — the "live" words.
export function wireLive(page, hooks) {
  const { text } = hooks;
  const dom = {
    start: $("camera-start"),
    stop: $("camera-stop"),
    freeze: $("camera-freeze"),
    photo: $("camera-photo"),
    photoLabel: $("camera-photo-label"),
    fps: $("camera-fps"),
    note: $("camera-note"),
  };
  const live = { socket: null, stream: null, video: null, canvas: null, inFlight: false, shown: null, drawn: [], source: "" };

  function say(words, isError = false) {
    dom.note.hidden = !words;
    dom.note.textContent = words;
    dom.note.classList.toggle("error", isError);
  }

  function showButtons(running) {
    dom.start.hidden = running;
    dom.stop.hidden = !running;
    dom.freeze.hidden = !running;
  }

  // Phones over plain HTTP: no camera stream, but the photo input opens the camera app.
  if (!canStream()) {
    dom.start.disabled = true;
    dom.photoLabel.hidden = false;
    dom.photo.disabled = false;
    say(window.isSecureContext ? text.unsupported : text.insecure);
  }

  function running() {
    return live.socket !== null;
  }

  // Every animation frame: send the camera's image unless a frame is in flight (then it is dropped).
  function tick() {
    if (!running()) return;
    requestAnimationFrame(tick);
    send();
  }

  function send() {
    const { video, canvas, socket } = live;
    if (live.inFlight || socket.readyState !== WebSocket.OPEN || video.readyState < 2) return;
    const scale = SIDE / Math.max(video.videoWidth, video.videoHeight);
    const [width, height] = [Math.round(video.videoWidth * scale), Math.round(video.videoHeight * scale)];
    if (canvas.width !== width || canvas.height !== height) {
      Object.assign(canvas, { width, height });
      Object.assign(page.state, { pr: Math.floor(height / 2), pc: Math.floor(width / 2) });
      socket.send(JSON.stringify(liveSettings(page.state)));
    }
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, width, height);
    live.inFlight = { message: frameMessage(context, width, height), width, height, sentAt: performance.now() };
    socket.send(live.inFlight.message);
  }

  function received(event) {
    if (!running()) return; // a message that crossed a stop
    if (typeof event.data === "string") {
      const message = JSON.parse(event.data);
      if (message.type === "refused") {
        live.inFlight = false;
        say(fill(text.settings_refused, { reason: `${message.loc.join(".")}: ${message.detail}` }), true);
      }
      return;
    }
    const answered = live.inFlight;
    live.inFlight = false;
    live.shown = answered;
    send(); // the server mixes the next frame while this one is drawn
    hooks.show(unpack(event.data), answered.sentAt);
    const now = performance.now();
    live.drawn = [...live.drawn.filter((t) => now - t < FPS_WINDOW_MS), now];
    dom.fps.textContent = fill(text.fps, { fps: live.drawn.length, ms: Math.round(page.last.answer.server_ms) });
    document.body.dataset.liveFrames = String(Number(document.body.dataset.liveFrames || 0) + 1);
  }

  function closed(event) {
    if (!running()) return; // stopped here
    const reason = event.reason || "";
    if (event.code === 1013) say(reason.startsWith("busy") ? text.busy : text.one_stream, true);
    else if (event.code === 1008 || event.code === 1011) say(fill(text.broken, { reason: reason || event.code }), true);
    else say(text.lost, true);
    stop();
  }

  async function start() {
    say(text.starting);
    dom.start.disabled = true; // one camera at a time, while the browser asks for it
    try {
      live.stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
      live.video = Object.assign(document.createElement("video"), { muted: true, playsInline: true, srcObject: live.stream });
      await live.video.play();
    } catch (error) {
      const words = { NotAllowedError: text.refused, SecurityError: text.refused, NotFoundError: text.missing, OverconstrainedError: text.missing };
      say(words[error.name] ?? fill(text.failed, { reason: error.name || error.message }), true);
      for (const track of live.stream?.getTracks() ?? []) track.stop();
      Object.assign(live, { stream: null, video: null });
      dom.start.disabled = false;
      return;
    }
    dom.start.disabled = false;
    live.canvas = document.createElement("canvas");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/api/live`);
    socket.binaryType = "arraybuffer";
    Object.assign(live, { socket, inFlight: false, shown: null, drawn: [], source: `${page.state.in}|${page.state.img}` });
    socket.addEventListener("message", received);
    socket.addEventListener("close", closed);
    socket.addEventListener("open", () => {
      say(text.running);
      requestAnimationFrame(tick);
    });
    showButtons(true);
  }

  // Stop the camera and the socket; `resume`: the page draws its own input again.
  function stop(resume = true) {
    const { socket, stream } = live;
    live.socket = null;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, "stopped");
    for (const track of stream?.getTracks() ?? []) track.stop();
    Object.assign(live, { stream: null, video: null, inFlight: false, drawn: [] });
    showButtons(false);
    dom.fps.textContent = dom.fps.defaultValue;
    if (resume) hooks.stopped();
  }

  // The frame on screen as a PNG upload of exactly its pixels.
  async function freeze() {
    if (!live.shown) return; // nothing drawn yet
    const { message, width, height } = live.shown;
    const rgba = new ImageData(width, height);
    for (let i = 0, o = 4; i < rgba.data.length; i += 4, o += 3) rgba.data.set([message[o], message[o + 1], message[o + 2], 255], i);
    const canvas = Object.assign(document.createElement("canvas"), { width, height });
    canvas.getContext("2d").putImageData(rgba, 0, 0);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
    say("");
    stop(false);
    hooks.freeze(new File([blob], "camera.png", { type: "image/png" }));
  }

  dom.start.addEventListener("click", start);
  dom.stop.addEventListener("click", () => {
    say("");
    stop();
  });
  dom.freeze.addEventListener("click", freeze);
  window.addEventListener("pagehide", () => running() && stop(false));

  return {
    running,
    // The settings changed: the next frame gets them. False when the change is of the input itself
    // (another sample, an upload): the camera stops and the page mixes that input.
    changed() {
      if (`${page.state.in}|${page.state.img}` !== live.source) {
        stop(false);
        return false;
      }
      if (live.socket.readyState === WebSocket.OPEN) live.socket.send(JSON.stringify(liveSettings(page.state)));
      return true;
    },
  };
}
