"""static/js/mixer/scheduler.js without a page: a fake server answers when the test says so."""

import pytest

# Runs `steps` against one scheduler: ["schedule", kind, row?], ["channel", n] (the explained
# channel), ["answer", value] or ["refuse", kind to ask again or null] for the oldest request.
DRIVE = """async (steps) => {
  const { createScheduler } = await import("/static/js/mixer/scheduler.js");
  const log = { sent: [], drawn: [], failed: [], idled: 0 };
  const waiting = [];
  let channel = 0;
  let clock = 0;
  const scheduler = createScheduler({
    send: (kind) => {
      log.sent.push(kind);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    draw: (answer, kind) => log.drawn.push(`${answer} ${kind}`),
    fail: async (error, kind) => {
      log.failed.push(kind);
      return error.again;
    },
    channel: () => channel,
    busy: () => {},
    idle: () => (log.idled += 1),
    now: () => (clock += 1),
    frame: (callback) => callback(),
  });
  for (const [what, a, b] of steps) {
    if (what === "schedule") scheduler.schedule(a, b ?? null);
    if (what === "channel") channel = a;
    if (what === "answer") waiting.shift().resolve(a);
    if (what === "refuse") waiting.shift().reject(Object.assign(new Error("refused"), { again: a }));
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return { ...log, quiet: scheduler.isIdle(), waiting: waiting.length };
}"""

FULL = [["schedule", "full"], ["answer", "a"]]

CASES = {
    "the first request is full, whatever changed": (
        [["schedule", "row", 0], ["answer", "a"]],
        {"sent": ["full"], "drawn": ["a full"]},
    ),
    "changes made meanwhile fold into one follow-up": (
        [["schedule", "full"], ["schedule", "row", 0], ["schedule", "row", 0], ["answer", "a"], ["answer", "b"]],
        {"sent": ["full", "row"], "drawn": ["a full", "b row"], "idled": 1},  # idle once, at the end
    ),
    "an edit of another row than the explained channel's fetches every map": (
        [*FULL, ["schedule", "row", 2], ["answer", "b"], ["channel", 2], ["schedule", "row", 2], ["answer", "c"]],
        {"sent": ["full", "mix", "row"], "drawn": ["a full", "b mix", "c row"]},
    ),
    "an answer overtaken by a mix change is dropped": (
        [*FULL, ["schedule", "row", 0], ["schedule", "mix"], ["answer", "b"], ["answer", "c"]],
        {"sent": ["full", "row", "mix"], "drawn": ["a full", "c mix"]},
    ),
    "a dropped answer's maps are asked for again": (
        [["schedule", "full"], ["schedule", "mix"], ["answer", "a"], ["answer", "b"]],
        {"sent": ["full", "full"], "drawn": ["b full"]},
    ),
    "an answer overtaken by row edits alone is drawn": (
        [*FULL, ["schedule", "row", 0], ["schedule", "row", 0], ["answer", "b"], ["answer", "c"]],
        {"sent": ["full", "row", "row"], "drawn": ["a full", "b row", "c row"]},
    ),
    "what a refused request would have brought, the next asks for": (
        [*FULL, ["schedule", "mix"], ["refuse", None], ["schedule", "row", 0], ["answer", "b"]],
        {"sent": ["full", "mix", "mix"], "failed": ["mix"], "drawn": ["a full", "b mix"]},
    ),
    "a refusal can ask again at once": (
        [["schedule", "full"], ["refuse", "full"], ["answer", "a"]],
        {"sent": ["full", "full"], "failed": ["full"], "drawn": ["a full"]},
    ),
}


@pytest.fixture(scope="module")
def blank(browser, base_url):
    """A page of the app's origin with nothing on it: the scheduler needs no DOM."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base_url}/static/js/mixer/scheduler.js")
    yield page
    context.close()


@pytest.mark.parametrize("name", CASES)
def test_scheduler(blank, name):
    steps, expected = CASES[name]
    log = blank.evaluate(DRIVE, steps)
    assert {key: log[key] for key in expected} == expected
    assert log["failed"] == expected.get("failed", [])
    assert log["quiet"] and log["waiting"] == 0 and log["idled"] >= 1
