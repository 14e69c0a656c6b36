// ApManager dashboard: plain modern JavaScript loaded as a native ES module (index.html,
// type="module"), no build step, nothing from the network.
// It talks only to the documented /api endpoints and follows changes through /api/events (SSE).

import { applyMask, setConfigured, mdevAction, createMdev, actOnGrid } from './actions.js';
import { onUnauthenticated, api, ignoreAuth } from './api.js';
import { findAuditEnd, loadAuditTail, renderAudit, toggleAuditRow } from './audit.js';
import { firstCellKey } from './cells.js';
import { onConfigureAdapter } from './details.js';
import { $ } from './dom.js';
import { wireGrid, renderGrid } from './grid.js';
import { setLive, connectEvents, closeEvents, stopEvents } from './live.js';
import { setAttr, schedulePreview } from './masks.js';
import { refreshAll } from './refresh.js';
import { state } from './state.js';
import { selectTab } from './view.js';

const CREDENTIAL_KEY = 'apmanager.credential';

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
  stopEvents();
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
