// Demo parameter forms: each slider shows its value beside it as it moves, written the way the
// page's language writes numbers (the server writes the first one the same way).  A file, not an
// inline handler, so the page works under a Content-Security-Policy of 'self'.
const format = new Intl.NumberFormat(document.documentElement.lang || undefined, {
  maximumFractionDigits: 6,
});

// The number beside the slider is for the eye (aria-hidden); the slider itself tells a screen
// reader the same text through aria-valuetext.
function show(slider) {
  const text = format.format(Number(slider.value));
  const shown = document.getElementById(`${slider.id}-value`);
  if (shown) shown.textContent = text;
  slider.setAttribute("aria-valuetext", text);
}

document.addEventListener("input", (event) => {
  const target = event.target;
  if (target instanceof HTMLInputElement && target.type === "range") show(target);
});
// Back/forward caches restore slider positions without an input event.
window.addEventListener("pageshow", () => {
  for (const slider of document.querySelectorAll('input[type="range"]')) show(slider);
});

// A live re-run past the per-user limit answers 429 with a quiet note: show it where the
// result goes, as htmx would show a success (other 4xx answers keep their usual handling).
document.addEventListener("htmx:beforeSwap", (event) => {
  const form = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (event.detail.xhr.status === 429 && form instanceof Element && form.closest("[data-live]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
