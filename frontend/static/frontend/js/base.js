// Behaviour every page shares: confirmations and focus on the first field with an error.

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

function focusFirstError() {
  const invalid = document.querySelector("main [aria-invalid='true']");
  if (invalid instanceof HTMLElement) invalid.focus();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", focusFirstError);
} else {
  focusFirstError();
}
