// Applies the saved light/dark choice before the page paints (a classic, blocking script in
// <head>, so there is no flash of the other theme).  A file rather than an inline script: the
// Content-Security-Policy allows scripts from this site only.
try {
  var saved = localStorage.getItem("quizsite-theme");
  if (saved === "dark" || saved === "light") document.documentElement.dataset.theme = saved;
} catch (e) {}
