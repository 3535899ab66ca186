// Study session: cards are kept a few ahead, so a rating shows the next card at once.  Every
// request goes through one chain, one at a time and in order: a rating's answer carries the
// next cards of the scope (one request per card), computed after the rating was stored and
// leaving out the cards the page already holds, so a card just rated never comes back before
// the server has scheduled it.
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
const scope = JSON.parse($("study-scope").textContent);
const ahead = Number(root.dataset.queueAhead || 8);

let buffer = []; // cards not shown yet
let current = null; // the card on screen
let revealed = false;
let shownAt = 0;
let done = 0; // ratings given in this session
let remaining = 0; // cards left, the one on screen included
let ratings = 0; // ratings given so far, to correct counts read before the latest ones
const history = []; // cards rated, for undo
let pending = Promise.resolve(); // the chain of requests, kept in order
let failed = false;

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
  const total = Math.max(done + remaining, 1);
  progress.max = total;
  progress.value = done;
  const template = mode === "cram" ? messages.cramProgress : messages.progress;
  progressText.textContent = format(template, {
    done: mode === "cram" ? done : Math.min(done + 1, total),
    total: mode === "cram" ? remaining : total,
  });
}

function held() {
  return [current, ...buffer].filter(Boolean).map((c) => c.card.id);
}

// Cards and counts from an answer: counts were read when the request was handled, so the
// ratings given here since it was sent are taken off; cards already held are not added twice.
function take(data, ratingsAtSend) {
  const have = new Set(held());
  for (const entry of data.cards || []) {
    if (!have.has(entry.card.id)) {
      buffer.push(entry);
      have.add(entry.card.id);
    }
  }
  const counts = data.counts || {};
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  remaining = mode === "cram" ? total : Math.max(total - (ratings - ratingsAtSend), 0);
  if (current) updateProgress();
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

function enqueue(work) {
  pending = pending.then(work).catch(() => {
    failed = true;
    say(messages.failed);
  });
  return pending;
}

// A queue read, in the chain: only when nothing in hand (page opened, marks, undo).
function topUp() {
  return enqueue(async () => {
    const want = ahead - buffer.length;
    if (want <= 0) return;
    const params = new URLSearchParams({ limit: String(want) });
    for (const id of held()) params.append("held", String(id));
    const ratingsAtSend = ratings;
    const response = await fetch(`${root.dataset.queueUrl}&${params}`, {
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`queue ${response.status}`);
    take(await response.json(), ratingsAtSend);
  });
}

async function advance() {
  if (buffer.length) {
    show(buffer.shift());
    return;
  }
  // Nothing in hand: the rated card stays marked as the one on screen until the next one
  // is really there (what the benchmark times), but it is hidden meanwhile.  The answer of
  // the rating in flight usually brings it; otherwise one queue read does.
  current = null;
  revealed = false;
  card.setAttribute("aria-busy", "true");
  front.textContent = "";
  back.hidden = true;
  $("study-rate-area").hidden = true;
  await pending;
  if (!buffer.length && !failed) await topUp();
  card.removeAttribute("aria-busy");
  if (failed) return;
  show(buffer.shift() || null);
}

function rate(rating) {
  if (!current || !revealed || failed) return;
  const rated = current;
  const body = {
    ...scope,
    card: rated.card.id,
    rating,
    client_review_id: crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`,
    duration_ms: Math.round(performance.now() - shownAt),
    expected_version: rated.state.version,
  };
  done += 1;
  ratings += 1;
  if (mode !== "cram") remaining = Math.max(remaining - 1, 0);
  history.push(rated);
  current = null; // no longer held: the answer may bring it back once it is due again
  // Filled in when the request leaves (the chain runs one at a time), from what is held then.
  enqueue(async () => {
    const ratingsAtSend = ratings;
    const result = await api(root.dataset.reviewUrl, {
      ...body,
      next: Math.max(ahead - buffer.length, 0),
      held: held(),
    });
    if (!result.ok && result.status !== 409) throw new Error(String(result.status));
    if (result.ok) {
      rated.state = result.data.state;
      if (result.data.next) take(result.data.next, ratingsAtSend);
    }
  });
  advance();
}

function undo() {
  enqueue(async () => {
    const ratingsAtSend = ratings;
    const result = await api(root.dataset.undoUrl, scope);
    if (!result.ok) {
      say(result.data.detail || messages.nothingToUndo);
      return;
    }
    const index = history.map((c) => c.card.id).lastIndexOf(result.data.card);
    if (index >= 0) history.splice(index, 1);
    done = Math.max(done - 1, 0);
    if (current) buffer.unshift(current);
    buffer = buffer.filter((c) => c.card.id !== result.data.card);
    current = null;
    take({ counts: result.data.counts }, ratingsAtSend);
    // No entry: the card is held back (a quiz in progress holds its question).
    if (result.data.entry) show(result.data.entry);
    else advance();
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

topUp().then(() => {
  if (!failed) show(buffer.shift() || null);
  else say(messages.offline);
});
