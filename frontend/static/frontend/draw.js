// Digit canvas: draw with a mouse, pen or finger; after each stroke (and while drawing, at
// most every 300 ms) the drawing goes to the digit-prediction endpoint as a PNG.
const area = document.getElementById("draw");
const canvas = document.getElementById("digit-canvas");
const context = canvas.getContext("2d");
const guess = document.getElementById("digit-guess");
const model = document.getElementById("digit-model");
const texts = area.dataset;
let drawing = false;
let last = null;
let inked = false;
let timer = null;
let inFlight = false;
let again = false;
let blockedUntil = 0;

function reset() {
  context.fillStyle = "#fff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  inked = false;
  guess.textContent = "";
  for (const row of area.querySelectorAll("tbody tr")) {
    row.querySelector(".probability").textContent = "–";
    row.querySelector(".bar").style.width = "0";
    row.removeAttribute("aria-current");
  }
}

function point(event) {
  const box = canvas.getBoundingClientRect();
  return {
    x: ((event.clientX - box.left) / box.width) * canvas.width,
    y: ((event.clientY - box.top) / box.height) * canvas.height,
  };
}

function line(from, to) {
  context.strokeStyle = "#000";
  context.lineWidth = 18;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.beginPath();
  context.moveTo(from.x, from.y);
  context.lineTo(to.x, to.y);
  context.stroke();
  inked = true;
}

function show(result) {
  const probabilities = result.probabilities;
  for (const row of area.querySelectorAll("tbody tr")) {
    const p = probabilities[Number(row.dataset.digit)] || 0;
    row.querySelector(".probability").textContent = `${(p * 100).toFixed(1)} %`;
    row.querySelector(".bar").style.width = `${Math.round(p * 100)}%`;
    if (Number(row.dataset.digit) === result.digit) row.setAttribute("aria-current", "true");
    else row.removeAttribute("aria-current");
  }
  guess.textContent = texts.guess
    .replace("%(digit)s", result.digit)
    .replace("%(percent)s", (result.probability * 100).toFixed(1))
    .replace("%%", "%");
  guess.dataset.digit = String(result.digit);
  if (result.model) model.textContent = `${result.model.name} v${result.model.version} · ${result.model.data_source}`;
}

async function predict() {
  if (!inked) return;
  if (performance.now() < blockedUntil) return;
  if (inFlight) {
    again = true;
    return;
  }
  inFlight = true;
  try {
    const response = await fetch(area.dataset.predictUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": area.dataset.csrf },
      credentials: "same-origin",
      body: JSON.stringify({ image: canvas.toDataURL("image/png") }),
    });
    const data = await response.json().catch(() => ({}));
    if (response.status === 429) {
      const seconds = Number(response.headers.get("Retry-After") || 60);
      blockedUntil = performance.now() + seconds * 1000;
      guess.textContent = texts.rateLimited.replace("%(seconds)s", seconds);
    } else if (!response.ok) {
      guess.textContent = data.detail || texts.failed;
    } else {
      show(data);
    }
  } catch (error) {
    guess.textContent = texts.failed;
  } finally {
    inFlight = false;
    if (again) {
      again = false;
      predict();
    }
  }
}

function soon() {
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    predict();
  }, 300);
}

canvas.addEventListener("pointerdown", (event) => {
  drawing = true;
  canvas.setPointerCapture(event.pointerId);
  last = point(event);
  line(last, last);
});
canvas.addEventListener("pointermove", (event) => {
  if (!drawing) return;
  const next = point(event);
  line(last, next);
  last = next;
  soon();
});
const stop = () => {
  if (!drawing) return;
  drawing = false;
  predict();
};
canvas.addEventListener("pointerup", stop);
canvas.addEventListener("pointercancel", stop);
canvas.style.touchAction = "none";

document.getElementById("digit-clear").addEventListener("click", () => {
  reset();
  canvas.focus();
});

// Keyboard and switch users: a button draws a sample of that digit as strokes.
const SAMPLES = {
  0: [[[140, 60], [90, 100], [85, 180], [140, 225], [195, 180], [190, 100], [140, 60]]],
  1: [[[120, 80], [145, 55], [145, 225]]],
  2: [[[90, 90], [140, 55], [190, 95], [90, 220], [200, 220]]],
  3: [[[95, 70], [185, 70], [135, 130], [190, 170], [140, 225], [90, 200]]],
  4: [[[170, 225], [170, 55], [85, 170], [205, 170]]],
  5: [[[190, 60], [105, 60], [95, 130], [175, 135], [185, 200], [100, 225]]],
  6: [[[180, 60], [110, 120], [95, 195], [145, 225], [185, 185], [140, 145], [100, 175]]],
  7: [[[85, 60], [200, 60], [120, 225]]],
  8: [[[140, 140], [95, 95], [140, 55], [185, 95], [140, 140], [90, 185], [140, 225], [190, 185], [140, 140]]],
  9: [[[185, 110], [140, 60], [95, 100], [140, 140], [185, 110], [175, 225]]],
};
for (const button of area.querySelectorAll(".sample-digit")) {
  button.addEventListener("click", () => {
    reset();
    for (const stroke of SAMPLES[button.dataset.digit]) {
      for (let i = 1; i < stroke.length; i += 1) {
        line({ x: stroke[i - 1][0], y: stroke[i - 1][1] }, { x: stroke[i][0], y: stroke[i][1] });
      }
    }
    predict();
  });
}

reset();
