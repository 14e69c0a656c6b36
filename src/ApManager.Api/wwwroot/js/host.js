// Which host the page looks at (GET /api/host): the badge in the top bar, simulated or the real host's
// sysfs root, and the banner over the grid while a real host cannot be read. Every refresh reads it again;
// on a real host a timer does too, because a host that stops answering sends no event.

import { api } from './api.js';
import { $, el } from './dom.js';
import { timeText } from './format.js';
import { state } from './state.js';

const RECHECK_MS = 15000;
let recheckTimer = null;

export const isSysfs = () => !!state.host && state.host.mode === 'sysfs';

// Reads the host; a failed read keeps what the page knew (the other reads say what is wrong).
export async function loadHost() {
  const r = await api('GET', '/api/host');
  if (r.ok && r.data) state.host = r.data;
  renderHostBadge();
  scheduleRecheck();
}

export function stopHostChecks() {
  clearTimeout(recheckTimer);
  recheckTimer = null;
}

function scheduleRecheck() {
  stopHostChecks();
  if (!isSysfs() || !state.cred) return;
  recheckTimer = setTimeout(() => { loadHost().catch(() => {}); }, RECHECK_MS);
}

function seconds(s) { return s == null ? null : `${Number.isInteger(s) ? s : s.toFixed(1)} s`; }

export function renderHostBadge() {
  const badge = $('host-badge');
  const banner = $('host-banner');
  const h = state.host;
  if (!h) { badge.hidden = true; banner.hidden = true; return; }
  const sysfs = h.mode === 'sysfs';
  const down = sysfs && !h.available;
  badge.hidden = false;
  badge.dataset.mode = h.mode;
  badge.dataset.available = String(!!h.available);
  const sub = sysfs ? [seconds(h.pollSeconds) && `poll ${seconds(h.pollSeconds)}`, h.uevents ? 'uevents' : 'no uevents'].filter(Boolean).join(' · ') : 'demo';
  badge.replaceChildren(
    el('span', { class: 'host-sym', 'aria-hidden': 'true', text: down ? '⚠' : sysfs ? '▣' : '◇' }),
    el('span', { class: 'host-name', text: sysfs ? `Host: ${h.root || '/'}` : 'Simulated host' }),
    el('span', { class: 'host-sub', text: sub }));
  if (down) badge.append(el('span', { class: 'sr-only', text: ', cannot be read' }));
  badge.title = sysfs
    ? [`A real host, read and written through sysfs under ${h.root || '/'}`,
      `read every ${seconds(h.pollSeconds) || '?'}${h.uevents ? ', and at once on kernel uevents' : ' (no uevents arrive)'}`,
      h.lastRead ? `last read ${timeText(h.lastRead)}` : 'not read yet',
      h.lockFile ? `s390-tools lock ${h.lockFile}` : null,
      down ? `cannot be read: ${h.unavailable}` : null].filter(Boolean).join('\n')
    : 'The simulated demo host: an AP bus kept by ApManager itself; nothing touches real hardware.';

  banner.hidden = !down;
  if (down) {
    banner.replaceChildren(
      el('span', { class: 'host-banner-sym', 'aria-hidden': 'true', text: '⚠ ' }),
      el('strong', { text: 'The host cannot be read. ' }),
      el('span', { class: 'host-banner-reason', text: h.unavailable || 'No reason given.' }),
      el('span', { class: 'muted', text: ` The view shows the last state read${h.lastRead ? ` (${timeText(h.lastRead)})` : ''}; it is checked again on every refresh.` }));
  }
}
