// The dashboard stays current: when the notification stream reports something (a proposal,
// a confirmation, a message, a read), the page fetches itself again and redraws its
// #dashboard-live part, so "what's next" never shows what has already changed.

const PAUSE_MS = 300;
let timer = null;

async function refresh() {
  const response = await fetch(window.location.href, {
    credentials: "same-origin",
    headers: { Accept: "text/html" },
  });
  if (!response.ok) return;
  const fresh = new DOMParser()
    .parseFromString(await response.text(), "text/html")
    .getElementById("dashboard-live");
  const current = document.getElementById("dashboard-live");
  if (fresh && current) current.replaceChildren(...fresh.childNodes);
  document.body.dataset.dashboardRefreshed = String(Date.now());
}

document.addEventListener("engawa:notification", () => {
  // Several events often come together (both answers, a message and its read): one fetch.
  window.clearTimeout(timer);
  timer = window.setTimeout(() => refresh().catch(() => {}), PAUSE_MS);
});
