// Demo parameter forms: each slider shows its value beside it as it moves.  A file, not an
// inline handler, so the page works under a Content-Security-Policy of 'self'.
function show(slider) {
  const output = document.getElementById(`${slider.id}-value`);
  if (output) output.value = slider.value;
}

document.addEventListener("input", (event) => {
  const target = event.target;
  if (target instanceof HTMLInputElement && target.type === "range") show(target);
});
// Back/forward caches restore slider positions without an input event.
window.addEventListener("pageshow", () => {
  for (const slider of document.querySelectorAll('input[type="range"]')) show(slider);
});
