// The deep-linking answer goes back to the platform at once; the button is there for a
// browser without scripts.
for (const form of document.querySelectorAll("form[data-auto-submit]")) {
  form.submit();
}
