// ApManager dashboard: plain modern JavaScript loaded as a native ES module (index.html,
// type="module"), no build step, nothing from the network.
// It talks only to the documented /api endpoints and follows changes through /api/events (SSE).

import { Unauthenticated, onUnauthenticated, api, ignoreAuth } from './api.js';
import { findAuditEnd, loadAuditTail, fetchAuditSince, renderAudit, toggleAuditRow } from './audit.js';
import { firstCellKey } from './cells.js';
import { onConfigureAdapter } from './details.js';
import { renderMdevs, readConfig, clearDrafts } from './devices.js';
import { $ } from './dom.js';
import { hex2, hex4, apqnOf, sortNum } from './format.js';
import { wireGrid, renderGrid } from './grid.js';
import { currentAttr, setAttr, cancelPreview, schedulePreview, toggleMaskTerm } from './masks.js';
import { handleResult } from './outcome.js';
import { scheduleRefresh, refreshAll } from './refresh.js';
import { state, mdevName, mdevByUuid } from './state.js';
import { toast } from './toast.js';
import { renderAll, selectTab } from './view.js';

const CREDENTIAL_KEY = 'apmanager.credential';
const EVENT_TYPES = ['bus-changed', 'queues-rebound', 'mdev-changed', 'guest-matrix-changed', 'adapter-changed', 'change-refused'];

// ---------------------------------------------------------------- events (SSE)
let reconnectTimer = null;
let reconnectDelay = 1000;

function setLive(kind, extra) {
  state.live = kind;
  const s = $('live-status');
  const map = { live: ['●', 'Live'], connecting: ['◌', 'Connecting…'], reconnecting: ['◌', 'Reconnecting…'], offline: ['○', 'Offline'] };
  const [sym, text] = map[kind];
  s.dataset.state = kind;
  s.querySelector('.live-sym').textContent = sym;
  s.querySelector('.live-text').textContent = extra ? `${text} · ${extra}` : text;
  s.title = kind === 'live' ? 'Following changes through /api/events' : 'Not receiving live changes';
}

function connectEvents() {
  closeEvents();
  clearTimeout(reconnectTimer);
  const url = `/api/events?access_token=${encodeURIComponent(state.cred)}&after=${state.lastEventSeq}`;
  const es = new EventSource(url);
  state.es = es;
  setLive(state.needResync ? 'reconnecting' : 'connecting');
  es.onopen = () => {
    reconnectDelay = 1000;
    setLive('live', state.lastEvent);
    if (state.needResync) {
      state.needResync = false;
      refreshAll().catch(ignoreAuth);
      fetchAuditSince();
    }
  };
  for (const type of EVENT_TYPES) es.addEventListener(type, onEvent);
  es.onerror = () => {
    if (state.es !== es) return;
    state.needResync = true;
    if (es.readyState === EventSource.CLOSED) {
      setLive('offline');
      scheduleReconnect();
    } else {
      setLive('reconnecting');
    }
  };
}

function closeEvents() {
  if (state.es) { state.es.close(); state.es = null; }
}

function scheduleReconnect() {
  clearTimeout(reconnectTimer);
  const delay = reconnectDelay;
  reconnectDelay = Math.min(reconnectDelay * 2, 15000);
  reconnectTimer = setTimeout(async () => {
    if (!state.cred) return;
    try {
      const r = await api('GET', '/api/bus');
      if (!r.ok) { scheduleReconnect(); return; }
    } catch (e) { if (e instanceof Unauthenticated) return; }
    connectEvents();
  }, delay);
}

function onEvent(ev) {
  const seq = Number(ev.lastEventId);
  if (Number.isFinite(seq) && seq > state.lastEventSeq) state.lastEventSeq = seq;
  let data = null;
  try { data = JSON.parse(ev.data); } catch { data = null; }
  if (state.lastEventGroup && state.lastEventGroup.id === ev.lastEventId) state.lastEventGroup.types.push(ev.type);
  else state.lastEventGroup = { id: ev.lastEventId, types: [ev.type], actor: data && data.actor };
  const g = state.lastEventGroup;
  state.lastEvent = `#${g.id} ${g.types.join(', ')}${g.actor ? ` by ${g.actor}` : ''}`;
  setLive('live', state.lastEvent);
  if (ev.type !== 'change-refused') scheduleRefresh();
  fetchAuditSince();
}

// ---------------------------------------------------------------- sign-in
function showSignIn(message) {
  $('app').hidden = true;
  $('sign-out').hidden = true;
  $('who').textContent = '';
  $('host-info').textContent = '';
  $('signin').hidden = false;
  $('signin-error').textContent = message || '';
  setTimeout(() => $('credential').focus(), 0);
}

function signedOut(message) {
  closeEvents();
  clearTimeout(reconnectTimer);
  state.cred = null;
  sessionStorage.removeItem(CREDENTIAL_KEY);
  setLive('offline');
  showSignIn(message);
}

function describeCredential(cred) {
  const parts = cred.split('.');
  if (parts.length === 3) {
    try {
      const json = JSON.parse(atob(parts[1].replace(/-/g, '+').replace(/_/g, '/')));
      const roles = [].concat(json.roles || json.role || []).join(', ');
      return `${json.sub || json.name || 'token'}${roles ? ` (${roles})` : ''}`;
    } catch { return 'bearer token'; }
  }
  return 'API key';
}

async function signIn(cred) {
  state.cred = cred;
  let r;
  try { r = await api('GET', '/api/bus'); } catch { return; }
  if (!r.ok) {
    state.cred = null;
    showSignIn((r.data && (r.data.detail || r.data.title)) || `Sign-in failed (HTTP ${r.status}).`);
    return;
  }
  sessionStorage.setItem(CREDENTIAL_KEY, cred);
  $('signin').hidden = true;
  $('app').hidden = false;
  $('sign-out').hidden = false;
  $('who').textContent = describeCredential(cred);
  $('credential').value = '';
  try {
    const end = await findAuditEnd();
    state.lastEventSeq = end;
    state.audit = [];
    state.auditMax = 0;
    await loadAuditTail(end);
    state.auditMax = Math.max(state.auditMax, end);
    connectEvents();
    await refreshAll();
    if (!state.focusKey) state.focusKey = firstCellKey();
    renderGrid();
  } catch (e) { ignoreAuth(e); }
}

// ---------------------------------------------------------------- details

async function setConfigured(adapter, configured) {
  try {
    const r = await api('PUT', `/api/adapters/${adapter.id}/configured`, { body: { configured }, ifMatch: adapter.version });
    await handleResult(r, {
      area: 'details-problem', source: null, what: `${configured ? 'Configure' : 'Deconfigure'} adapter ${hex2(adapter.id)}`,
      ok: (d) => `Adapter ${hex2(adapter.id)} ${configured ? 'configured' : 'deconfigured'}${d.rebound && d.rebound.length ? `, ${d.rebound.length} queues rebound` : ''}.`,
    });
  } catch (e) { ignoreAuth(e); }
}

// ---------------------------------------------------------------- mask editor

async function applyMask(ev) {
  ev.preventDefault();
  const input = $('mask-input').value;
  const attr = currentAttr();
  if (input === '' || !state.bus) return;
  $('mask-apply').disabled = true;
  cancelPreview();
  try {
    const r = await api('PUT', `/api/bus/${attr}`, { body: { mask: input }, ifMatch: state.bus.version });
    if (r.ok) {
      $('mask-input').value = '';
      state.hl.mask = null; state.maskPreview = null;
      $('mask-preview').replaceChildren();
      $('mask-preview').dataset.state = 'empty';
    }
    await handleResult(r, {
      area: 'mask-preview', source: 'mask', what: `Write ${attr} ${JSON.stringify(input)}`,
      ok: (d) => `${attr} written (bus v${d.version})${d.rebound && d.rebound.length ? `: ${d.rebound.length} queue${d.rebound.length === 1 ? '' : 's'} rebound` : ''}.`,
    });
  } catch (e) { ignoreAuth(e); }
}

// ---------------------------------------------------------------- matrix devices

async function mdevAction(action, u) {
  const m = mdevByUuid(u);
  if (!m) return;
  const name = mdevName(m);
  try {
    switch (action) {
      case 'select':
        state.selectedMdev = state.selectedMdev === u ? null : u;
        renderAll();
        break;
      case 'config':
        if (state.openConfig.has(u)) state.openConfig.delete(u); else state.openConfig.add(u);
        renderMdevs();
        if (state.openConfig.has(u)) $(`mdev-${u}-cfg-adapters`).focus();
        break;
      case 'config-cancel':
        state.openConfig.delete(u); clearDrafts(u); renderMdevs();
        break;
      case 'config-preview':
      case 'replace': {
        let body;
        try { body = readConfig(u); } catch (e) { toast('error', e.message); return; }
        const dry = action === 'config-preview';
        const r = await api('PUT', `/api/mdevs/${u}/config${dry ? '?dryRun=true' : ''}`, { body, ifMatch: m.version });
        if (dry && r.ok) {
          $('mdev-problem').replaceChildren();
          state.hl.mdev = null; renderGrid();
          toast('ok', `Dry run for ${name}: accepted; the matrix would be ${r.data.matrix.join(' ') || 'empty'}.`);
          fetchAuditSince();
          return;
        }
        const ok = await handleResult(r, { area: 'mdev-problem', source: 'mdev', what: `${dry ? 'Dry run: replace' : 'Replace'} the configuration of ${name}`, ok: `Configuration of ${name} replaced.` });
        if (ok && !dry) { state.openConfig.delete(u); clearDrafts(u); renderMdevs(); }
        break;
      }
      case 'attach': {
        const guest = $(`mdev-${u}-guest`).value.trim();
        if (!guest) { toast('warn', 'Type a guest name first.'); $(`mdev-${u}-guest`).focus(); return; }
        const r = await api('PUT', `/api/mdevs/${u}/guest`, { body: { name: guest }, ifMatch: m.version });
        if (await handleResult(r, { area: 'mdev-problem', source: 'mdev', what: `Attach guest ${guest} to ${name}`, ok: `Guest ${guest} attached to ${name}.` })) {
          state.drafts.delete(`mdev-${u}-guest`);
        }
        break;
      }
      case 'detach': {
        const r = await api('DELETE', `/api/mdevs/${u}/guest`, { ifMatch: m.version });
        await handleResult(r, { area: 'mdev-problem', source: 'mdev', what: `Detach guest ${m.guest} from ${name}`, ok: `Guest ${m.guest} detached from ${name}.` });
        break;
      }
      case 'delete': {
        if (state.confirmDelete !== u) {
          state.confirmDelete = u; renderMdevs(); $(`mdev-${u}-delete`).focus();
          setTimeout(() => { if (state.confirmDelete === u) { state.confirmDelete = null; renderMdevs(); } }, 5000);
          return;
        }
        state.confirmDelete = null;
        const r = await api('DELETE', `/api/mdevs/${u}`, { ifMatch: m.version });
        if (await handleResult(r, { area: 'mdev-problem', source: 'mdev', what: `Delete ${name}`, ok: `Matrix device ${name} deleted.` })) {
          if (state.selectedMdev === u) state.selectedMdev = null;
          renderAll();
        } else renderMdevs();
        break;
      }
      default:
    }
  } catch (e) { ignoreAuth(e); }
}

async function createMdev(ev) {
  ev.preventDefault();
  const name = $('create-name').value.trim();
  const uuid = $('create-uuid').value.trim();
  const body = {};
  if (name) body.name = name;
  if (uuid) body.uuid = uuid;
  try {
    // No If-Match: creating acts on no displayed state, and the global version moves with every change anywhere.
    const r = await api('POST', '/api/mdevs', { body });
    if (await handleResult(r, { area: 'mdev-problem', source: 'mdev', what: `Create matrix device ${name || uuid || ''}`.trim(), ok: (d) => `Matrix device ${mdevName(d)} created (${d.uuid}).` })) {
      $('create-name').value = ''; $('create-uuid').value = '';
      if (r.data && r.data.uuid) { state.selectedMdev = r.data.uuid; renderAll(); }
    }
  } catch (e) { ignoreAuth(e); }
}

async function assignCell(a, d) {
  const m = mdevByUuid(state.selectedMdev);
  if (!m) return;
  const apqn = apqnOf(a, d);
  const name = mdevName(m);
  if (m.adapters.includes(a) && m.domains.includes(d)) {
    toast('info', `${apqn} is already in ${name}'s matrix. Click the adapter or domain header to unassign it.`);
    return;
  }
  const body = { adapters: sortNum(new Set([...m.adapters, a])), domains: sortNum(new Set([...m.domains, d])), controlDomains: m.controlDomains };
  try {
    const r = await api('PUT', `/api/mdevs/${m.uuid}/config`, { body, ifMatch: m.version });
    await handleResult(r, { area: 'mdev-problem', source: 'mdev', what: `Add ${apqn} to ${name}`, ok: `${apqn} added to ${name} (adapter ${hex2(a)}, domain ${hex4(d)}).` });
  } catch (e) { ignoreAuth(e); }
}

async function toggleAssignment(kind, id) {
  const m = mdevByUuid(state.selectedMdev);
  if (!m) return;
  const assigned = m[kind].includes(id);
  const name = mdevName(m);
  const what = `${assigned ? 'Unassign' : 'Assign'} ${kind === 'adapters' ? `adapter ${hex2(id)}` : `domain ${hex4(id)}`} ${assigned ? 'from' : 'to'} ${name}`;
  try {
    const r = await api(assigned ? 'DELETE' : 'PUT', `/api/mdevs/${m.uuid}/${kind}/${id}`, { ifMatch: m.version });
    await handleResult(r, { area: 'mdev-problem', source: 'mdev', what, ok: `${what}: done.` });
  } catch (e) { ignoreAuth(e); }
}

// What Enter, Space or a click on a grid cell or header does in the current tool, once the grid has selected it.
function actOnGrid(t) {
  const key = t.dataset.key;
  if (key.startsWith('cell:')) {
    if (state.tab === 'mdevs' && state.selectedMdev) assignCell(Number(t.dataset.adapter), Number(t.dataset.domain));
  } else if (key.startsWith('ad:')) {
    const id = Number(t.dataset.adapter);
    if (state.tab === 'masks') toggleMaskTerm('apmask', id);
    else if (state.tab === 'mdevs' && state.selectedMdev) toggleAssignment('adapters', id);
  } else if (key.startsWith('dom:')) {
    const id = Number(t.dataset.domain);
    if (state.tab === 'masks') toggleMaskTerm('aqmask', id);
    else if (state.tab === 'mdevs' && state.selectedMdev) toggleAssignment('domains', id);
  }
}

// ---------------------------------------------------------------- wiring
function wire() {
  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const cred = $('credential').value.trim();
    if (cred) signIn(cred);
  });
  $('sign-out').addEventListener('click', () => signedOut('Signed out.'));

  wireGrid(actOnGrid);

  const tabs = ['masks', 'mdevs', 'audit'];
  for (const t of tabs) {
    const btn = $(`tab-${t}`);
    btn.addEventListener('click', () => selectTab(t));
    btn.addEventListener('keydown', (ev) => {
      const i = tabs.indexOf(t);
      if (ev.key === 'ArrowRight') { ev.preventDefault(); selectTab(tabs[(i + 1) % tabs.length], true); }
      if (ev.key === 'ArrowLeft') { ev.preventDefault(); selectTab(tabs[(i + tabs.length - 1) % tabs.length], true); }
    });
  }

  $('mask-input').addEventListener('input', () => schedulePreview());
  for (const attr of ['apmask', 'aqmask']) {
    $(`mask-attr-${attr}`).addEventListener('change', () => { setAttr(attr); schedulePreview(0); });
  }
  $('mask-form').addEventListener('submit', applyMask);
  $('mask-clear').addEventListener('click', () => { $('mask-input').value = ''; schedulePreview(0); $('mask-input').focus(); });

  $('mdev-create').addEventListener('submit', createMdev);
  const list = $('mdev-list');
  list.addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-action]');
    if (b) { ev.preventDefault(); mdevAction(b.dataset.action, b.dataset.uuid); }
  });
  list.addEventListener('submit', (ev) => {
    const f = ev.target.closest('form[data-action]');
    if (f) { ev.preventDefault(); mdevAction(f.dataset.action, f.dataset.uuid); }
  });

  $('audit-text').addEventListener('input', renderAudit);
  $('audit-outcome').addEventListener('change', renderAudit);
  const body = $('audit-body');
  body.addEventListener('click', (ev) => { const tr = ev.target.closest('tr.audit-row'); if (tr) toggleAuditRow(tr); });
  body.addEventListener('keydown', (ev) => {
    const tr = ev.target.closest('tr.audit-row');
    if (tr && (ev.key === 'Enter' || ev.key === ' ')) { ev.preventDefault(); toggleAuditRow(tr); }
  });

  window.addEventListener('online', () => { if (state.cred) { state.needResync = true; connectEvents(); } });
  window.addEventListener('offline', () => { if (state.cred) { closeEvents(); state.needResync = true; setLive('offline'); } });
}

function boot() {
  onUnauthenticated(signedOut);
  onConfigureAdapter(setConfigured);
  wire();
  setAttr('apmask');
  setLive('offline');
  const saved = sessionStorage.getItem(CREDENTIAL_KEY);
  if (saved) { $('signin').hidden = true; signIn(saved); } else showSignIn('');
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot); else boot();
