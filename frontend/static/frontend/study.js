// Study session: cards are kept a few ahead, so a rating shows the next card at once and the
// rating travels to the study API in the background (in order, one request at a time).
const root = document.getElementById("study");
const $ = (id) => document.getElementById(id);
const card = $("study-card");
const front = $("study-front");
const back = $("study-back");
const answer = $("study-answer");
const demos = $("study-demos");
const statusLine = $("study-status");
const progress = $("study-progress");
const progressText = $("study-progress-text");
const messages = $("study-messages").dataset;
const mode = root.dataset.mode;

let buffer = []; // cards not shown yet
let current = null; // the card on screen
let revealed = false;
let shownAt = 0;
let done = 0; // ratings given in this session
let remaining = 0; // cards the last queue read said were left
const history = []; // [{card, done}] of ratings given, for undo
let pending = Promise.resolve(); // the chain of writes, kept in order
let fetching = null;
let failed = false;
// Card id -> the version it had when rated here: a queue read that still shows that version
// was answered before the server stored the rating, so the card is not offered again.
const ratedVersion = new Map();
let ratedDuringRead = 0; // ratings given since the last queue read began

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key]));
}

function say(text) {
  statusLine.textContent = text;
}

async function api(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf },
    body: JSON.stringify(body || {}),
    credentials: "same-origin",
  });
  let data = {};
  try {
    data = await response.json();
  } catch (error) {
    data = {};
  }
  return { ok: response.ok, status: response.status, data };
}

function cardUrl(id, action) {
  return root.dataset.cardUrl.replace("/0/bury/", `/${id}/${action}/`);
}

function updateProgress() {
  const total = done + remaining;
  progress.max = Math.max(total, 1);
  progress.value = done;
  const template = mode === "cram" ? messages.cramProgress : messages.progress;
  progressText.textContent = format(template, {
    done: mode === "cram" ? done : Math.min(done + 1, Math.max(total, 1)),
    total: mode === "cram" ? remaining : total,
  });
}

function show(next) {
  current = next;
  revealed = false;
  $("study-reveal-area").hidden = !next;
  $("study-rate-area").hidden = true;
  $("study-tools").hidden = !next && history.length === 0;
  $("study-done").hidden = Boolean(next);
  if (!next) {
    card.hidden = true;
    delete card.dataset.cardId;
    card.dataset.revealed = "false";
    progressText.textContent = "";
    progress.hidden = true;
    return;
  }
  progress.hidden = false;
  front.innerHTML = next.card.front_html;
  answer.innerHTML = "";
  demos.innerHTML = "";
  back.hidden = true;
  card.hidden = false;
  card.dataset.revealed = "false";
  card.dataset.queue = next.queue;
  card.dataset.cardId = String(next.card.id);
  const flag = $("study-flag");
  flag.setAttribute("aria-pressed", String(Boolean(next.state.flagged)));
  shownAt = performance.now();
  updateProgress();
}

function reveal() {
  if (!current || revealed) return;
  revealed = true;
  answer.innerHTML = current.card.back_html;
  demos.innerHTML = current.demos_html || "";
  back.hidden = false;
  card.dataset.revealed = "true";
  $("study-reveal-area").hidden = true;
  $("study-rate-area").hidden = false;
}

async function readQueue() {
  const url = `${root.dataset.queueUrl}&limit=8`;
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`queue ${response.status}`);
  return response.json();
}

// Refill after the writes in flight have landed, so the server never hands back a card
// whose rating it has not seen yet.
function refill() {
  if (fetching) return fetching;
  ratedDuringRead = 0;
  fetching = pending
    .then(readQueue)
    .then((data) => {
      const onScreen = current ? current.card.id : null;
      const fresh = (c) =>
        !ratedVersion.has(c.card.id) || c.state.version > ratedVersion.get(c.card.id);
      buffer = data.cards.filter((c) => c.card.id !== onScreen && fresh(c));
      const counts = data.counts || {};
      remaining = Object.values(counts).reduce((a, b) => a + b, 0);
      if (mode !== "cram") {
        remaining = Math.max(remaining - ratedDuringRead - (current ? 1 : 0), 0);
      }
      return data;
    })
    .finally(() => {
      fetching = null;
    });
  return fetching;
}

async function advance() {
  if (buffer.length) {
    show(buffer.shift());
    if (buffer.length < 3) refill().catch(() => say(messages.offline));
    return;
  }
  // Nothing in hand: the rated card stays marked as the one on screen until the next one
  // is really there (what the benchmark times), but it is hidden meanwhile.
  current = null;
  revealed = false;
  card.setAttribute("aria-busy", "true");
  front.textContent = "";
  back.hidden = true;
  $("study-rate-area").hidden = true;
  try {
    await refill();
  } catch (error) {
    say(messages.offline);
    return;
  }
  card.removeAttribute("aria-busy");
  show(buffer.shift() || null);
}

function enqueue(work) {
  pending = pending.then(work).catch(() => {
    failed = true;
    say(messages.failed);
  });
  return pending;
}

function rate(rating) {
  if (!current || !revealed || failed) return;
  const rated = current;
  const body = {
    card: rated.card.id,
    rating,
    client_review_id: crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`,
    duration_ms: Math.round(performance.now() - shownAt),
    expected_version: rated.state.version,
    mode,
  };
  done += 1;
  if (mode !== "cram") remaining = Math.max(remaining - 1, 0);
  history.push(rated);
  ratedVersion.set(rated.card.id, rated.state.version);
  ratedDuringRead += 1;
  // The write joins the chain before the next card is shown: a refill that showing it
  // starts then waits for this rating too.
  enqueue(async () => {
    const result = await api(root.dataset.reviewUrl, body);
    if (!result.ok && result.status !== 409) throw new Error(String(result.status));
    if (result.ok) rated.state = result.data.state;
  });
  advance();
}

function undo() {
  enqueue(async () => {
    const result = await api(root.dataset.undoUrl);
    if (!result.ok) {
      say(result.data.detail || messages.nothingToUndo);
      return;
    }
    const index = history.map((c) => c.card.id).lastIndexOf(result.data.card);
    const back = index >= 0 ? history.splice(index, 1)[0] : null;
    done = Math.max(done - 1, 0);
    if (back) {
      back.state = result.data.state;
      if (current) buffer.unshift(current);
      buffer = buffer.filter((c) => c.card.id !== back.card.id);
      show(back);
    } else {
      await refill();
      show(buffer.shift() || null);
    }
    say(messages.undone);
  });
}

function mark(action, body, after) {
  if (!current) return;
  const target = current;
  enqueue(async () => {
    const result = await api(cardUrl(target.card.id, action), body);
    if (!result.ok) throw new Error(String(result.status));
    target.state = result.data.state;
    after(target);
  });
}

$("study-reveal").addEventListener("click", reveal);
for (const button of document.querySelectorAll("#study-rate-area .rate")) {
  button.addEventListener("click", () => rate(Number(button.dataset.rating)));
}
$("study-undo").addEventListener("click", undo);
$("study-bury").addEventListener("click", () =>
  mark("bury", {}, (target) => {
    say(messages.buried);
    if (current === target) advance();
  }),
);
$("study-suspend").addEventListener("click", () =>
  mark("suspend", { suspended: true }, (target) => {
    say(messages.suspended);
    remaining = Math.max(remaining - 1, 0);
    if (current === target) advance();
  }),
);
$("study-flag").addEventListener("click", () => {
  const flagged = current && !current.state.flagged;
  mark("flag", { flagged }, (target) => {
    if (current === target) $("study-flag").setAttribute("aria-pressed", String(flagged));
    say(flagged ? messages.flagged : messages.unflagged);
  });
});

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  const typing = target instanceof HTMLElement && target.closest("input, textarea, select, [contenteditable]");
  if (typing) return;
  const onControl = target instanceof HTMLElement && target.closest("button, a, summary");
  if (event.key === " " || event.key === "Enter") {
    if (onControl) return; // the focused control does its own thing
    if (current && !revealed) {
      event.preventDefault();
      reveal();
    }
    return;
  }
  if (/^[1-5]$/.test(event.key)) {
    if (current && revealed) {
      event.preventDefault();
      rate(Number(event.key));
    }
    return;
  }
  if (event.key === "u" || event.key === "U") {
    event.preventDefault();
    undo();
  }
});

refill()
  .then(() => show(buffer.shift() || null))
  .catch(() => say(messages.offline));
