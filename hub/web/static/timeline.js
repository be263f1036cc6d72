"use strict";
// The comfort timeline page: heart rate (uPlot), held levels as bands, events as markers.
const WORDS = { slow_down: "SLOW DOWN", pause: "PAUSE", stop: "STOP", resume: "RESUME", check_in: "CHECK IN" };
const COLOURS = { slow_down: "#2f6db3", pause: "#c77c02", stop: "#b3261e", resume: "#2e8b57", check_in: "#7b5ea7" };
const WEARER_COLOURS = ["#d2691e", "#1f77b4"];
const MARKED = ["signal", "ack", "realert", "link", "refused", "partner_unreachable", "check_in"];
const ANSWERS = { all_good: "all good", no_answer: "no answer" };
const PRACTICE_COLOUR = "#8a8f98";

function markerLabel(e) {
  if (e.type === "signal") return `${e.wearer}: ${WORDS[e.signal] || e.signal}${e.source === "link" ? " (link)" : ""}`;
  if (e.type === "ack") return `${e.wearer} noticed`;
  if (e.type === "realert") return `re-alert ${e.count} for ${e.wearer}`;
  if (e.type === "link") return `${e.wearer}'s wearable ${e.state}`;
  if (e.type === "check_in") return e.answer ? `${e.wearer}: ${ANSWERS[e.answer] || e.answer}` : "check-in asked";
  if (e.type === "partner_unreachable") return `${e.partner} ${e.back ? "back" : "unreachable"}`;
  return `${e.type} ${e.wearer || ""}`;
}

function clock(t) { return new Date(t * 1000).toLocaleTimeString(); }
function span(s) { return s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${s.toFixed(1)} s`; }

function chartData(t) {
  const wearers = t.session.wearers;
  const tables = wearers.map((w) => {
    const h = t.heart[w] || { time: [], bpm: [] };
    return [h.time, h.bpm];
  });
  // Both wearers on one time axis; a chart with no heart rate still spans the session.
  tables.push([[t.start, t.end], [null, null]]);
  return uPlot.join(tables);
}

function drawOverlays(u, t) {
  const ctx = u.ctx, box = u.bbox, wearers = t.session.wearers;
  const lane = Math.max(8, box.height * 0.06);
  let bands = 0, markers = 0;
  ctx.save();
  for (const b of t.bands) {
    const x0 = Math.max(box.left, u.valToPos(b.start, "x", true));
    const x1 = Math.min(box.left + box.width, u.valToPos(b.end, "x", true));
    if (x1 <= x0) continue;
    const i = Math.max(0, wearers.indexOf(b.wearer));
    ctx.fillStyle = COLOURS[b.level] + "26";
    ctx.fillRect(x0, box.top, x1 - x0, box.height);
    ctx.fillStyle = COLOURS[b.level];
    ctx.fillRect(x0, box.top + box.height - (i + 1) * lane, x1 - x0, lane - 2);
    bands++;
  }
  ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
  for (const e of t.events) {
    if (!MARKED.includes(e.type) || e.source === "rehearsal") continue; // practice has its own lane
    const x = u.valToPos(e.time, "x", true);
    if (x < box.left || x > box.left + box.width) continue;
    ctx.strokeStyle = COLOURS[e.signal] || "#999";
    ctx.lineWidth = devicePixelRatio;
    ctx.beginPath(); ctx.moveTo(x, box.top); ctx.lineTo(x, box.top + box.height); ctx.stroke();
    ctx.save();
    ctx.translate(x - 3 * devicePixelRatio, box.top + 4 * devicePixelRatio);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "right"; ctx.textBaseline = "bottom"; ctx.fillStyle = "#ddd";
    ctx.fillText(markerLabel(e), 0, 0);
    ctx.restore();
    markers++;
  }
  // Rehearsed gestures: practice, so a dashed tick in a lane of their own along the top.
  let practised = 0;
  ctx.strokeStyle = PRACTICE_COLOUR; ctx.fillStyle = PRACTICE_COLOUR;
  ctx.setLineDash([3 * devicePixelRatio, 3 * devicePixelRatio]);
  for (const r of t.summary.rehearsal || []) {
    const x = u.valToPos(r.time, "x", true);
    if (x < box.left || x > box.left + box.width) continue;
    ctx.beginPath(); ctx.moveTo(x, box.top); ctx.lineTo(x, box.top + lane * 2); ctx.stroke();
    ctx.save();
    ctx.translate(x + 3 * devicePixelRatio, box.top + 4 * devicePixelRatio);
    ctx.rotate(Math.PI / 2); // read the other way from the signals' labels: not one of them
    ctx.textAlign = "left"; ctx.textBaseline = "bottom";
    ctx.fillText(`practice ${r.meaning || r.gesture}`, 0, 0);
    ctx.restore();
    practised++;
  }
  ctx.setLineDash([]);
  ctx.restore();
  u.root.parentElement.dataset.rehearsal = practised;
  u.root.parentElement.dataset.bands = bands;
  u.root.parentElement.dataset.markers = markers;
}

function makeChart(t) {
  const el = document.getElementById("chart");
  const series = [{}].concat(t.session.wearers.map((w, i) => ({
    label: `${w} heart rate`, stroke: WEARER_COLOURS[i % 2], width: 1.5, spanGaps: true,
  })), [{ label: "", show: false }]);
  const size = () => ({ width: Math.max(300, el.clientWidth), height: Math.max(260, Math.min(480, window.innerHeight * 0.55)) });
  const u = new uPlot({
    ...size(),
    series,
    scales: { x: { time: true }, y: { range: (u, lo, hi) => [Math.min(lo ?? 60, 50), Math.max(hi ?? 100, 120)] } },
    axes: [{ stroke: "#bbb", grid: { stroke: "#2a2d31" } }, { stroke: "#bbb", grid: { stroke: "#2a2d31" }, label: "bpm" }],
    cursor: { drag: { x: true, y: false } },
    hooks: { draw: [(u) => drawOverlays(u, t)] },
  }, chartData(t), el);
  window.addEventListener("resize", () => u.setSize(size()));
  const shift = (fraction) => {
    const { min, max } = u.scales.x, d = (max - min) * fraction;
    u.setScale("x", { min: min + d, max: max + d });
  };
  document.getElementById("left").onclick = () => shift(-0.5);
  document.getElementById("right").onclick = () => shift(0.5);
  document.getElementById("all").onclick = () => u.setScale("x", { min: t.start, max: t.end });
  return u;
}

function fillText(t) {
  const s = t.session;
  document.getElementById("title").textContent = `comfort timeline · ${s.wearers.join(" & ")}${s.demo ? " (demo)" : ""}`;
  document.getElementById("when").textContent =
    `${new Date(s.started_at * 1000).toLocaleString()} – ${s.ended_at ? clock(s.ended_at) : "still going"}` +
    (s.ended_by ? ` (ended: ${s.ended_by})` : "");
  const bands = document.getElementById("bands");
  for (const b of t.bands) {
    const li = document.createElement("li");
    li.className = `band ${b.level}`;
    li.textContent = `${b.wearer} held ${WORDS[b.level]} from ${clock(b.start)} for ${span(b.end - b.start)}`;
    bands.append(li);
  }
  const sum = t.summary, kinds = Object.entries(sum.signals_by_kind).map(([k, n]) => `${n} × ${WORDS[k] || k}`);
  const held = Object.entries(sum.seconds_held).map(([w, levels]) =>
    `${w}: ` + Object.entries(levels).map(([l, sec]) => `${WORDS[l]} ${span(sec)}`).join(", "));
  document.getElementById("summary").innerHTML = "";
  for (const line of [`Signals: ${kinds.join(", ") || "none"}`, ...held.map((h) => `Time held — ${h}`)]) {
    const p = document.createElement("p"); p.textContent = line; document.getElementById("summary").append(p);
  }
  const table = document.getElementById("signals");
  table.innerHTML = "<tr><th>time</th><th>who</th><th>signal</th><th>noticed after</th><th>heart before → after</th></tr>";
  for (const x of sum.signals) {
    const tr = document.createElement("tr");
    const heart = Object.entries(x.heart).map(([w, h]) => `${w} ${h.before ?? "–"} → ${h.after ?? "–"}`).join("; ");
    for (const cell of [clock(x.time), x.wearer, (WORDS[x.signal] || x.signal) + (x.source === "link" ? " (link)" : ""),
      x.seconds_to_ack != null ? `${x.seconds_to_ack.toFixed(1)} s by ${x.acknowledged_by}` : "–", heart]) {
      const td = document.createElement("td"); td.textContent = cell; tr.append(td);
    }
    table.append(tr);
    for (const a of x.answers || []) table.append(answerRow(a));
  }
  listInto("shared-answers", (sum.shared_answers || []).filter((a) => !a.about).map(sharedText));
}

// A shared aftercare answer, in words; only answers a wearer chose to share ever reach here.
function sharedText(a) {
  const s = a.answers;
  return `${a.wearer} shared: felt good: ${s.felt_good || "—"} · change: ${s.to_change || "—"} · comfort ${s.comfort} of 5`;
}

function answerRow(a) {
  const tr = document.createElement("tr"), td = document.createElement("td");
  tr.className = "shared-answer"; td.colSpan = 5; td.textContent = `↳ ${sharedText(a)}`;
  tr.append(td);
  return tr;
}

function listInto(id, lines) {
  const list = document.getElementById(id);
  list.innerHTML = "";
  for (const line of lines) {
    const li = document.createElement("li"); li.textContent = line; list.append(li);
  }
  if (!lines.length) { const li = document.createElement("li"); li.textContent = "none"; list.append(li); }
}

function fillPractice(t) {
  listInto("rehearsal", (t.summary.rehearsal || []).map((r) =>
    `${clock(r.time)} ${r.wearer} practised ${r.meaning || r.gesture}${r.recognised ? "" : " (not recognised yet)"}`));
  listInto("check-ins", (t.summary.check_ins || []).map((c) => {
    const answers = t.session.wearers.map((w) => `${w}: ${ANSWERS[c.answers[w]] || "waiting"}`);
    return `${clock(c.time)} check-in — ${answers.join(", ")}`;
  }));
}

function addServerControls(id) {
  const controls = document.getElementById("controls");
  for (const format of ["png", "svg", "csv", "json", "html"]) {
    const a = document.createElement("a");
    a.href = `/api/sessions/${encodeURIComponent(id)}/export.${format}`;
    a.textContent = `save ${format.toUpperCase()}`;
    a.setAttribute("download", "");
    controls.append(a);
  }
  const erase = document.createElement("button");
  erase.className = "danger"; erase.textContent = "Erase this session";
  erase.onclick = async () => {
    if (!confirm("Erase this session for good? It cannot be brought back.")) return;
    const r = await fetch(`/api/sessions/${encodeURIComponent(id)}`, { method: "DELETE" });
    document.body.textContent = r.ok ? "This session was erased." : `Not erased: ${(await r.json()).detail}`;
  };
  controls.append(erase);
}

async function startTimeline(boot) {
  let t = boot.timeline;
  if (!t) {
    const r = await fetch(`/api/sessions/${encodeURIComponent(boot.session)}/timeline`);
    if (!r.ok) { document.body.textContent = (await r.json()).detail; return; }
    t = await r.json();
  }
  if (boot.served) addServerControls(t.session.id);
  fillText(t);
  fillPractice(t);
  window.comfortChart = makeChart(t);
}
