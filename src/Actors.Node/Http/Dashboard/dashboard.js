// The Actors dashboard: polls GET /v1/status, streams GET /v1/logs as Server-Sent Events, and sends
// start/stop/restart with the bearer token the operator types in (kept for this tab only).
"use strict";

const POLL_MS = 1000;
const MAX_LOG_LINES = 2000;
const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
};

const open = new Set();          // processes whose trail is shown
let lastStatusAt = 0;            // performance.now() of the last status, for the countdowns
let processes = [];

function duration(s) {
  if (s === null || s === undefined) return "–";
  s = Math.max(0, s);
  if (s < 60) return s < 10 ? s.toFixed(1) + "s" : Math.floor(s) + "s";
  const m = Math.floor(s / 60), h = Math.floor(m / 60), d = Math.floor(h / 24);
  if (d > 0) return d + "d" + (h % 24) + "h";
  if (h > 0) return h + "h" + (m % 60) + "m";
  return m + "m" + Math.floor(s % 60) + "s";
}

function lastExit(e) {
  if (!e) return "–";
  return e.signal ? e.signal : "code " + e.code;
}

function showMessage(text, bad) {
  const m = el("span", "msg" + (bad ? " bad" : ""), text);
  $("messages").prepend(m);
  while ($("messages").childElementCount > 4) $("messages").lastChild.remove();
  setTimeout(() => m.remove(), 15000);
}

function renderNode(node) {
  $("node-version").textContent = node.version;
  $("node-uptime").textContent = duration(node["uptime-s"]);
  $("node-pid").textContent = node.pid;
  $("node-config").textContent = node.config ?? "(built-in demo)";
  $("node-lock").textContent = node.lock ? `${node.lock.path} (${node.lock.holder ?? "held"}, heartbeat ${duration(node.lock["heartbeat-age-s"])} ago)` : "–";
}

// Rows are kept per process and updated in place, so a button keeps its place (and focus) between polls.
const rows = new Map();
const COLUMNS = ["process", "state", "pid", "uptime", "restarts", "last exit", "reason", "probes"];

function createRow(name) {
  const tr = el("tr", "process");
  tr.dataset.process = name;
  const cells = {};
  for (const label of COLUMNS) {
    const td = el("td", "col-" + label.replace(" ", "-"));
    td.dataset.label = label;
    cells[label] = td;
    tr.append(td);
  }
  const actions = el("td", "actions");
  for (const action of ["start", "stop", "restart"]) {
    const b = el("button", null, action);
    b.dataset.action = action;
    b.addEventListener("click", () => command(action, name, b));
    actions.append(b);
  }
  tr.append(actions);
  tr.addEventListener("click", (ev) => {
    if (ev.target.closest("button")) return;
    if (open.has(name)) open.delete(name); else open.add(name);
    renderTable();
  });
  const trail = el("tr", "trail");
  trail.dataset.trailOf = name;
  const td = el("td");
  td.colSpan = COLUMNS.length + 1;
  trail.append(td);
  return { tr, cells, trail, key: {} };
}

// Replaces a cell's content only when what it shows changed.
function put(td, key, make) {
  if (td.dataset.key === key) return;
  td.dataset.key = key;
  const content = make();
  if (content instanceof Node) td.replaceChildren(content); else td.textContent = content;
}

function updateRow(row, p, elapsed) {
  const c = row.cells;
  put(c["process"], p.name + "\u0000" + (p.description ?? ""), () => {
    const name = el("span", "name", p.name);
    if (p.description) name.title = p.description;
    return name;
  });
  const left = p.state === "backing-off" && p["next-start-in-s"] !== null ? "next start in " + duration(p["next-start-in-s"] - elapsed) : "";
  put(c["state"], p.state + left, () => {
    const f = document.createDocumentFragment();
    f.append(el("span", "state " + p.state, p.state));
    if (left) f.append(el("span", "left", left));
    return f;
  });
  put(c["pid"], String(p.pid), () => p.pid ?? "–");
  const uptime = p["uptime-s"] === null ? "–" : duration(p["uptime-s"] + elapsed);
  put(c["uptime"], uptime, () => uptime);
  put(c["restarts"], String(p.restarts), () => p.restarts);
  const exit = lastExit(p["last-exit"]);
  put(c["last exit"], exit, () => exit);
  const reason = p.reason + (p["log-error"] ? " — log: " + p["log-error"] : "");
  put(c["reason"], reason, () => reason);
  put(c["probes"], JSON.stringify(p.probes), () => {
    if (!p.probes.length) return "–";
    const probes = el("span");
    for (const probe of p.probes) {
      const s = el("span", "probe " + (probe.passing === true ? "pass" : probe.passing === false ? "fail" : "unknown"), probe.role);
      s.title = `${probe.type}: ${probe["last-check"] ?? "not checked yet"}`;
      probes.append(s);
    }
    return probes;
  });
  put(row.trail.firstChild, JSON.stringify(p.trail), () => {
    const f = document.createDocumentFragment();
    const ol = el("ol");
    for (const t of p.trail.slice().reverse()) {
      const li = el("li");
      li.append(el("time", null, new Date(t.at).toLocaleString()), el("span", "state " + t.state, t.state), document.createTextNode(" " + t.reason));
      ol.append(li);
    }
    f.append(el("strong", null, "transitions of " + p.name + " (newest first)"), ol);
    return f;
  });
}

function renderTable() {
  const elapsed = (performance.now() - lastStatusAt) / 1000;
  const tbody = document.querySelector("#processes tbody");
  const names = new Set(processes.map((p) => p.name));
  for (const [name, row] of rows) {
    if (!names.has(name)) { row.tr.remove(); row.trail.remove(); rows.delete(name); }
  }
  let previous = null;
  for (const p of processes) {
    let row = rows.get(p.name);
    if (!row) rows.set(p.name, row = createRow(p.name));
    updateRow(row, p, elapsed);
    // Declaration order; a node is only moved when it is out of place.
    const after = previous ? previous.nextSibling : tbody.firstChild;
    if (after !== row.tr) tbody.insertBefore(row.tr, after);
    previous = row.tr;
    if (open.has(p.name)) {
      if (row.tr.nextSibling !== row.trail) tbody.insertBefore(row.trail, row.tr.nextSibling);
      previous = row.trail;
    } else {
      row.trail.remove();
    }
  }
}

async function poll() {
  try {
    const r = await fetch("v1/status", { cache: "no-store" });
    if (!r.ok) throw new Error((await r.json()).error);
    const status = await r.json();
    lastStatusAt = performance.now();
    processes = status.processes;
    renderNode(status.node);
    renderTable();
    $("connection").textContent = "connected";
    $("connection").className = "conn ok";
  } catch (e) {
    $("connection").textContent = "node not reachable: " + e.message;
    $("connection").className = "conn down";
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

// The token: asked for when an action needs it, kept in sessionStorage (this tab only), asked again after a 401.
function askToken(why) {
  return new Promise((resolve) => {
    const dialog = $("token-dialog");
    $("token-why").textContent = why;
    $("token-input").value = "";
    dialog.onclose = () => resolve(dialog.returnValue === "ok" ? $("token-input").value.trim() : null);
    dialog.showModal();
  });
}

async function command(action, name, button) {
  let token = sessionStorage.getItem("actors-token");
  if (!token) {
    token = await askToken(`"${action} ${name}" needs the node's token (the first line of actors.node.http.token-file).`);
    if (!token) return;
  }
  button.disabled = true;
  showMessage(`${action} ${name}…`);
  try {
    const r = await fetch("v1/" + action, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token },
      body: JSON.stringify({ names: [name] }),
    });
    const answer = await r.json();
    if (r.status === 401) {
      sessionStorage.removeItem("actors-token");
      showMessage(answer.error, true);
      return;
    }
    if (!r.ok) {
      showMessage(answer.error, true);
      return;
    }
    sessionStorage.setItem("actors-token", token);
    for (const result of answer.results) showMessage(`${result.name}: ${result.message}`, !result.ok);
  } catch (e) {
    showMessage(`${action} ${name}: ${e.message}`, true);
  } finally {
    button.disabled = false;
  }
}

// Logs: one EventSource over every process; the first event names the processes (and means the backlog
// follows, so a reconnect starts the view afresh).
function lineMatches(div, filter) {
  return !filter || div.dataset.name.toLowerCase().includes(filter) || div.dataset.text.toLowerCase().includes(filter);
}

function streamLogs() {
  const log = $("log");
  const source = new EventSource("v1/logs?all=true&n=200&follow=true");
  source.onopen = () => { $("log-state").textContent = "streaming"; };
  source.onerror = () => { $("log-state").textContent = "reconnecting…"; };
  source.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    if (m.processes) { log.replaceChildren(); return; }
    const div = el("div", "line" + (m.dropped ? " dropped" : ""));
    div.dataset.name = m.name;
    div.dataset.text = m.dropped ? "" : m.line;
    if (m.dropped) {
      div.textContent = `${m.name}: ${m.dropped} line(s) skipped (the dashboard fell behind)`;
    } else {
      div.append(el("span", "at", new Date(m.at).toLocaleTimeString()), el("span", "name", m.name), document.createTextNode(m.line));
    }
    div.hidden = !lineMatches(div, $("log-filter").value.trim().toLowerCase());
    log.append(div);
    while (log.childElementCount > MAX_LOG_LINES) log.firstChild.remove();
    if ($("log-follow").checked) log.scrollTop = log.scrollHeight;
  };
}

$("log-filter").addEventListener("input", () => {
  const filter = $("log-filter").value.trim().toLowerCase();
  for (const div of $("log").children) div.hidden = !lineMatches(div, filter);
});
$("log").addEventListener("scroll", () => {
  const log = $("log");
  // Scrolling up stops following; scrolling back to the bottom resumes it, as in a terminal.
  $("log-follow").checked = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
});
setInterval(() => { if (processes.length) renderTable(); }, 1000);
poll();
streamLogs();
