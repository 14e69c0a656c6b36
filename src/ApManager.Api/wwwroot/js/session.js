// Signing in and out: the credential (API key or JWT) kept in this tab's sessionStorage only, the sign-in
// form, and the start-up sequence after a good credential (audit tail, event stream, state, grid focus).

import { api, ignoreAuth } from './api.js';
import { findAuditEnd, loadAuditTail } from './audit.js';
import { firstCellKey } from './cells.js';
import { $ } from './dom.js';
import { renderGrid } from './grid.js';
import { stopHostChecks } from './host.js';
import { setLive, connectEvents, stopEvents } from './live.js';
import { refreshAll } from './refresh.js';
import { state } from './state.js';

const CREDENTIAL_KEY = 'apmanager.credential';

function showSignIn(message) {
  $('app').hidden = true;
  $('sign-out').hidden = true;
  $('who').textContent = '';
  $('host-info').textContent = '';
  $('host-badge').hidden = true;
  $('signin').hidden = false;
  $('signin-error').textContent = message || '';
  setTimeout(() => $('credential').focus(), 0);
}

export function signedOut(message) {
  stopEvents();
  stopHostChecks();
  state.cred = null;
  state.host = null;
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

export async function signIn(cred) {
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

// On start-up: a credential kept from earlier in this tab signs in again, else the form shows.
export function resumeSession() {
  const saved = sessionStorage.getItem(CREDENTIAL_KEY);
  if (saved) { $('signin').hidden = true; signIn(saved); } else showSignIn('');
}
