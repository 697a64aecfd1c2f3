// A conversation, live: messages over /ws/chat/<id>/ (the session cookie authenticates),
// typing hints, read marks, and a reconnect that asks the server to `resume` after the last
// message this page holds, so nothing is lost or shown twice. Without JavaScript the page
// still works: the form posts to the server.

import { phrase, putPhrase, textsOf } from "./texts.js";

const config = JSON.parse(document.getElementById("chat-config").textContent);
// The page's words, with their furigana on an easy-Japanese page (texts.js).
const texts = textsOf("chat");
const log = document.getElementById("chat-log");
const statusLine = document.getElementById("chat-status");
const typingLine = document.getElementById("chat-typing");
const form = document.getElementById("chat-form");
const input = form ? form.querySelector("textarea") : null;
const refusedBox = document.getElementById("chat-refused");
const refusedText = document.getElementById("chat-refused-text");

const CLOSE_NO_USER = 4401;
const CLOSE_FORBIDDEN = 4403;
const CLOSE_CONVERSATION_CLOSED = 4410;
const MAX_DELAY_MS = 15000;
const TYPING_SHOWN_MS = 4000;
// The server takes at most config.rate_per_second messages a second from a person (its
// CHAT_RATE_PER_SECOND setting): what is still owed after a reconnect goes out one a second
// slower. A message refused for pace is never sent again on its own: it goes back to the
// composer like any other refusal, and the person sends it when they choose.
const RESEND_EVERY_MS = Math.ceil(1000 / Math.max(1, config.rate_per_second - 1));
// A message with no answer from the server after this long says so and offers to try again
// (it stays owed: a reconnect still sends it, and the server stores a client_id once).
const PATIENCE_MS = 10000;

let socket = null;
let delay = 1000;
let lastId = config.last_id || 0;
let lastReadSent = 0;
let typingTimer = null;
let lastTypingSent = 0;
let stopped = false;
let resendTimer = null;
const pending = new Map(); // client_id -> {body, element, timer}
// The refused messages' text put back in the composer since the person last sent, in the
// order they were written: a second refusal goes after the first, before anything typed since.
let givenBack = "";
const composerRows = input ? input.rows : 2;
const MAX_COMPOSER_ROWS = 6;

function nameOf(userId) {
  return config.names[String(userId)] || "";
}

// One of the page's texts (a key of CHAT_TEXTS), or the server's own words (an error's detail).
function setStatus(key) {
  putPhrase(statusLine, texts, key);
}

function setStatusText(message) {
  statusLine.textContent = message;
}

// The site's one date format (accounts/formatting.py, as the server renders the history):
// 2027年1月2日(土) 13:00 in Japanese, Sat 2 Jan 2027, 13:00 otherwise; Tokyo time.
function timeLabel(iso) {
  const ja = document.documentElement.lang.startsWith("ja"); // easy Japanese too, as the server
  const parts = {};
  const options = {
    timeZone: "Asia/Tokyo",
    weekday: "short",
    year: "numeric",
    month: ja ? "numeric" : "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  };
  for (const part of new Intl.DateTimeFormat(ja ? "ja-JP" : "en-US", options).formatToParts(
    new Date(iso),
  )) {
    parts[part.type] = part.value;
  }
  const time = `${parts.hour}:${parts.minute}`;
  if (ja) return `${parts.year}年${parts.month}月${parts.day}日(${parts.weekday}) ${time}`;
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${time}`;
}

function scrollToEnd() {
  log.scrollTop = log.scrollHeight;
}

function renderMessage(message, { sending = false } = {}) {
  const mine = message.sender === config.me;
  const item = document.createElement("li");
  item.className = mine ? "chat__message chat__message--mine" : "chat__message";
  if (message.id) item.dataset.messageId = String(message.id);
  if (message.seq) item.dataset.seq = String(message.seq);
  item.dataset.sender = String(message.sender);
  const meta = document.createElement("div");
  meta.className = "chat__meta";
  const sender = document.createElement("span");
  sender.className = "chat__sender";
  if (mine) sender.append(phrase(texts, "you"));
  else sender.textContent = nameOf(message.sender);
  meta.append(sender);
  const time = document.createElement("time");
  if (message.created_at) {
    time.dateTime = message.created_at;
    time.textContent = timeLabel(message.created_at);
  } else if (sending) {
    putPhrase(time, texts, "sending");
  }
  meta.append(time);
  if (mine) {
    const read = document.createElement("span");
    read.className = "chat__read";
    read.append(phrase(texts, "read"));
    read.hidden = true;
    meta.append(read);
  } else if (message.id) {
    const report = document.createElement("a");
    report.className = "chat__report";
    report.href = config.report_url.replace(/\/0\/$/, `/${message.id}/`);
    report.append(phrase(texts, "report"));
    meta.append(report);
  }
  const body = document.createElement("p");
  body.className = "chat__body";
  fillBody(body, message);
  item.append(meta, body);
  return item;
}

// The reader's reading aid, made by the server (message.reading): furigana as <ruby>, or the
// romaji after the text. Built with text nodes only; the message itself is never changed.
function fillBody(body, message) {
  const reading = message.reading;
  const shown = document.createElement("span");
  shown.dataset.readingAid = reading ? Object.keys(reading)[0] : "off";
  if (reading && Array.isArray(reading.furigana)) {
    for (const [piece, sound] of reading.furigana) {
      if (!sound) {
        shown.append(piece);
        continue;
      }
      const ruby = document.createElement("ruby");
      const rt = document.createElement("rt");
      rt.textContent = sound;
      ruby.append(piece, rt);
      shown.append(ruby);
    }
  } else {
    shown.textContent = message.body;
  }
  body.append(shown);
  if (reading && typeof reading.romaji === "string") {
    const romaji = document.createElement("span");
    romaji.className = "reading-aid__romaji";
    romaji.lang = "ja-Latn";
    romaji.textContent = reading.romaji;
    body.append(" ", romaji);
  }
}

function showMessage(message) {
  if (log.querySelector(`[data-message-id="${message.id}"]`)) return; // already shown
  document.getElementById("chat-empty")?.remove();
  const waiting = message.client_id && pending.get(message.client_id);
  const element = renderMessage(message);
  if (waiting) {
    window.clearTimeout(waiting.timer);
    waiting.element.replaceWith(element);
    pending.delete(message.client_id);
    // Everything owed has gone through: an earlier warning in the status line no longer applies.
    if (pending.size === 0 && socket && socket.readyState === WebSocket.OPEN) {
      setStatus("connected");
    }
  } else {
    log.append(element);
  }
  lastId = Math.max(lastId, message.id);
  if (message.sender !== config.me) {
    typingLine.textContent = "";
    markRead();
  }
  scrollToEnd();
}

function markRead() {
  if (document.visibilityState !== "visible" || !socket || socket.readyState !== WebSocket.OPEN)
    return;
  const others = [...log.querySelectorAll("[data-message-id]")].filter(
    (el) => el.dataset.sender !== String(config.me),
  );
  const newest = others.length ? Number(others[others.length - 1].dataset.messageId) : 0;
  if (newest > lastReadSent) {
    lastReadSent = newest;
    socket.send(JSON.stringify({ type: "read", message_id: newest }));
  }
}

function showRead(userId, messageId) {
  if (userId === config.me) return;
  for (const element of log.querySelectorAll(".chat__message--mine[data-message-id]")) {
    if (Number(element.dataset.messageId) <= messageId) {
      const mark = element.querySelector(".chat__read");
      if (mark) mark.hidden = false;
    }
  }
}

function showTyping(userId) {
  if (userId === config.me) return;
  putPhrase(typingLine, texts, "typing", { name: nameOf(userId) });
  window.clearTimeout(typingTimer);
  typingTimer = window.setTimeout(() => {
    typingLine.textContent = "";
  }, TYPING_SHOWN_MS);
}

function stop(reason) {
  stopped = true;
  setStatus(reason);
  if (form) {
    for (const control of form.querySelectorAll("textarea, button")) control.disabled = true;
  }
}

function showRefused(detail) {
  refusedText.textContent = detail;
  refusedBox.hidden = false;
  input.setAttribute("aria-describedby", refusedText.id);
  input.setAttribute("aria-invalid", "true");
}

function hideRefused() {
  if (!refusedBox || refusedBox.hidden) return;
  refusedBox.hidden = true;
  input.removeAttribute("aria-describedby");
  input.removeAttribute("aria-invalid");
}

// The server refused this message (too long, too fast, not allowed any more...): it leaves
// the log, its text goes back to the composer (after the messages refused before it, before
// anything typed since) and the reason shows beside it. Nothing resends it: it is sent again
// only when the person sends the composer, so it is neither lost nor stored twice.
function giveBack(clientId, detail) {
  const entry = pending.get(clientId);
  if (!entry) return;
  window.clearTimeout(entry.timer);
  pending.delete(clientId);
  entry.element.remove();
  const current = input.value;
  const kept = givenBack && current.startsWith(givenBack) ? givenBack : "";
  const typed = current.slice(kept.length).trim();
  givenBack = kept ? `${kept}\n${entry.body}` : entry.body;
  input.value = typed ? `${givenBack}\n${typed}` : givenBack;
  // Every line given back stays in sight (up to a few), not hidden below the box's edge.
  const lines = input.value.split("\n").length;
  input.rows = Math.max(composerRows, Math.min(MAX_COMPOSER_ROWS, lines));
  showRefused(detail);
  input.focus();
}

function sendOne(clientId) {
  const entry = pending.get(clientId);
  if (!entry || !socket || socket.readyState !== WebSocket.OPEN) return;
  socket.send(JSON.stringify({ type: "message", body: entry.body, client_id: clientId }));
}

// No answer yet: the bubble says so and offers to send it again, instead of "Sending…" forever.
function watch(clientId) {
  const entry = pending.get(clientId);
  if (!entry) return;
  window.clearTimeout(entry.timer);
  entry.timer = window.setTimeout(() => {
    if (!pending.has(clientId)) return;
    const time = entry.element.querySelector("time");
    if (time) putPhrase(time, texts, "not_sent");
    if (entry.element.querySelector(".chat__resend")) return;
    const again = document.createElement("button");
    again.type = "button";
    again.className = "button button--secondary button--small chat__resend";
    again.append(phrase(texts, "try_again"));
    again.addEventListener("click", () => {
      again.remove();
      if (time) putPhrase(time, texts, "sending");
      watch(clientId);
      sendOne(clientId);
    });
    entry.element.append(again);
  }, PATIENCE_MS);
}

function sendPending() {
  window.clearTimeout(resendTimer);
  const owed = [...pending.keys()];
  const next = () => {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    const clientId = owed.shift();
    if (clientId === undefined) return;
    // Sent again with the same client_id: a message the server already stored is not stored
    // twice, it is only confirmed.
    sendOne(clientId);
    resendTimer = window.setTimeout(next, RESEND_EVERY_MS);
  };
  next();
}

function connect() {
  if (stopped) return;
  setStatus("connecting");
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${scheme}//${window.location.host}${config.socket}`);
  socket.addEventListener("open", () => {
    delay = 1000;
    setStatus("connected");
    document.body.dataset.chatReady = "true";
    // Whatever arrived while this page was loading or offline, then what we still owe.
    socket.send(JSON.stringify({ type: "resume", after: lastId }));
    sendPending();
    markRead();
  });
  socket.addEventListener("message", (event) => {
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    if (frame.type === "message") showMessage(frame.message);
    else if (frame.type === "typing") showTyping(frame.user);
    else if (frame.type === "read") showRead(frame.user, frame.message_id);
    else if (frame.type === "blocked") stop("blocked");
    else if (frame.type === "closed") stop("closed");
    else if (frame.type === "error") {
      if (pending.has(frame.client_id)) giveBack(frame.client_id, frame.detail);
      else setStatusText(frame.detail);
    }
  });
  socket.addEventListener("close", (event) => {
    document.body.dataset.chatReady = "false";
    if (event.code === CLOSE_CONVERSATION_CLOSED) return stop("closed");
    if (event.code === CLOSE_NO_USER || event.code === CLOSE_FORBIDDEN) {
      return stop("offline");
    }
    if (stopped) return;
    setStatus("offline");
    window.setTimeout(connect, delay);
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  });
}

if (form && input) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    const clientId = window.crypto?.randomUUID
      ? window.crypto.randomUUID()
      : `${Date.now()}-${Math.random()}`;
    const element = renderMessage({ sender: config.me, body }, { sending: true });
    element.classList.add("chat__message--pending");
    document.getElementById("chat-empty")?.remove();
    log.append(element);
    scrollToEnd();
    pending.set(clientId, { body, element, timer: null });
    input.value = "";
    input.rows = composerRows;
    givenBack = "";
    input.focus();
    hideRefused();
    watch(clientId);
    sendOne(clientId);
  });
  document.getElementById("chat-retry")?.addEventListener("click", () => form.requestSubmit());
  input.addEventListener("keydown", (event) => {
    // Enter sends, Shift+Enter makes a new line (the usual chat habit).
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", () => {
    const now = Date.now();
    if (socket && socket.readyState === WebSocket.OPEN && now - lastTypingSent > 2000) {
      lastTypingSent = now;
      socket.send(JSON.stringify({ type: "typing" }));
    }
  });
}

async function loadEarlier(button) {
  const first = log.querySelector("[data-message-id]");
  if (!first) return;
  button.disabled = true;
  try {
    const response = await fetch(`${config.history_url}?before=${first.dataset.messageId}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(String(response.status));
    const older = await response.json();
    const before = log.scrollHeight;
    for (const message of older) {
      if (!log.querySelector(`[data-message-id="${message.id}"]`)) {
        first.before(renderMessage(message));
      }
    }
    // Keep the message the reader was looking at in place.
    log.scrollTop += log.scrollHeight - before;
    if (older.length === 0 || older.length < 100) {
      button.hidden = true;
      setStatus("no_more");
    }
  } catch {
    setStatus("offline");
  } finally {
    button.disabled = false;
  }
}

const earlier = document.getElementById("chat-earlier");
if (earlier && config.has_more) {
  earlier.hidden = false;
  earlier.addEventListener("click", () => loadEarlier(earlier));
}

document.addEventListener("visibilitychange", markRead);
scrollToEnd();
if (config.blocked) stop("blocked");
connect();
