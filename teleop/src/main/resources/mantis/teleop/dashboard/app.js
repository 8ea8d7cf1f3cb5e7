// Mantis teleop dashboard: polls /api/state, shows the live frame, drives the arm with jog commands.
// Plain JavaScript, no build step. Off loopback the page is reached through the login form (POST /login),
// which sets an HttpOnly session cookie; this script never sees the token.
'use strict';

const POLL_MS = 120;          // ~8 Hz state and frame updates
const CHART_MS = 500;         // charts redraw at 2 Hz
const JOG_RENEW_MS = 150;     // a held key or button renews its jog this often
const JOG_HOLD_MS = 350;      // each jog lasts this long unless renewed
const JOG_SPEED = 0.6;        // rad/s; the server clamps to the robot's limits
const KEYS = { q: [0, 1], a: [0, -1], w: [1, 1], s: [1, -1], e: [2, 1], d: [2, -1] };

const $ = (id) => document.getElementById(id);
// What the logged-in person may do, from the server (the token's role): watch and estop for every
// role; jog, mode, episode and record for operators; reset for admins. The server enforces it (403);
// the page only disables what would be refused.
const ROLE = document.body.dataset.role || '';
const MAY = new Set((document.body.dataset.may || '').split(' ').filter(Boolean));
const NEEDS = { jog: 'operator', mode: 'operator', episode: 'operator', record: 'operator', reset: 'admin' };
const may = (action) => MAY.has(action);
let jointCount = 0;
let lastState = null;
let charts = [];
let lastChartAt = 0;
let framePending = false;
const held = new Map();       // source ("key:q", "btn:0:+") -> [joint, sign]
let jogTimer = null;
let connected = false;        // the last poll reached the server
let estopPending = false;     // an e-stop was sent and no state read since shows its outcome
let estopAnsweredAt = -1;     // when the server answered it (performance.now()), or -1
let estopError = '';          // the last e-stop request failed: why
let estopArmError = false;    // ... because the arm did not confirm it (502/503): the server's latch is its own only

async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (method === 'POST') {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body || {});
  }
  const res = await fetch(path, opts);
  if (res.status === 401) {
    setConn('logged out', 'bad');
    if (document.body.dataset.login === 'true') {
      location.replace('/');  // the login has expired: the server answers / with the login page
    }
    throw new Error('unauthorized');
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const msg = data.error || (method + ' ' + path + ' failed: ' + res.status);
    $('message').textContent = msg;
    const err = new Error(msg);
    err.status = res.status;
    throw err;
  }
  return data;
}

function setConn(text, cls) {
  const c = $('conn');
  c.textContent = text;
  c.className = 'badge ' + (cls || '');
}

function fmt(x, digits) {
  return (x === null || x === undefined || Number.isNaN(x)) ? '–' : Number(x).toFixed(digits);
}

function buildJoints(names) {
  jointCount = names.length;
  const body = $('joint-rows');
  body.innerHTML = '';
  names.forEach((name, i) => {
    const tr = document.createElement('tr');
    tr.innerHTML = '<td>' + name + '</td><td id="joint-pos-' + i + '" data-rad="">–</td>'
      + '<td><button type="button" class="jog" id="jog-' + i + '-minus">−</button> '
      + '<button type="button" class="jog" id="jog-' + i + '-plus">+</button></td>';
    body.appendChild(tr);
    [['minus', -1], ['plus', 1]].forEach(([suffix, sign]) => {
      const b = $('jog-' + i + '-' + suffix);
      lockUnless(b, 'jog');
      const source = 'btn:' + i + ':' + suffix;
      b.addEventListener('pointerdown', (ev) => { ev.preventDefault(); startJog(source, i, sign); });
      ['pointerup', 'pointerleave', 'pointercancel'].forEach((t) => b.addEventListener(t, () => stopJog(source)));
    });
  });
  buildCharts(names);
}

function buildCharts(names) {
  const box = $('charts');
  box.innerHTML = '';
  charts.forEach((c) => c.destroy());
  charts = [];
  if (typeof Chart === 'undefined') {
    box.textContent = 'Chart.js did not load';
    return;
  }
  names.forEach((name, i) => {
    const div = document.createElement('div');
    div.className = 'chart-box';
    const canvas = document.createElement('canvas');
    canvas.id = 'chart-' + i;
    div.appendChild(canvas);
    box.appendChild(div);
    charts.push(new Chart(canvas, {
      type: 'line',
      data: { labels: [], datasets: [
        { label: 'teleop', data: [], borderColor: '#1565c0', pointRadius: 0, borderWidth: 2 },
        { label: 'policy', data: [], borderColor: '#ef6c00', pointRadius: 0, borderWidth: 2 },
        { label: 'executed', data: [], borderColor: '#9e9e9e', pointRadius: 0, borderWidth: 1, borderDash: [4, 3] },
      ] },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: { title: { display: true, text: name + ' command (rad)' } },
        scales: { x: { title: { display: true, text: 't (s)' } } },
      },
    }));
  });
}

function updateCharts(history) {
  charts.forEach((chart, j) => {
    chart.data.labels = history.map((h) => (h.tMillis / 1000).toFixed(1));
    chart.data.datasets[0].data = history.map((h) => h.teleopRad[j]);
    chart.data.datasets[1].data = history.map((h) => h.policyRad[j]);
    chart.data.datasets[2].data = history.map((h) => h.executedRad[j]);
    chart.update('none');
  });
}

function showAgreement(prefix, a) {
  $(prefix + '-samples').textContent = a ? a.samples : '–';
  $(prefix + '-mae').textContent = a && a.perJointMaeRad.length
    ? a.perJointMaeRad.map((x) => fmt(x, 3)).join(' / ') : '–';
  $(prefix + '-dir').textContent = a ? fmt(a.directionAgreementPct, 1) : '–';
  $(prefix + '-mark').textContent = a ? fmt(a.groundedMarkAgreementPct, 1) : '–';
}

function showState(s, polledAt) {
  if (s.jointNames.length !== jointCount) {
    buildJoints(s.jointNames);
  }
  if (lastState === null) {  // the form starts from the running episode
    $('family').value = s.family.toLowerCase();
    $('seed').value = s.seed;
  }
  lastState = s;
  $('instruction').textContent = s.instruction;
  $('episode').textContent = s.family + ' seed ' + s.seed + ' · ' + (s.episodeMillis / 1000).toFixed(1) + ' s'
    + (s.episodeDone ? (s.episodeSuccess ? ' · success' : ' · done') : '');
  $('tokens').textContent = s.latentTokens.length ? s.latentTokens.join(' ') : '–';
  $('grounded').textContent = s.groundedMarkId >= 0 ? '#' + s.groundedMarkId : '–';
  $('latency').textContent = Object.keys(s.stageMillis).sort()
    .map((k) => k + ' ' + fmt(s.stageMillis[k], 1) + ' ms').join(' · ') || '–';
  $('interventions').textContent = s.interventions;
  const mode = $('mode');
  mode.textContent = 'mode ' + s.mode;
  mode.dataset.mode = s.mode;
  mode.className = 'badge ' + (s.mode === 'POLICY' ? 'warn' : 'ok');
  const es = $('estop-state');
  es.textContent = s.estopped ? 'E-STOPPED' : (s.holding ? 'holding' : 'running');
  es.dataset.estopped = String(s.estopped);
  es.className = 'badge ' + (s.estopped ? 'bad' : 'ok');
  $('estop').classList.toggle('latched', s.estopped);
  $('estop').textContent = s.estopped ? 'E-STOPPED (latched)' : 'E-STOP';
  if (s.estopped || (estopAnsweredAt >= 0 && polledAt > estopAnsweredAt)) {
    estopPending = false;  // a state read after the server's answer shows the outcome
    estopAnsweredAt = -1;
  }
  if (s.estopped && !estopArmError) {
    estopError = '';  // the request failed on the way, but the server did latch it
  }
  showEstopBanner();
  $('rec-state').textContent = s.recording ? '● recording ' + s.recordingName : '';
  s.jointPositionsRad.forEach((x, i) => {
    const td = $('joint-pos-' + i);
    if (td) {
      td.textContent = fmt(x, 3);
      td.dataset.rad = String(x);
    }
  });
  showAgreement('agree-episode', s.episodeAgreement);
  showAgreement('agree-rolling', s.rollingAgreement);
  const now = performance.now();
  if (now - lastChartAt > CHART_MS) {
    lastChartAt = now;
    updateCharts(s.history);
  }
  refreshFrame(s.frameSeq);
}

function refreshFrame(seq) {
  const img = $('frame');
  if (framePending || String(seq) === img.dataset.seq) {
    return;
  }
  framePending = true;
  const probe = new Image();
  probe.onload = () => {
    img.src = probe.src;
    img.dataset.seq = String(seq);
    framePending = false;
  };
  probe.onerror = () => { framePending = false; };
  probe.src = '/api/frame.png?seq=' + seq;
}

// The e-stop banner shows what the server says (its latched e-stop), and loudly what the page does not
// know: an e-stop sent and not yet answered, one that failed, or no connection at all.
function showEstopBanner() {
  const estopped = connected && lastState !== null && lastState.estopped;
  let state = 'clear';
  let text = '';
  if (estopError) {
    // Before the latch: the dashboard latches its own session even when the arm did not answer (a bridged
    // arm's ArmService down: 502/503), so the server's state says e-stopped while the arm was never told.
    state = 'failed';
    text = 'E-STOP NOT CONFIRMED (' + estopError + '): use the arm\'s own e-stop.';
  } else if (estopped) {
    state = 'latched';
    text = 'E-STOPPED: latched on the server; the arm holds and takes no commands until you reset it.';
  } else if (estopPending) {
    state = 'pending';
    text = 'E-STOP sent, waiting for the server…';
  } else if (!connected && lastState !== null) {
    state = 'unknown';
    text = 'NO CONNECTION to the dashboard server: the arm\'s state is unknown.';
  }
  const banner = $('estop-banner');
  banner.dataset.state = state;
  banner.hidden = state === 'clear';
  if (state === 'latched' && !may('reset')) {
    text = 'E-STOPPED: latched on the server; the arm holds and takes no commands until an admin resets it.';
  }
  $('estop-banner-text').textContent = text;
  $('banner-reset').hidden = state !== 'latched' || !may('reset');
  document.body.classList.toggle('estopped', estopped);
  document.title = (estopped ? 'E-STOPPED · ' : '') + 'Mantis teleop dashboard';
}

async function poll() {
  try {
    const polledAt = performance.now();
    const s = await api('GET', '/api/state');
    connected = true;
    showState(s, polledAt);
    setConn('live', 'ok');
  } catch (e) {
    connected = false;
    showEstopBanner();
    if (e.message !== 'unauthorized') {
      setConn('disconnected', 'bad');
    }
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

// --- jogging: every held key/button contributes to one velocity vector, renewed while held ---

function jogVector() {
  const v = new Array(jointCount).fill(0);
  held.forEach(([joint, sign]) => { if (joint < jointCount) v[joint] += sign * JOG_SPEED; });
  return v;
}

function sendJog(holdMs) {
  if (jointCount === 0) {
    return;
  }
  api('POST', '/api/jog', { velocities: jogVector(), hold_ms: holdMs }).catch(() => {});
}

function startJog(source, joint, sign) {
  if (held.has(source) || !may('jog')) {
    return;
  }
  held.set(source, [joint, sign]);
  sendJog(JOG_HOLD_MS);
  if (!jogTimer) {
    jogTimer = setInterval(() => sendJog(JOG_HOLD_MS), JOG_RENEW_MS);
  }
}

function stopJog(source) {
  if (!held.delete(source)) {
    return;
  }
  if (held.size === 0) {
    clearInterval(jogTimer);
    jogTimer = null;
    sendJog(1);  // zero velocity: stop now
  } else {
    sendJog(JOG_HOLD_MS);
  }
}

function isTyping(ev) {
  const t = ev.target;
  return t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA');
}

// The e-stop keys. Space and Escape latch the e-stop wherever the focus is on this page: the listener
// runs in the capture phase on window, before any element (the seed box, the family list, a button)
// sees the key, and keeps the key from that element. So Space never types into the seed box nor picks in
// the family list, and Space on a focused button (Reset included) never presses it: an e-stop key
// that sometimes did something else, or nothing, would be worse than one that cannot type a space.
function isEstopKey(ev) {
  return ev.key === ' ' || ev.code === 'Space' || ev.key === 'Escape' || ev.key === 'Esc';
}

window.addEventListener('keydown', (ev) => {
  if (!isEstopKey(ev)) {
    return;
  }
  ev.preventDefault();
  ev.stopPropagation();
  if (!ev.repeat) {  // a held key repeats: one request is enough
    estop(ev.key === ' ' || ev.code === 'Space' ? 'dashboard e-stop key (Space)' : 'dashboard e-stop key (Escape)');
  }
}, { capture: true });
window.addEventListener('keyup', (ev) => {
  if (isEstopKey(ev)) {  // a button is pressed by Space on key up: not here
    ev.preventDefault();
    ev.stopPropagation();
  }
}, { capture: true });
window.addEventListener('keypress', (ev) => {
  if (isEstopKey(ev)) {
    ev.preventDefault();
    ev.stopPropagation();
  }
}, { capture: true });

document.addEventListener('keydown', (ev) => {
  if (isTyping(ev) || ev.defaultPrevented) {
    return;
  }
  const k = KEYS[ev.key.toLowerCase()];
  if (k) {
    ev.preventDefault();
    startJog('key:' + ev.key.toLowerCase(), k[0], k[1]);
  }
});
document.addEventListener('keyup', (ev) => stopJog('key:' + ev.key.toLowerCase()));
window.addEventListener('blur', () => Array.from(held.keys()).forEach(stopJog));

// --- buttons ---

function estop(reason) {
  held.clear();
  clearInterval(jogTimer);
  jogTimer = null;
  estopPending = true;
  estopAnsweredAt = -1;
  estopError = '';
  estopArmError = false;
  showEstopBanner();
  api('POST', '/api/estop', { reason: reason || 'dashboard e-stop button' })
    .then(() => { estopAnsweredAt = performance.now(); })
    .catch((e) => {
      estopPending = false;
      estopError = e.message;
      estopArmError = e.status === 502 || e.status === 503;
      showEstopBanner();
    });
}

function reset() {
  api('POST', '/api/reset').then(() => { estopError = ''; estopArmError = false; }).catch(() => {});
}

async function refreshRecordings() {
  try {
    const list = await api('GET', '/api/recordings');
    const ul = $('recordings');
    ul.innerHTML = '';
    list.forEach((r) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = '/api/recordings/' + encodeURIComponent(r.name) + '.zip';
      a.id = 'rec-link-' + r.name;
      a.textContent = r.name;
      li.appendChild(a);
      li.appendChild(document.createTextNode(' · ' + r.steps + ' steps · ' + (r.success ? 'success' : 'no success')
        + ' · ' + Math.round(r.bytes / 1024) + ' KiB · ' + r.instruction));
      ul.appendChild(li);
    });
  } catch (e) { /* shown by api() */ }
}

// Controls the role cannot use are disabled, with the role they need in their tooltip.
function lockUnless(el, action) {
  if (el && !may(action)) {
    el.disabled = true;
    el.classList.add('not-allowed');
    el.title = 'needs role ' + NEEDS[action] + ' (you have role ' + ROLE + ')';
  }
}

function applyRole() {
  [['to-policy', 'mode'], ['take-over', 'mode'], ['family', 'episode'], ['seed', 'episode'],
    ['new-episode', 'episode'], ['rec-start', 'record'], ['rec-stop', 'record'], ['reset', 'reset'],
    ['banner-reset', 'reset']].forEach(([id, action]) => lockUnless($(id), action));
  const cannot = Object.keys(NEEDS).filter((a) => !may(a));
  const note = $('role-note');
  if (cannot.length) {
    const names = { jog: 'jogging', mode: 'handing over', episode: 'new episodes', record: 'recording', reset: 'reset' };
    const byRole = {};
    cannot.forEach((a) => { (byRole[NEEDS[a]] = byRole[NEEDS[a]] || []).push(names[a]); });
    const needs = Object.keys(byRole).map((r) => byRole[r].join(', ') + (byRole[r].length === 1 ? ' needs ' : ' need ')
      + r).join('; ');
    note.textContent = 'Role ' + ROLE + ': you can watch and press E-STOP (Space/Esc). '
      + needs.charAt(0).toUpperCase() + needs.slice(1) + '.';
    note.hidden = false;
  }
}

applyRole();
$('estop').addEventListener('click', () => estop('dashboard e-stop button'));
$('reset').addEventListener('click', reset);
$('banner-reset').addEventListener('click', reset);
$('logout-form').hidden = document.body.dataset.login !== 'true';
$('to-policy').addEventListener('click', () => api('POST', '/api/mode', { mode: 'POLICY' }).catch(() => {}));
$('take-over').addEventListener('click', () => api('POST', '/api/mode', { mode: 'TELEOP' }).catch(() => {}));
$('episode-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  api('POST', '/api/episode', { family: $('family').value, seed: Number($('seed').value) })
    .then(() => { $('message').textContent = ''; }).catch(() => {});
});
$('rec-start').addEventListener('click', () => api('POST', '/api/recordings/start').catch(() => {}));
$('rec-stop').addEventListener('click', () => api('POST', '/api/recordings/stop').then(refreshRecordings).catch(() => {}));

poll();
refreshRecordings();
setInterval(refreshRecordings, 3000);
