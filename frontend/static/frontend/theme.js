// Dark-mode toggle.  The stored choice ("light" / "dark") wins over prefers-color-scheme;
// the head of base.html applies it before the first paint so the page never flashes.
const KEY = "quizsite-theme";

function current() {
  const chosen = document.documentElement.dataset.theme;
  if (chosen) return chosen;
  return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function render(button) {
  const dark = current() === "dark";
  button.setAttribute("aria-pressed", String(dark));
}

const button = document.getElementById("theme-toggle");
if (button) {
  button.hidden = false;
  render(button);
  button.addEventListener("click", () => {
    const next = current() === "dark" ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    try {
      localStorage.setItem(KEY, next);
    } catch (error) {
      // Private windows may refuse storage; the toggle still works for this page.
    }
    render(button);
  });
}
