// Live progress of a matching round on its review page. The page is rendered while the round
// is queued or running; this module asks GET /api/rounds/{id}/ every second (the session
// cookie authenticates it) and also listens for "round.status" events on the notification
// stream. When the round reaches draft or failed, the page reloads to show the result.

const POLL_MS = 1000;
const FINAL = new Set(["draft", "failed", "published", "discarded"]);

function start(box) {
  const roundId = box.dataset.roundId;
  const url = box.dataset.apiUrl;
  const statusText = box.querySelector("[data-round-status]");
  const bar = box.querySelector("progress");
  const labelsNode = document.getElementById("round-status-labels");
  const labels = labelsNode ? JSON.parse(labelsNode.textContent) : {};
  let done = false;
  let timer = null;

  function show(status) {
    if (statusText && labels[status]) statusText.textContent = labels[status];
    if (bar) {
      // Queued → a third, running → two thirds: the solver reports no finer progress.
      bar.value = status === "queued" ? 1 : status === "running" ? 2 : 3;
    }
    if (FINAL.has(status) && !done) {
      done = true;
      window.clearTimeout(timer);
      window.location.reload();
    }
  }

  async function poll() {
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const round = await response.json();
        show(round.status);
      }
    } catch {
      // A dropped request: the next tick tries again.
    }
    if (!done) timer = window.setTimeout(poll, POLL_MS);
  }

  document.addEventListener("engawa:notification", (event) => {
    const data = event.detail || {};
    const kind = data.kind;
    if (kind === "round.status" && String(data.round) === roundId) show(data.status);
  });

  timer = window.setTimeout(poll, POLL_MS);
}

const box = document.querySelector("[data-round-progress]");
if (box) start(box);
