// Live updates: the /api/events stream (EventSource, ?access_token=), the status in the top bar, a reload
// after each change event (a toast when the host itself changed), and after a drop a reconnect with
// back-off that resumes from the last event id and re-reads the state it may have missed.

import { Unauthenticated, api, ignoreAuth } from './api.js';
import { fetchAuditSince } from './audit.js';
import { $ } from './dom.js';
import { scheduleRefresh, refreshAll } from './refresh.js';
import { state } from './state.js';
import { toast } from './toast.js';

// Every type EventTypes (ApManager.Core/Audit/AuditRecord.cs) names: an EventSource hears only the types it listens for.
const EVENT_TYPES = ['bus-changed', 'queues-rebound', 'mdev-changed', 'guest-matrix-changed', 'adapter-changed', 'queues-switched', 'host-changed', 'definitions-changed', 'change-refused'];

// The actor of the changes ApManager did not make: root's echo, mdevctl, libvirt, seen when the real host is read.
const HOST_ACTOR = 'host';

let reconnectTimer = null;
let reconnectDelay = 1000;

export function setLive(kind, extra) {
  state.live = kind;
  const s = $('live-status');
  const map = { live: ['●', 'Live'], connecting: ['◌', 'Connecting…'], reconnecting: ['◌', 'Reconnecting…'], offline: ['○', 'Offline'] };
  const [sym, text] = map[kind];
  s.dataset.state = kind;
  s.querySelector('.live-sym').textContent = sym;
  s.querySelector('.live-text').textContent = extra ? `${text} · ${extra}` : text;
  s.title = kind === 'live' ? 'Following changes through /api/events' : 'Not receiving live changes';
}

export function connectEvents() {
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

export function closeEvents() {
  if (state.es) { state.es.close(); state.es = null; }
}

// Signing out: no stream, and no reconnect attempt left pending.
export function stopEvents() {
  closeEvents();
  clearTimeout(reconnectTimer);
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
  else {
    state.lastEventGroup = { id: ev.lastEventId, types: [ev.type], actor: data && data.actor };
    // One toast per audit record (its events share the id), not per event type.
    if (data && data.actor === HOST_ACTOR) toast('info', `Changed on the host (by ${HOST_ACTOR})${data.target && data.target !== HOST_ACTOR ? `: ${data.target}` : ''}. The view is re-read.`);
  }
  const g = state.lastEventGroup;
  state.lastEvent = `#${g.id} ${g.types.join(', ')}${g.actor ? ` by ${g.actor}` : ''}`;
  setLive('live', state.lastEvent);
  if (ev.type !== 'change-refused') scheduleRefresh();
  fetchAuditSince();
}
