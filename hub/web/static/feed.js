"use strict";
// The live page's "What happened": the session so far, then each event as it comes, as cards
// in words a partner understands at a glance. "You" is the wearer the page is opened as
// (/wearers/<name>, or ?wearer=<name>); without one, the cards name both.
const FEED_WORDS = { slow_down: "slow down", pause: "pause", stop: "stop", check_in: "check in" };

function feedViewer() {
  const path = location.pathname.match(/\/wearers\/([^/]+)/);
  return path ? decodeURIComponent(path[1]) : new URLSearchParams(location.search).get("wearer");
}

function startFeed({ list, onOpen = () => {}, onEvent = () => {}, onClose = () => {} }) {
  const you = feedViewer();
  const partners = {};   // wearer -> partner, learnt from the status and from alerts
  const cards = new Map(); // signal id -> { card, time, signaller, notes, realerts }
  const held = {};       // wearer -> level they hold, for "lifted their stop"
  let lastN = 0;
  const bar = sessionBar(list);

  const name = (w) => (w === you ? "you" : w);
  const Name = (w) => (w === you ? "You" : w);
  const partnerOf = (w) => partners[w] || "their partner";

  fetch("/api/status").then((r) => r.json()).then((s) => {
    for (const w of s.wearers) {
      if (w.partner) { partners[w.name] = w.partner; partners[w.partner] = w.name; }
    }
  }).catch(() => {});

  function card(text, kind, time, extraClass = "") {
    const item = document.createElement("li");
    item.className = `card ${kind} ${extraClass}`.trim();
    const when = document.createElement("time");
    when.textContent = new Date(time * 1000).toLocaleTimeString();
    const words = document.createElement("span");
    words.className = "words";
    words.textContent = text;
    const after = document.createElement("span");
    after.className = "after";
    item.append(when, " ", words, after);
    list.prepend(item);
    return item;
  }

  function asks(signaller, receiver, signal, source) {
    if (source === "link") {
      return signaller === you
        ? `Your wearable cannot be relied on: ${receiver} is asked to PAUSE`
        : `${signaller}'s wearable cannot be relied on: ${name(receiver)} ${receiver === you ? "are" : "is"} asked to PAUSE`;
    }
    if (signal === "check_in") {
      return signaller === you
        ? `Your heart is racing: ${receiver} is asked to check in with you`
        : `${signaller}'s heart is racing: ${receiver === you ? "please check in with them" : `${receiver} is asked to check in`}`;
    }
    if (signaller === you) return `You asked ${receiver} to ${FEED_WORDS[signal]}`;
    return `${signaller} asks ${name(receiver)} to ${FEED_WORDS[signal].toUpperCase()}`;
  }

  function signalCard(e, signaller, receiver) {
    if (cards.has(e.id)) return;
    let text;
    if (e.signal === "resume") {
      const level = held[signaller];
      // "all clear" only when nobody else still holds a level.
      const still = Object.entries(held).filter(([w]) => w !== signaller);
      const after = still.length ? `; ${still.map(([w, l]) => `${name(w)} still ${w === you ? "hold" : "holds"} ${FEED_WORDS[l].toUpperCase()}`).join(", ")}` : ": all clear";
      text = `${Name(signaller)} lifted ${signaller === you ? "your" : "their"} ${level ? FEED_WORDS[level] : "signal"}${after}`;
    } else text = asks(signaller, receiver, e.signal, e.source);
    if (["slow_down", "pause", "stop"].includes(e.signal)) held[signaller] = e.signal;
    if (e.signal === "resume") delete held[signaller];
    cards.set(e.id, { card: card(text, "signal", e.time, e.signal), time: e.time, signaller, notes: new Map(), realerts: 0 });
  }

  // What happened since, one note of each kind: a card says where things stand now ("alerted
  // again 3 times"), not every step that led there.
  function note(id, kind, text) {
    const entry = cards.get(id);
    if (!entry) return entry;
    entry.notes.set(kind, text);
    entry.card.querySelector(".after").textContent = ` — ${[...entry.notes.values()].join("; ")}`;
    return entry;
  }

  const times = (n) => (n === 1 ? "once" : n === 2 ? "twice" : `${n} times`);
  const has = (w) => (w === you ? "have" : "has");

  function show(e) {
    switch (e.type) {
      case "session":
        card(e.state === "started" ? "Session started" : "Session ended", "session", e.time);
        break;
      case "signal":
        signalCard(e, e.wearer, partnerOf(e.wearer));
        break;
      case "alert":
        partners[e.wearer] = e.from; partners[e.from] = e.wearer;
        signalCard(e, e.from, e.wearer);
        break;
      case "ack": {
        const entry = cards.get(e.id);
        const later = entry ? ` ${(e.time - entry.time).toFixed(1)} s later` : "";
        // Noticed now: the re-alerts are history, no longer "not noticed yet".
        if (entry && entry.realerts) note(e.id, "realert", `alerted again ${times(entry.realerts)}`);
        if (!note(e.id, "ack", `${name(e.wearer)} noticed${later}`)) card(`${Name(e.wearer)} noticed`, "ack", e.time);
        break;
      }
      case "confirmed":
        note(e.id, "confirmed", e.delivered ? `${name(e.wearer)} felt the confirmation` : `${e.wearer}'s wearable could not confirm it`);
        break;
      case "realert": {
        const entry = cards.get(e.id);
        if (entry && !entry.notes.has("ack")) {
          entry.realerts = e.count;
          note(e.id, "realert", `${name(e.wearer)} ${has(e.wearer)} not noticed yet, alerted again ${times(e.count)}`);
        }
        break;
      }
      case "link":
        card(`${e.wearer === you ? "Your" : `${e.wearer}'s`} wearable ${e.state}`, "link", e.time, e.state);
        break;
      case "restored":
        card(`The hub restarted: ${name(e.wearer)} still ${e.wearer === you ? "hold" : "holds"} ${FEED_WORDS[e.signal].toUpperCase()}`, "restored", e.time);
        break;
      case "partner_unreachable":
        card(e.back ? `${e.partner} can be heard again` : `${e.reason}: ${name(e.wearer)} told to PAUSE`, "link", e.time);
        break;
      case "refused":
        card(`Refused: ${e.reason}`, "refused", e.time);
        break;
      case "alert_undelivered":
        card(`${e.wearer === you ? "Your" : `${e.wearer}'s`} wearable could not be buzzed`, "undelivered", e.time);
        break;
      case "raw_taps_off":
        card(e.reason, "link", e.time);
        break;
      case "agreement":
        card(e.both_agreed ? "You both agreed on the signals" : `${Name(e.wearer)} agreed to the signals`, "practice", e.time);
        break;
      case "plan_changed":
        card(`${Name(e.by)} changed the plan: ${Object.keys(e.changes).join(", ")}`, "practice", e.time);
        break;
      case "rehearsal":
        if (e.partner_signal) {
          card(`A real ${e.partner_signal.replace("_", " ")} ended ${e.wearer === you ? "your" : `${e.wearer}'s`} rehearsal`, "practice", e.time);
        } else {
          card(e.for_real ? `${Name(e.wearer)} made a real signal: the rehearsal ended` : `${Name(e.wearer)} ${e.running ? "started" : "finished"} a rehearsal`, "practice", e.time);
        }
        break;
      case "check_in":
        card(e.wearer ? `Check-in: ${name(e.wearer)}: ${e.answer === "all_good" ? "all good" : "no answer"}` : "Check-in pulse", "practice", e.time);
        break;
      case "aftercare":
        card(`${Name(e.by)} began aftercare`, "practice", e.time);
        break;
      case "feedback":
        card(`${Name(e.wearer)} gave feedback${e.shared ? " (shared)" : ""}`, "practice", e.time);
        break;
      case "broker":
        card(e.connected ? "Connected to the broker" : "Lost the broker", "link", e.time);
        break;
    }
  }

  function connect() {
    const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/feed`);
    socket.onopen = onOpen;
    socket.onclose = () => { onClose(); setTimeout(connect, 1000); };
    socket.onmessage = (message) => {
      const e = JSON.parse(message.data);
      if (e.type === "history") {
        // The session so far (again, after a reconnect): shown without sounds.
        list.replaceChildren(); cards.clear(); lastN = 0;
        if (e.wearers && e.wearers.length === 2) {
          partners[e.wearers[0]] = e.wearers[1]; partners[e.wearers[1]] = e.wearers[0];
        }
        for (const old of e.events) { show(old); lastN = old.n ?? lastN; }
        list.dataset.session = e.session ?? "";
        bar.show(e.session);
        return;
      }
      if (e.n != null && e.n <= lastN) return;
      lastN = e.n ?? lastN;
      if (e.type === "session") bar.show(e.state === "started" ? e.session : null);
      show(e);
      onEvent(e);
    };
  }
  connect();
}

// Above the feed: the open session (with its timeline) and a button to start or end one.
function sessionBar(list) {
  const bar = document.createElement("div");
  bar.className = "session-bar";
  bar.style.padding = "0 1rem";
  const words = document.createElement("span");
  const button = document.createElement("button");
  bar.append(words, " ", button);
  list.before(bar);
  let open = null;
  button.onclick = async () => {
    const r = await fetch(`/api/sessions/${open ? "end" : "start"}`, { method: "POST" });
    if (!r.ok) words.textContent = (await r.json()).detail;
  };
  return {
    show(session) {
      open = session;
      words.replaceChildren();
      if (session) {
        const link = document.createElement("a");
        link.href = `/sessions/${encodeURIComponent(session)}`;
        link.textContent = "timeline so far";
        words.append("Session going · ", link);
      } else words.textContent = "No session going.";
      button.textContent = session ? "End session" : "Start a session";
    },
  };
}
