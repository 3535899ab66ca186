// Quiz page: the countdown, and the autosave status of each question (htmx does the saving).
const form = document.getElementById("quiz-form");
const timer = document.getElementById("quiz-timer");

function clock(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return (h ? `${h}:` : "") + `${mm}:${String(s).padStart(2, "0")}`;
}

if (timer && form) {
  // Counted from the server's remaining seconds, not the device clock, which may be wrong.
  const start = Number(timer.dataset.remaining);
  const end = performance.now() + start * 1000;
  const announce = document.getElementById("timer-announce");
  const warned = new Set();
  let submitted = false;
  const tick = () => {
    const left = Math.max(0, Math.ceil((end - performance.now()) / 1000));
    timer.textContent = clock(left);
    for (const mark of [300, 60]) {
      if (start > mark && left <= mark && !warned.has(mark)) {
        warned.add(mark);
        announce.textContent = timer.dataset[`warn-${mark}`] || timer.getAttribute(`data-warn-${mark}`);
      }
    }
    if (left <= 0 && !submitted) {
      // The server closes the attempt at its deadline with what was saved; submitting now
      // saves the last keystrokes too when it arrives in time, and shows the result either way.
      submitted = true;
      announce.textContent = timer.dataset.expired;
      form.requestSubmit(document.getElementById("submit-quiz"));
    }
  };
  tick();
  setInterval(tick, 250);
}

if (form) {
  form.addEventListener("htmx:beforeRequest", (event) => {
    const target = event.detail.target;
    if (target && target.classList.contains("saved-state")) target.textContent = form.dataset.saving;
  });
  // A refused answer (422) or a closed attempt (409) still shows its message next to the
  // question; the typed text stays in the input, so nothing is lost.
  form.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    if (status === 422 || status === 409) {
      const redirect = event.detail.xhr.getResponseHeader("HX-Redirect");
      if (redirect) {
        window.location.assign(redirect);
        return;
      }
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
}
