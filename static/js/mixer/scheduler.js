// The Mixer's request scheduler: a plain object with no DOM, so a test can drive it with a fake server.
//
// One request at a time; changes made meanwhile fold into one follow-up of the strongest kind:
//   "row"  — only row n of W or b[n] changed (or just the probe or the explained channel), so only
//            Y[n] can differ: the answer leaves the output maps out and explain.sum gives Y[n];
//   "mix"  — anything else about the mix changed: every output map is fetched;
//   "full" — the input changed: its maps are fetched too.
// An answer overtaken by a "mix" or "full" change is stale: it is dropped unseen, and the follow-up
// asks for what it would have brought. One overtaken by row edits alone is drawn, so that the maps
// follow a dragged weight. What a failed request would have brought, the next one asks for.
const KINDS = ["row", "mix", "full"];

export function stronger(a, b) {
  return KINDS[Math.max(KINDS.indexOf(a), KINDS.indexOf(b))] ?? null;
}

// What a request of each kind asks the server to include.
export function includes(kind) {
  return { input: kind === "full", output: kind !== "row" };
}

// hooks:
//   send(kind) → a promise of the answer to the page's state as it is now, with includes(kind);
//   draw(answer, kind, sent) — the answer is current: show it (sent: now() when it was asked for);
//   fail(error, kind) → a promise of a kind to ask again at once (after a silent re-upload), or null;
//   channel() → the output channel n that a "row" answer explains;
//   busy() — a change has arrived; idle(ms) — everything asked for is drawn, ms after the first change;
//   now() and frame(callback): the clock, and the next animation frame.
export function createScheduler(hooks) {
  const queue = { pending: null, rows: new Set(), owed: "full", inFlight: false, changedAt: null };

  function schedule(kind, editedRow = null) {
    queue.pending = stronger(queue.pending, kind);
    if (editedRow !== null) queue.rows.add(editedRow);
    queue.changedAt ??= hooks.now();
    hooks.busy();
    if (!queue.inFlight) run();
  }

  // The kind to send: what is pending and what is owed; edits of a row other than the explained
  // channel's need every output map.
  function nextKind() {
    const kind = stronger(queue.pending, queue.owed);
    const channel = hooks.channel();
    return kind === "row" && [...queue.rows].some((row) => row !== channel) ? "mix" : kind;
  }

  function owe(kind, rows) {
    queue.owed = stronger(queue.owed, kind);
    for (const row of rows) queue.rows.add(row);
  }

  async function run() {
    const kind = nextKind();
    const rows = queue.rows;
    Object.assign(queue, { pending: null, rows: new Set(), owed: null, inFlight: true });
    const sent = hooks.now();
    try {
      const answer = await hooks.send(kind);
      if (queue.pending === "mix" || queue.pending === "full") owe(kind, rows);
      else hooks.draw(answer, kind, sent);
    } catch (error) {
      owe(kind, rows);
      const again = await hooks.fail(error, kind);
      if (again) queue.pending = stronger(queue.pending, again);
    } finally {
      queue.inFlight = false;
      if (queue.pending) run();
      else settle();
    }
  }

  // Once nothing is in flight or waiting, on the frame after the last redraw: idle.
  function settle() {
    hooks.frame(() => {
      if (!isIdle()) return;
      const ms = queue.changedAt === null ? null : hooks.now() - queue.changedAt;
      queue.changedAt = null;
      hooks.idle(ms);
    });
  }

  function isIdle() {
    return !queue.inFlight && !queue.pending;
  }

  return { schedule, settle, isIdle };
}
