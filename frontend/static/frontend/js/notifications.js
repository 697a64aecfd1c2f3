// Live notifications for a logged-in user: one WebSocket to /ws/notifications/ (the session
// cookie authenticates it), a toast for each event, the unread count on Messages, and a
// reconnect with back-off.
// Pages can react too: every event is re-dispatched as "engawa:notification" on document.

import { showToast } from "./toast.js";

const MAX_DELAY_MS = 30000;
let delay = 1000;
let socket = null;

function socketUrl(path) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${path}`;
}

function textOf(event) {
  // The server sends each event already translated into the user's language; a reported
  // message carries no text, so coordinators get the sentence the page handed over.
  if (event.kind === "chat.report") return document.body.dataset.toastReport || "";
  return event.text || event.title || event.detail || (event.message && event.message.body) || "";
}

function linkFor(event) {
  if (event.url) return event.url;
  if (event.kind === "chat.report") return document.body.dataset.reportsUrl;
  if (event.conversation) return `/messages/${event.conversation}/`;
  if (event.proposal) return document.body.dataset.proposalsUrl;
  return undefined;
}

// The badges on Messages (and on the phone's Menu button): the stream sends the new total
// with each message and after each read.
function showUnread(count) {
  for (const badge of document.querySelectorAll("[data-new-messages]")) {
    badge.querySelector("[data-new-count]").textContent = String(count);
    badge.hidden = count === 0;
  }
}

function connect() {
  const path = document.body.dataset.notificationsUrl;
  if (!path || !("WebSocket" in window)) return;
  socket = new WebSocket(socketUrl(path));
  socket.addEventListener("open", () => {
    delay = 1000;
    document.body.dataset.notificationsReady = "true";
  });
  socket.addEventListener("message", (raw) => {
    let event;
    try {
      event = JSON.parse(raw.data);
    } catch {
      return;
    }
    if (typeof event.unread === "number") showUnread(event.unread);
    document.dispatchEvent(new CustomEvent("engawa:notification", { detail: event }));
    const text = textOf(event);
    // The open chat page shows its own messages; no toast for the conversation on screen.
    const onScreen = document.body.dataset.conversationId;
    if (onScreen && event.conversation && String(event.conversation) === onScreen) return;
    if (text) showToast(text, { href: linkFor(event), linkText: document.body.dataset.toastLink });
  });
  socket.addEventListener("close", (closed) => {
    document.body.dataset.notificationsReady = "false";
    // 4401/4403: not logged in or not allowed; trying again would not help.
    if (closed.code === 4401 || closed.code === 4403) return;
    window.setTimeout(connect, delay);
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  });
}

connect();
