"use strict";
// Shared by the practice pages: who this page belongs to, the API, and the agreement banner.
const [, , WEARER, PAGE] = location.pathname.split("/").map(decodeURIComponent);
const API = `/api/practice/${encodeURIComponent(WEARER)}`;
const $ = (id) => document.getElementById(id);

function text(el, value) { el.textContent = value; return el; }
function item(value, cls) { const li = document.createElement("li"); if (cls) li.className = cls; return text(li, value); }

async function call(method, path, body) {
  const response = await fetch(API + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    const detail = typeof problem.detail === "string" ? problem.detail : JSON.stringify(problem.detail);
    showError(detail || response.statusText);
    throw new Error(detail);
  }
  // The page's own polling must not wipe a refusal before it can be read.
  if (method !== "GET" || Date.now() - errorShownAt > ERROR_KEPT_MS) showError("");
  return response.json();
}

// How long a refusal ("this is alex's rehearsal...") stays while the page polls; an action
// that succeeds clears it at once.
const ERROR_KEPT_MS = 15000;
let errorShownAt = 0;

function showError(message) {
  const el = $("error");
  if (el) { text(el, message); el.hidden = !message; }
  if (message) errorShownAt = Date.now();
}

function header() {
  document.querySelector("header strong").textContent = `${WEARER}'s page`;
  for (const a of document.querySelectorAll("nav a")) {
    a.href = `/practice/${encodeURIComponent(WEARER)}/${a.dataset.page}`;
    if (a.dataset.page === PAGE) a.className = "here";
  }
}

function banner(state) {
  const el = $("agreement-status");
  const a = state.agreement;
  if (a.both_confirmed) {
    el.className = "banner agreed";
    el.textContent = "You have both agreed your signals.";
    return;
  }
  el.className = "banner missing";
  const waiting = Object.entries(a.confirmed).filter(([, done]) => !done).map(([name]) => name);
  el.innerHTML = "";
  el.append(text(document.createElement("strong"), "The signals have not been agreed yet"),
    ` (waiting for ${waiting.join(" and ")}). Signals still go through: a stop is never held back. `);
  const link = document.createElement("a");
  link.href = `/practice/${encodeURIComponent(WEARER)}/rehearsal`;
  link.textContent = "Try them in a rehearsal";
  link.style.color = "#ffe3a3";
  el.append(link);
}

function poll(render, everyMs = 700) {
  const once = () => call("GET", "").then(render).catch(() => {});
  header();
  once();
  setInterval(once, everyMs);
}
