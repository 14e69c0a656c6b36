// Loading the state: bus, adapters, queues, matrix devices, drivers, the host and what comes back after a reboot in one go, at most one
// load at a time (a request during a load runs one more after it), then every view re-drawn and, when the
// version moved under a typed mask write, its preview run again.

import { api, ignoreAuth } from './api.js';
import { loadBoot } from './boot.js';
import { $ } from './dom.js';
import { loadHost } from './host.js';
import { schedulePreview } from './masks.js';
import { state, mdevByUuid } from './state.js';
import { renderAll } from './view.js';

let refreshTimer = null;
let refreshing = null;
let refreshAgain = false;

export function scheduleRefresh(delay = 60) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => { refreshAll().catch(ignoreAuth); }, delay);
}

export async function refreshAll() {
  if (refreshing) { refreshAgain = true; return refreshing; }
  refreshing = (async () => {
    do { refreshAgain = false; await loadState(); } while (refreshAgain);
  })();
  try { await refreshing; } finally { refreshing = null; }
}

async function loadState() {
  const [bus, adapters, queues, mdevs, drivers] = await Promise.all([
    api('GET', '/api/bus'), api('GET', '/api/adapters'), api('GET', '/api/queues'), api('GET', '/api/mdevs'), api('GET', '/api/drivers'),
    loadHost(), loadBoot(),
  ]);
  for (const r of [bus, adapters, queues, mdevs, drivers]) {
    if (!r.ok) throw new Error((r.data && (r.data.detail || r.data.title)) || `HTTP ${r.status}`);
  }
  const before = state.globalVersion;
  state.bus = bus.data;
  state.adapters = [...adapters.data].sort((x, y) => x.id - y.id);
  state.queues = queues.data;
  state.mdevs = mdevs.data;
  state.drivers = drivers.data;
  state.globalVersion = Number((mdevs.etag || '').replace(/[^0-9]/g, '')) || Math.max(bus.data.version, ...mdevs.data.map((m) => m.version), 0);
  index();
  if (state.selectedMdev && !mdevByUuid(state.selectedMdev)) state.selectedMdev = null;
  renderAll();
  if (before && before !== state.globalVersion && $('mask-input').value !== '') schedulePreview(0);
}

function index() {
  state.queueMap = new Map(state.queues.map((q) => [q.apqn, q]));
  for (const q of state.queues) state.domainsSeen.add(q.domain);
  state.matrixOwner = new Map();
  for (const m of state.mdevs) for (const apqn of m.matrix) state.matrixOwner.set(apqn, m);
}
