"use strict";
// The live view's page: runs a program through the API, follows its
// node events (Server-Sent Events), and draws the DAG (laid out by the
// server in layers) and the worker lanes on canvases.

const token = new URLSearchParams(location.search).get("token") || "";
const $ = (id) => document.getElementById(id);
// Beyond this many nodes the DAG is drawn collapsed: one row per layer,
// split by how many of its nodes wait, run, are done or failed.
const MAX_DRAWN = 5000;
const STATES = ["waiting", "running", "done", "failed", "cancelled"];
const css = getComputedStyle(document.documentElement);
const COLOR = Object.fromEntries(STATES.map((s) => [s, css.getPropertyValue("--" + s).trim()]));
const LANE_H = 18, AXIS_H = 18, LABEL_W = 70;
// Delays that wait at once share the timer lane in at most this many
// rows; past that, bars overlap in them.
const TIMER_ROWS = 6;

// Everything the page knows of the run shown (also read by the tests).
const view = (window.exprflowView = {
  id: null, run: null, graph: [], state: [], counts: {}, layerCounts: [],
  bars: [], open: new Map(), timerRows: [], lastT: 0, lastSeen: 0,
  over: true, wallUs: 0, events: 0, byNode: new Map(), replaying: false,
});
let source = null, replayTimer = null, dirtyDag = true, edgeImage = null;

async function api(method, path, body) {
  const reply = await fetch(path, { method, body, headers: { Authorization: "Bearer " + token } });
  const text = await reply.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
  if (!reply.ok) throw new Error((data && data.error) || reply.status + " " + reply.statusText);
  return data;
}

function setStatus(text) { $("status").textContent = text; }

async function startRun() {
  const workers = $("workers").value.trim();
  const query = workers ? "?workers=" + encodeURIComponent(workers) : "";
  setStatus("starting…");
  try {
    const made = await api("POST", "/api/runs" + query, $("program").value);
    await show(made.id, false);
  } catch (e) {
    setStatus("error: " + e.message);
  }
  listRuns();
}

async function cancelRun() {
  if (!view.id) return;
  try { await api("DELETE", "/api/runs/" + view.id); } catch (e) { setStatus("error: " + e.message); }
}

// Shows run `id`: live (its events as they come), or replayed at the
// pace it ran (an earlier run).
async function show(id, replay) {
  if (source) source.close();
  clearTimeout(replayTimer);
  const run = await api("GET", "/api/runs/" + id);
  load(run);
  const url = "/api/runs/" + id + "/events?token=" + encodeURIComponent(token);
  source = new EventSource(url);
  const held = [];
  // After a reconnect the server replays the run from its start.
  source.onopen = () => { reset(); held.length = 0; };
  source.addEventListener("node", (m) => {
    const e = JSON.parse(m.data);
    if (replay) held.push(e); else apply(e);
  });
  source.addEventListener("done", (m) => {
    source.close();
    source = null;
    const done = JSON.parse(m.data);
    if (replay) replayEvents(held, done); else finish(done);
  });
}

// A run's graph and statements, every node waiting.
function load(run) {
  view.id = run.id;
  view.run = run;
  view.graph = run.graph.nodes;
  view.byNode = new Map();
  run.statements.forEach((s, i) => { if (s.node !== undefined) view.byNode.set(s.node, i); });
  view.depth = view.graph.reduce((d, n) => Math.max(d, n.layer + 1), 0);
  view.width = [];
  for (const n of view.graph) view.width[n.layer] = Math.max(view.width[n.layer] || 0, n.x + 1);
  edgeImage = null;
  reset();
  renderStatements(run.statements.map((s) => ({ ...s, value: undefined, error: undefined })));
  $("stats").hidden = true;
}

function reset() {
  // Constants are known before the run: done from the start.
  view.state = view.graph.map((n) => (n.label === "const" ? "done" : "waiting"));
  view.counts = Object.fromEntries(STATES.map((s) => [s, 0]));
  view.layerCounts = Array.from({ length: view.depth || 0 }, () => Object.fromEntries(STATES.map((s) => [s, 0])));
  view.graph.forEach((n, i) => { view.counts[view.state[i]]++; view.layerCounts[n.layer][view.state[i]]++; });
  view.bars = []; view.open = new Map(); view.timerRows = [];
  view.lastT = 0; view.lastSeen = performance.now(); view.over = false; view.wallUs = 0; view.events = 0;
  $("cancel").disabled = false;
  setStatus(view.id + " running");
  dirtyDag = true;
}

function setState(node, state) {
  if (node >= view.state.length) return;
  const old = view.state[node];
  view.state[node] = state;
  view.counts[old]--; view.counts[state]++;
  const layer = view.layerCounts[view.graph[node].layer];
  layer[old]--; layer[state]++;
  dirtyDag = true;
}

// One `event: node`.
function apply(e) {
  view.events++;
  if (e.state === "started") {
    setState(e.node, "running");
    const bar = { node: e.node, lane: e.worker, start: e.t_us, end: null, state: "running", row: 0 };
    if (e.worker === "timer") {
      let row = view.timerRows.findIndex((end) => end !== null && end <= e.t_us);
      if (row < 0 && view.timerRows.length < TIMER_ROWS) { row = view.timerRows.length; view.timerRows.push(null); }
      if (row < 0) row = view.bars.length % TIMER_ROWS;
      view.timerRows[row] = null;
      bar.row = row;
    }
    view.bars.push(bar);
    view.open.set(e.node, bar);
  } else {
    const state = e.state === "finished" ? "done" : e.state;
    setState(e.node, state);
    const bar = view.open.get(e.node);
    if (bar) {
      bar.end = e.t_us; bar.state = state;
      if (bar.lane === "timer") view.timerRows[bar.row] = e.t_us;
      view.open.delete(e.node);
    }
    const line = view.byNode.get(e.node);
    if (line !== undefined && e.value !== undefined) showValue(line, e.value);
  }
  view.lastT = Math.max(view.lastT, e.t_us);
  view.lastSeen = performance.now();
}

// `event: done`: the statements' final values, errors and the stats.
async function finish(done) {
  view.over = true;
  view.wallUs = done.wall_us;
  $("cancel").disabled = true;
  setStatus(view.id + " " + done.state + " in " + ms(done.wall_us));
  try {
    const run = await api("GET", "/api/runs/" + view.id);
    renderStatements(run.statements);
    renderStats(run);
  } catch (e) {
    setStatus("error: " + e.message);
  }
  listRuns();
}

// Plays `events` again at the pace they came.
function replayEvents(events, done) {
  view.replaying = true;
  const began = performance.now();
  let next = 0;
  const step = () => {
    const t = (performance.now() - began) * 1000;
    while (next < events.length && events[next].t_us <= t) apply(events[next++]);
    if (next < events.length) replayTimer = setTimeout(step, 16);
    else { view.replaying = false; finish(done); }
  };
  step();
}

function ms(us) { return us >= 10000 ? (us / 1000).toFixed(0) + " ms" : (us / 1000).toFixed(2) + " ms"; }

function renderStatements(statements) {
  const list = $("statements");
  list.textContent = "";
  for (const s of statements) {
    const li = document.createElement("li");
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = s.line + ": " + s.text;
    li.append(text);
    if (s.error) {
      const pre = document.createElement("pre");
      pre.className = "error";
      pre.textContent = s.error.report;
      li.append(pre);
    } else {
      const value = document.createElement("span");
      value.className = s.value === undefined ? "pending" : "value";
      value.textContent = s.value === undefined ? "  …" : "  = " + s.value;
      li.append(value);
    }
    list.append(li);
  }
}

function showValue(line, value) {
  const item = $("statements").children[line];
  const span = item && item.querySelector(".pending");
  if (span) { span.className = "value"; span.textContent = "  = " + value; }
}

function renderStats(run) {
  const box = $("stats");
  const s = run.stats;
  box.textContent = "";
  if (s) {
    const p = document.createElement("div");
    p.textContent = "wall " + ms(s.wall_us) + " · work " + ms(s.work_us) + " · span " + ms(s.span_us) +
      " · parallelism " + (s.parallelism || 0).toFixed(2) + " · " + s.computed + " of " + s.nodes +
      " nodes computed · " + s.workers + " workers";
    box.append(p);
  }
  const link = document.createElement("a");
  link.id = "trace";
  link.href = "/api/runs/" + run.id + "/trace?token=" + encodeURIComponent(token);
  link.download = "exprflow-" + run.id + "-trace.json";
  link.textContent = "Download the Chrome trace (open it in Perfetto)";
  box.append(link);
  box.hidden = false;
}

async function listRuns() {
  try {
    const data = await api("GET", "/api/runs");
    const list = $("runs");
    list.textContent = "";
    for (const r of data.runs) {
      const li = document.createElement("li");
      li.title = "replay " + r.id;
      const first = document.createElement("span");
      first.className = "first";
      first.textContent = r.id + "  " + r.first;
      const state = document.createElement("span");
      state.className = "state";
      state.textContent = r.state;
      li.append(first, state);
      li.onclick = () => show(r.id, r.state !== "running").catch((e) => setStatus("error: " + e.message));
      list.append(li);
    }
  } catch (e) {
    setStatus("error: " + e.message);
  }
}

// The canvas at the size it is shown, in device pixels.
function fit(canvas, height) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.height = height + "px";
    edgeImage = canvas.id === "dag" ? null : edgeImage;
  }
  const g = canvas.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { g, width, height };
}

function place(node, width, height) {
  const rows = Math.max(view.depth - 1, 1);
  const pad = 18;
  const y = view.depth === 1 ? height / 2 : pad + (node.layer * (height - 2 * pad)) / rows;
  const x = pad + ((node.x + 0.5) * (width - 2 * pad)) / view.width[node.layer];
  return [x, y];
}

function drawDag() {
  const canvas = $("dag");
  const n = view.graph.length;
  const height = n > MAX_DRAWN ? Math.min(Math.max(view.depth * 14, 120), 600) : Math.min(Math.max(view.depth * 60, 160), 560);
  const { g, width } = fit(canvas, height);
  g.clearRect(0, 0, width, height);
  for (const s of STATES) $("n-" + s).textContent = view.counts[s] || 0;
  const note = $("collapsed");
  note.hidden = n <= MAX_DRAWN;
  if (n > MAX_DRAWN) {
    note.textContent = n + " nodes: one row per layer, split by state";
    const rowH = height / Math.max(view.depth, 1);
    view.layerCounts.forEach((counts, layer) => {
      const total = STATES.reduce((a, s) => a + counts[s], 0) || 1;
      let x = 0;
      for (const s of STATES) {
        const w = (counts[s] / total) * width;
        g.fillStyle = COLOR[s];
        g.fillRect(x, layer * rowH, w, Math.max(rowH - 1, 1));
        x += w;
      }
    });
    return;
  }
  if (n === 0 || canvas.width === 0 || canvas.height === 0) return;
  if (!edgeImage) {
    edgeImage = document.createElement("canvas");
    edgeImage.width = canvas.width; edgeImage.height = canvas.height;
    const e = edgeImage.getContext("2d");
    e.setTransform(canvas.width / width, 0, 0, canvas.height / height, 0, 0);
    e.strokeStyle = "#c9ced6"; e.lineWidth = 1; e.beginPath();
    for (const node of view.graph) {
      const [x, y] = place(node, width, height);
      for (const i of node.inputs) {
        const [ix, iy] = place(view.graph[i], width, height);
        e.moveTo(ix, iy); e.lineTo(x, y);
      }
    }
    e.stroke();
  }
  g.drawImage(edgeImage, 0, 0, width, height);
  const widest = Math.max(...view.width, 1);
  const r = Math.max(2, Math.min(13, (width / widest) / 2.6, height / Math.max(view.depth, 1) / 3));
  g.font = "11px ui-monospace, monospace"; g.textAlign = "center"; g.textBaseline = "middle";
  for (let i = 0; i < n; i++) {
    const node = view.graph[i];
    const [x, y] = place(node, width, height);
    g.fillStyle = COLOR[view.state[i]];
    g.beginPath(); g.arc(x, y, r, 0, 2 * Math.PI); g.fill();
    if (r >= 9) {
      g.fillStyle = "#1d232b";
      const label = node.label === "const" ? node.text : node.label;
      g.fillText(label.length > 6 ? label.slice(0, 5) + "…" : label, x, y);
    }
  }
}

function drawTimeline() {
  const canvas = $("timeline");
  const workers = view.run ? view.run.workers : 1;
  const timerRows = Math.max(view.timerRows.length, 1);
  const height = (workers + timerRows) * LANE_H + AXIS_H;
  const { g, width } = fit(canvas, height);
  g.clearRect(0, 0, width, height);
  const now = view.over ? Math.max(view.wallUs, view.lastT) : view.lastT + (performance.now() - view.lastSeen) * 1000;
  const span = Math.max(now, 1000);
  const scale = (width - LABEL_W - 8) / span;
  $("clock").textContent = view.id ? ms(now) : "";
  g.font = "11px system-ui, sans-serif"; g.textBaseline = "middle"; g.fillStyle = "#4a5563";
  for (let w = 0; w < workers; w++) g.fillText("worker " + w, 4, w * LANE_H + LANE_H / 2);
  g.fillText("timer", 4, workers * LANE_H + (timerRows * LANE_H) / 2);
  g.strokeStyle = "#e3e6ea";
  for (let l = 0; l <= workers + timerRows; l++) {
    if (l > workers && l < workers + timerRows) continue;
    g.beginPath(); g.moveTo(LABEL_W, l * LANE_H + 0.5); g.lineTo(width, l * LANE_H + 0.5); g.stroke();
  }
  if (view.bars.length <= EXACT_BARS) {
    for (const bar of view.bars) {
      const lane = laneOf(bar, workers);
      if (lane >= workers + timerRows) continue;
      const end = bar.end === null ? now : bar.end;
      g.fillStyle = COLOR[bar.state];
      g.fillRect(LABEL_W + bar.start * scale, lane * LANE_H + 3, Math.max((end - bar.start) * scale - 1, 1.5), LANE_H - 6);
    }
  } else {
    drawBarsByPixel(g, workers + timerRows, now, scale, width - LABEL_W, workers);
  }
  g.fillStyle = "#6b7480";
  g.fillText("0", LABEL_W, height - AXIS_H / 2);
  g.textAlign = "right"; g.fillText(ms(span), width - 4, height - AXIS_H / 2); g.textAlign = "left";
}

// Past this many bars, the timeline is drawn by pixel column: each
// column of a lane takes the colour of the most pressing state among
// the bars over it (running, failed, cancelled, done), counted with one
// difference array per state, so a frame costs the bars plus the pixels
// however long the bars are.
const EXACT_BARS = 2000;
const PRESSING = ["running", "failed", "cancelled", "done"];

function laneOf(bar, workers) { return bar.lane === "timer" ? workers + bar.row : bar.lane; }

function drawBarsByPixel(g, lanes, now, scale, columns, workers) {
  const cols = Math.max(1, Math.floor(columns));
  const diff = PRESSING.map(() => new Int32Array(lanes * (cols + 1)));
  for (const bar of view.bars) {
    const lane = laneOf(bar, workers);
    if (lane >= lanes) continue;
    const end = bar.end === null ? now : bar.end;
    const a = Math.min(cols - 1, Math.max(0, Math.floor(bar.start * scale)));
    const b = Math.min(cols, Math.max(a + 1, Math.ceil(end * scale)));
    const d = diff[Math.max(PRESSING.indexOf(bar.state), 0)];
    d[lane * (cols + 1) + a]++;
    d[lane * (cols + 1) + b]--;
  }
  for (let lane = 0; lane < lanes; lane++) {
    const sums = PRESSING.map(() => 0);
    let runStart = 0, runColor = null;
    for (let x = 0; x <= cols; x++) {
      let color = null;
      if (x < cols) {
        for (let k = 0; k < PRESSING.length; k++) {
          sums[k] += diff[k][lane * (cols + 1) + x];
          if (color === null && sums[k] > 0) color = COLOR[PRESSING[k]];
        }
      }
      if (color !== runColor) {
        if (runColor !== null) { g.fillStyle = runColor; g.fillRect(LABEL_W + runStart, lane * LANE_H + 3, x - runStart, LANE_H - 6); }
        runStart = x; runColor = color;
      }
    }
  }
}

function frame() {
  try {
    if (dirtyDag) { dirtyDag = false; drawDag(); }
    drawTimeline();
  } finally {
    requestAnimationFrame(frame);
  }
}

$("run").onclick = startRun;
$("cancel").onclick = cancelRun;
$("program").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); startRun(); }
});
window.addEventListener("resize", () => { edgeImage = null; dirtyDag = true; });
$("cancel").disabled = true;
listRuns();
requestAnimationFrame(frame);
