// ApManager dashboard, entry module (index.html loads it with type="module"): plain modern JavaScript, no
// build step, nothing from the network. It talks only to the documented /api endpoints and follows changes
// through /api/events (SSE).
//
// The modules import each other bottom-up, never in a cycle (StaticDashboardTests checks that):
//   format, dom, state, toast        helpers and the one shared state object
//   api                              the fetch wrapper
//   host                             which host: the badge, the banner while it cannot be read
//   cells, details, grid, problem    the AP matrix model, its details pane and grid; problem+json drawn
//   audit, masks, boot, devices, view  the tools' views and their reads; view.renderAll re-draws them all
//   refresh, outcome                 loading the state; what a write's answer shows
//   actions, live, session           the writes, the event stream, signing in and out
//   main                             this file: wires the page's events to them and starts it
// The calls that go upwards are handed down at boot instead: a 401 signs out (api.js), activating
// a grid cell or header acts in the current tool (grid.js), the details pane's buttons configure an
// adapter or set it or a queue online (details.js).

import { applyMask, setConfigured, setOnline, mdevAction, createMdev, actOnGrid, rebootHost } from './actions.js';
import { onUnauthenticated } from './api.js';
import { renderAudit, toggleAuditRow } from './audit.js';
import { onConfigureAdapter, onSetOnline } from './details.js';
import { $ } from './dom.js';
import { wireGrid } from './grid.js';
import { setLive, connectEvents, closeEvents } from './live.js';
import { setAttr, schedulePreview } from './masks.js';
import { signedOut, signIn, resumeSession } from './session.js';
import { state } from './state.js';
import { selectTab } from './view.js';

function wire() {
  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const cred = $('credential').value.trim();
    if (cred) signIn(cred);
  });
  $('sign-out').addEventListener('click', () => signedOut('Signed out.'));

  wireGrid(actOnGrid);

  const tabs = ['masks', 'mdevs', 'boot', 'audit'];
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

  $('boot-reboot').addEventListener('click', rebootHost);

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
  onSetOnline(setOnline);
  wire();
  setAttr('apmask');
  setLive('offline');
  resumeSession();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot); else boot();
