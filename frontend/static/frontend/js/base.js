// Behaviour every page shares: confirmations, focus on the first field with an error, and the
// header's menu button on a phone.

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

// The header's links fold behind a "Menu" button on a phone (engawa.css, .js-menu); the
// button opens and closes them, and Escape closes them again.
const menuButton = document.querySelector(".site-nav__toggle");
if (menuButton) {
  document.documentElement.classList.add("js-menu");
  menuButton.hidden = false;
  const setOpen = (open) => menuButton.setAttribute("aria-expanded", String(open));
  menuButton.addEventListener("click", () => {
    setOpen(menuButton.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menuButton.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      menuButton.focus();
    }
  });
}
