// The shopper's web chat. Every message is shown with textContent (never as HTML).
// Each stored message has an id: the page remembers the last one it showed and asks the server
// for what came after it on every (re)connect. Messages not yet acknowledged stay in an outbox
// (kept across reloads) and are sent again; the server stores each client_msg_id once. A message
// that arrives twice (live and in a sync, or from another console instance after a reconnect) is
// shown once, by its id.
(function () {
  "use strict";

  const T = JSON.parse(document.getElementById("chat-texts").textContent);
  const log = document.getElementById("log");
  const input = document.getElementById("input");
  const form = document.getElementById("composer");
  const typing = document.getElementById("typing");
  const hint = document.getElementById("hint");
  const status = document.getElementById("status");

  const OUTBOX_KEY = "chat-outbox";
  const ACK_TIMEOUT_MS = 15000;
  const RETRY_MS = 4000;
  const shown = new Set();       // ids of stored messages on the page
  const shownClientIds = new Set();
  const inFlight = new Set();    // client_msg_ids sent, waiting for their acknowledgement
  let outbox = loadOutbox();     // [{client_msg_id, text, payload}]
  let lastId = 0;
  let composing = false;
  let hintTimer = null;

  // ---------- rendering ----------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function clock(iso) {
    if (!iso) return "";
    return new Date(iso).toLocaleTimeString("zh-CN", {
      timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false,
    });
  }

  function bubble(sender, text, iso, buttons) {
    const row = el("div", "msg msg-" + sender);
    row.dataset.sender = sender;
    const meta = el("div", "meta");
    meta.append(el("span", "who", T.senders[sender] || ""), el("time", "time", clock(iso)));
    row.append(meta, el("div", "bubble", text));
    if (buttons && buttons.length) {
      const bar = el("div", "quick-replies");
      for (const b of buttons) {
        const button = el("button", "quick", b.title);
        button.type = "button";
        button.addEventListener("click", () => send(b.title, b.payload));
        bar.append(button);
      }
      row.append(bar);
    }
    return row;
  }

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  // Stored messages in id order; unacknowledged ones (no id yet) stay below them.
  function place(row, id) {
    let before = null;
    for (const child of log.children) {
      const childId = Number(child.dataset.id || 0);
      if (child.classList.contains("pending") || childId > id) { before = child; break; }
    }
    log.insertBefore(row, before);
  }

  function pendingRow(clientId) {
    return log.querySelector('[data-client-id="' + CSS.escape(clientId) + '"]');
  }

  function show(m) {
    if (m.client_msg_id) {
      shownClientIds.add(m.client_msg_id);
      const waiting = pendingRow(m.client_msg_id);
      if (waiting) waiting.remove();
    }
    if (shown.has(m.id)) return;
    const stick = nearBottom();
    const row = bubble(m.sender, m.text, m.time, m.buttons);
    row.dataset.id = String(m.id);
    place(row, m.id);
    shown.add(m.id);
    lastId = Math.max(lastId, m.id);
    if (m.sender !== "shopper") setTyping(false);
    if (stick || m.sender === "shopper") scrollDown();
  }

  function showPending(item) {
    const row = bubble("shopper", item.text, null, null);
    row.classList.add("pending");
    row.dataset.clientId = item.client_msg_id;
    row.querySelector(".time").textContent = T.sending;
    log.append(row);
    scrollDown();
  }

  function markFailed(clientId) {
    const row = pendingRow(clientId);
    if (row) row.querySelector(".time").textContent = T.failed;
  }

  function markWaiting(clientId) {
    const row = pendingRow(clientId);
    if (row) row.querySelector(".time").textContent = T.waiting;
  }

  function setTyping(on) {
    const stick = nearBottom();
    typing.hidden = !on;
    if (on && stick) scrollDown();
  }

  function showHint(text, keepMs) {
    hint.textContent = text;
    hint.hidden = false;
    clearTimeout(hintTimer);
    if (keepMs) hintTimer = setTimeout(() => { hint.hidden = true; }, keepMs);
  }

  function setStatus(text) {
    status.textContent = text || "";
    status.hidden = !text;
  }

  // ---------- the outbox ----------

  function loadOutbox() {
    try { return JSON.parse(sessionStorage.getItem(OUTBOX_KEY)) || []; } catch (e) { return []; }
  }

  function saveOutbox() {
    try { sessionStorage.setItem(OUTBOX_KEY, JSON.stringify(outbox)); } catch (e) { /* private mode */ }
  }

  function dropFromOutbox(clientId) {
    outbox = outbox.filter((item) => item.client_msg_id !== clientId);
    saveOutbox();
  }

  function newId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // ---------- talking to the server ----------

  const socket = io({ autoConnect: false });

  let pausedUntil = 0;            // the server said "too fast": nothing is sent before this time

  function flush() {
    if (!socket.connected) return;
    const wait = pausedUntil - Date.now();
    if (wait > 0) { setTimeout(flush, wait); return; }
    for (const item of outbox) {
      if (inFlight.has(item.client_msg_id)) continue;
      inFlight.add(item.client_msg_id);
      socket.timeout(ACK_TIMEOUT_MS).emit("send", item, (err, ack) => {
        inFlight.delete(item.client_msg_id);
        if (err || !ack) {               // no answer: keep it and try again
          markFailed(item.client_msg_id);
          setTimeout(flush, RETRY_MS);
        } else if (ack.ok) {
          dropFromOutbox(item.client_msg_id);
          show(ack.message);
        } else if (ack.error === "too_fast") {
          // Not stored: it stays in the outbox and goes again, in order, once the wait is over.
          const ms = Math.max(1, Number(ack.retry_after) || 1) * 1000;
          const first = pausedUntil <= Date.now();
          pausedUntil = Math.max(pausedUntil, Date.now() + ms);
          markWaiting(item.client_msg_id);
          if (first) { showHint(ack.hint, ms); setTimeout(flush, ms); }
        } else if (ack.error === "not_saved" || ack.error === "unavailable") {
          markFailed(item.client_msg_id);
          showHint(ack.hint, 6000);
          setTimeout(flush, RETRY_MS);
        } else {                         // refused (empty, too long): give the text back
          dropFromOutbox(item.client_msg_id);
          const row = pendingRow(item.client_msg_id);
          if (row) row.remove();
          if (!input.value) input.value = item.text;
          showHint(ack.hint);
        }
      });
    }
  }

  function send(text, payload) {
    text = (text || "").trim();
    if (!text) { showHint(T.empty, 3000); return false; }
    if (text.length > T.maxChars) { showHint(T.tooLong); return false; }
    const item = { client_msg_id: newId(), text: text };
    if (payload && payload !== text) item.payload = payload;
    outbox.push(item);
    saveOutbox();
    showPending(item);
    hint.hidden = true;
    flush();
    return true;
  }

  function submitInput() {
    if (send(input.value)) {
      input.value = "";
      grow();
    }
  }

  // The history comes in pages: ask again from the last id while the server says there is more.
  function syncFrom(after) {
    socket.timeout(ACK_TIMEOUT_MS).emit("sync", { after: after }, (err, ack) => {
      if (!err && ack && ack.ok) {
        ack.messages.forEach(show);
        if (ack.more && ack.messages.length) { syncFrom(lastId); return; }
      }
      flush();
    });
  }

  socket.on("connect", () => {
    setStatus("");
    syncFrom(lastId);
  });
  socket.on("disconnect", () => {
    setStatus(T.offline);
    setTyping(false);  // the console that was answering may be gone; the next one says so again
  });
  socket.on("connect_error", (err) => {
    // The server refuses a socket without a valid session cookie; socket.io will not retry it.
    setStatus(err && err.message === "unauthorized" ? T.expired : T.offline);
  });
  socket.on("message", show);
  socket.on("typing", (data) => setTyping(Boolean(data && data.on)));
  socket.on("notice", (data) => showHint(data.text, 8000));

  // ---------- the input box ----------

  function grow() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 140) + "px";
  }

  input.addEventListener("compositionstart", () => { composing = true; });
  input.addEventListener("compositionend", () => { composing = false; });
  input.addEventListener("input", grow);
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey) return;
    // Enter that confirms a Chinese input method's candidate must not send (keyCode 229: Safari).
    if (event.isComposing || composing || event.keyCode === 229) return;
    event.preventDefault();
    submitInput();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitInput();
  });

  // ---------- start ----------

  async function start() {
    setStatus(T.connecting);
    try {
      for (let more = true; more;) {
        const response = await fetch("/api/messages?after=" + lastId, { credentials: "same-origin", cache: "no-store" });
        if (!response.ok) break;
        const page = await response.json();
        page.messages.forEach(show);
        more = Boolean(page.more && page.messages.length);
      }
    } catch (e) { /* the socket's sync will fill in */ }
    // Sent before a reload but already stored: nothing to resend.
    outbox = outbox.filter((item) => !shownClientIds.has(item.client_msg_id));
    saveOutbox();
    outbox.forEach(showPending);
    scrollDown();
    socket.connect();
  }

  start();
})();
