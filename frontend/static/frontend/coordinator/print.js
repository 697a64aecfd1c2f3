// The report's "Print" button: the browser's print dialog (the page's print CSS makes it A4).

for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
