// The chainkm dashboard: polls the JSON API (GET /api/state, GET /api/events?after=N) once a
// second and drives the controls (POST /api/...). Plain JavaScript, no build step. Rows are
// kept and updated in place, so a button never disappears under the pointer.
'use strict';

const POLL_MS = 1000;
const MAX_EVENT_ROWS = 2000;
let lastEvent = 0;
let gatewayIds = [];
const gatewayRows = new Map();
const deviceRows = new Map();

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c);
  return e;
}

function text(v) {
  return v === null || v === undefined ? '' : String(v);
}

async function api(method, path) {
  const r = await fetch(path, {method, headers: {'Accept': 'application/json'}, cache: 'no-store'});
  let body;
  try {
    body = await r.json();
  } catch (e) {
    body = {error: r.status + ' ' + r.statusText};
  }
  if (!r.ok) throw new Error(body.error || (r.status + ' ' + r.statusText));
  return body;
}

function notice(message, isError) {
  const n = document.getElementById('notice');
  n.textContent = message;
  n.className = isError ? 'error' : 'info';
}

// One control: the button is disabled while it runs; errors show in the notice bar (and, from the
// server, in the event log).
async function control(button, path, what) {
  if (button) {
    button.disabled = true;
    button.dataset.busy = 'true';
  }
  notice(what + '…', false);
  try {
    await api('POST', path);
    notice(what + ': done', false);
  } catch (e) {
    notice(e.message, true);
  } finally {
    if (button) {
      delete button.dataset.busy;
      button.disabled = false;
    }
    refreshSoon();
  }
}

function button(label, action, onClick) {
  const b = el('button', {type: 'button', textContent: label, 'data-action': action});
  b.addEventListener('click', () => onClick(b));
  return b;
}

// ------------------------------------------------------------------------------------ gateways

function gatewayRow(g) {
  let row = gatewayRows.get(g.id);
  if (row) return row;
  const cells = {};
  for (const k of ['id', 'name', 'state', 'height', 'members', 'sets', 'devices']) {
    cells[k] = el('td', {class: k});
  }
  const stop = button('stop', 'stop', b => control(b, '/api/gateways/' + g.id + '/stop', 'stop gateway ' + g.id));
  const start = button('start', 'start', b => control(b, '/api/gateways/' + g.id + '/start', 'start gateway ' + g.id));
  row = el('tr', {id: 'gateway-' + g.id, 'data-gateway': g.id},
    cells.id, cells.name, cells.state, cells.height, cells.members, cells.sets, cells.devices,
    el('td', {class: 'controls'}, stop, start));
  row.cells_ = cells;
  row.stop_ = stop;
  row.start_ = start;
  document.querySelector('#gateways tbody').append(row);
  gatewayRows.set(g.id, row);
  return row;
}

function renderGateways(gateways) {
  for (const g of gateways) {
    const row = gatewayRow(g);
    const state = g.up ? 'up' : (g.process === 'running' ? 'starting' : 'down');
    row.dataset.up = String(!!g.up);
    row.dataset.process = g.process;
    row.dataset.devices = (g.devices || []).join(' ');
    const c = row.cells_;
    c.id.textContent = g.id;
    c.name.textContent = text(g.name);
    c.state.textContent = state;
    c.state.title = g.up ? 'CometBFT peers: ' + text(g.cometbft && g.cometbft.peers) : text(g.error);
    c.height.textContent = g.up ? text(g.height) : '';
    c.members.textContent = g.up ? text(g.members) : '';
    c.sets.textContent = g.up ? text(g.sets) : '';
    c.devices.textContent = (g.devices || []).join(', ') + (g.up ? ' (gateway counts ' + text(g.attached_devices) + ')' : '');
    if (!row.stop_.dataset.busy) row.stop_.disabled = g.process !== 'running';
    if (!row.start_.dataset.busy) row.start_.disabled = g.process === 'running';
  }
  gatewayIds = gateways.map(g => g.id);
}

// ------------------------------------------------------------------------------------- devices

function deviceRow(d) {
  let row = deviceRows.get(d.name);
  if (row) return row;
  const cells = {};
  for (const k of ['name', 'node', 'set', 'gateway', 'attached', 'state', 'epoch', 'member']) {
    cells[k] = el('td', {class: k});
  }
  const enc = encodeURIComponent(d.name);
  const select = el('select', {class: 'move-to', title: 'gateway to move to'});
  const controls = el('td', {class: 'controls'},
    button('sleep', 'sleep', b => control(b, '/api/devices/' + enc + '/sleep', 'sleep ' + d.name)),
    button('wake', 'wake', b => control(b, '/api/devices/' + enc + '/wake', 'wake ' + d.name)),
    button('leave', 'leave', b => control(b, '/api/devices/' + enc + '/leave', 'leave ' + d.name)),
    button('evict', 'evict', b => control(b, '/api/devices/' + enc + '/evict', 'evict ' + d.name)),
    select,
    button('move', 'move', b => control(b, '/api/devices/' + enc + '/move?to=' + encodeURIComponent(select.value),
      'move ' + d.name + ' to gateway ' + select.value)));
  row = el('tr', {'data-device': d.name},
    cells.name, cells.node, cells.set, cells.gateway, cells.attached, cells.state, cells.epoch, cells.member, controls);
  row.cells_ = cells;
  row.select_ = select;
  row.controls_ = controls;
  document.querySelector('#devices tbody').append(row);
  deviceRows.set(d.name, row);
  return row;
}

function renderDevices(devices) {
  const seen = new Set();
  for (const d of devices) {
    seen.add(d.name);
    const row = deviceRow(d);
    row.dataset.state = text(d.state);
    row.dataset.attached = text(d.attached);
    row.dataset.node = text(d.node);
    row.dataset.member = text(d.member);
    const c = row.cells_;
    c.name.textContent = d.name;
    c.node.textContent = text(d.node);
    c.set.textContent = text(d.set);
    c.gateway.textContent = text(d.gateway);
    c.attached.textContent = d.attached === null || d.attached === undefined
      ? (d.joining_through ? 'joining through ' + d.joining_through : '') : 'gateway ' + d.attached;
    c.state.textContent = text(d.state);
    c.epoch.textContent = text(d.epoch);
    c.member.textContent = d.member === true ? 'yes' : d.member === false ? 'no' : '';
    row.controls_.hidden = d.state === 'JOINING' && d.node === null;
    const options = gatewayIds.map(String).join(',');
    if (row.select_.dataset.options !== options) {
      row.select_.replaceChildren(...gatewayIds.map(id => el('option', {value: id, textContent: 'to gateway ' + id})));
      row.select_.dataset.options = options;
    }
  }
  for (const [name, row] of deviceRows) {
    if (!seen.has(name)) {
      row.remove();
      deviceRows.delete(name);
    }
  }
  // keep devices in name order (sim2 before sim10)
  const tbody = document.querySelector('#devices tbody');
  const sorted = [...deviceRows.keys()].sort((a, b) => a.localeCompare(b, undefined, {numeric: true}));
  sorted.forEach((name, i) => {
    const row = deviceRows.get(name);
    if (tbody.children[i] !== row) tbody.insertBefore(row, tbody.children[i] || null);
  });
}

// A device's node id is known once its join is committed, at times after the ledger reported the
// join: name such events' devices as soon as the device list knows them.
function nameEventDevices(devices) {
  const names = new Map(devices.filter(d => d.node !== null && d.node !== undefined).map(d => [String(d.node), d.name]));
  for (const row of document.querySelectorAll('#events tr[data-device=""][data-node]:not([data-node=""])')) {
    const name = names.get(row.dataset.node);
    if (name) {
      row.dataset.device = name;
      row.querySelector('td.device').textContent = name;
    }
  }
}

// ---------------------------------------------------------------------------------------- sets

function renderSets(ledger) {
  const rows = (ledger.sets || []).map(s => el('tr', {'data-set': s.id, 'data-gateway': s.gateway},
    el('td', {textContent: s.id}),
    el('td', {textContent: s.gateway}),
    el('td', {textContent: s.members.map(m => m.device ? m.device + ' (' + m.node + ')' : String(m.node)).join(', ')})));
  document.querySelector('#sets tbody').replaceChildren(...rows);
  document.querySelector('#sets').dataset.height = text(ledger.height);
}

// ------------------------------------------------------------------------------- authorization

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'FETCH', 'PATCH', 'iPATCH'];

// An AIF scope [[path, mask], ...] as "/light GET,PUT; /temp GET".
function scopeText(scope) {
  return (scope || []).map(([path, mask]) =>
    path + ' ' + METHODS.filter((m, i) => (mask & (1 << i)) !== 0).join(',')).join('; ');
}

// A public key, id or cti by its first 8 hex digits (the gateways' logs name keys the same way).
function fingerprint(hex) {
  return hex ? hex.substring(0, 8) + '…' : '';
}

function renderPolicies(authz) {
  const rows = (authz.policies || []).map(p => el('tr', {'data-policy': p.id, 'data-device': p.device},
    el('td', {class: 'id', textContent: fingerprint(p.id), title: p.id}),
    el('td', {class: 'owner', textContent: fingerprint(p.owner), title: p.owner}),
    el('td', {class: 'device', textContent: p.device}),
    el('td', {class: 'scope', textContent: scopeText(p.scope)}),
    el('td', {class: 'max_lifetime', textContent: text(p.max_lifetime)}),
    el('td', {class: 'who', textContent: p.who === 'voucher' ? 'voucher holders'
      : (p.clients || []).map(fingerprint).join(', '), title: (p.clients || []).join('\n')})));
  document.querySelector('#policies tbody').replaceChildren(...rows);
}

function renderTokens(authz) {
  const rows = (authz.tokens || []).map(t => el('tr', {'data-cti': t.cti, 'data-state': t.state,
      'data-device': text(t.aud)},
    el('td', {class: 'cti', textContent: fingerprint(t.cti), title: t.cti}),
    el('td', {class: 'client', textContent: fingerprint(t.client), title: text(t.client)}),
    el('td', {class: 'device', textContent: text(t.aud)}),
    el('td', {class: 'scope', textContent: scopeText(t.scope)}),
    el('td', {class: 'iat', textContent: text(t.iat)}),
    el('td', {class: 'exp', textContent: text(t.exp)}),
    el('td', {class: 'state', textContent: t.state + (t.state === 'revoked' ? ' at ' + t.revoked_height : ''),
      title: 'live at heights below exp'})));
  document.querySelector('#tokens tbody').replaceChildren(...rows);
  document.querySelector('#tokens').dataset.height = text(authz.height);
}

// -------------------------------------------------------------------------------------- events

function renderEvents(answer) {
  const tbody = document.querySelector('#events tbody');
  if (answer.last < lastEvent) { // the dashboard restarted: its numbering did too
    tbody.replaceChildren();
    lastEvent = 0;
  }
  for (const e of answer.events) {
    if (e.seq <= lastEvent) continue;
    const time = new Date(e.time);
    const row = el('tr', {
      class: 'event' + (e.kind === 'error' ? ' error' : ''),
      'data-seq': e.seq, 'data-source': e.source, 'data-kind': e.kind,
      'data-device': text(e.device), 'data-node': text(e.node), 'data-gateway': text(e.gateway)},
    el('td', {textContent: e.seq}),
    el('td', {textContent: time.toLocaleTimeString(), title: e.time}),
    el('td', {textContent: e.source}),
    el('td', {class: 'kind', textContent: e.kind.replace(/_/g, ' ')}),
    el('td', {class: 'device', textContent: text(e.device)}),
    el('td', {textContent: text(e.gateway)}),
    el('td', {class: 'detail', textContent: text(e.detail)}));
    tbody.prepend(row);
  }
  while (tbody.children.length > MAX_EVENT_ROWS) tbody.lastElementChild.remove();
  lastEvent = answer.last;
}

// ---------------------------------------------------------------------------------------- loop

let timer = null;
let polling = false;
let again = false;

// One poll at a time: a refresh asked for during a poll runs right after it.
async function refresh() {
  if (polling) {
    again = true;
    return;
  }
  polling = true;
  clearTimeout(timer);
  try {
    const state = await api('GET', '/api/state');
    renderGateways(state.gateways);
    renderDevices(state.devices);
    renderSets(state.ledger);
    renderPolicies(state.authz || {});
    renderTokens(state.authz || {});
    renderEvents(await api('GET', '/api/events?after=' + lastEvent));
    nameEventDevices(state.devices);
    const conn = document.getElementById('conn');
    conn.dataset.ok = 'true';
    conn.textContent = 'live';
    document.getElementById('updated').textContent = state.updated
      ? 'updated ' + new Date(state.updated).toLocaleTimeString() : '';
  } catch (e) {
    const conn = document.getElementById('conn');
    conn.dataset.ok = 'false';
    conn.textContent = 'no answer from the testnet process: ' + e.message;
  } finally {
    polling = false;
    timer = setTimeout(refresh, again ? 0 : POLL_MS);
    again = false;
  }
}

function refreshSoon() {
  clearTimeout(timer);
  timer = setTimeout(refresh, 100);
}

document.getElementById('add-devices').addEventListener('click', ev => {
  const n = parseInt(document.getElementById('add-count').value, 10) || 1;
  control(ev.currentTarget, '/api/devices?count=' + n, 'add ' + n + (n === 1 ? ' device' : ' devices'));
});
document.getElementById('show-rekeys').addEventListener('change', ev => {
  document.getElementById('events').classList.toggle('hide-rekeys', !ev.currentTarget.checked);
});
refresh();
