// The details pane: everything about the hovered, pinned or focused APQN cell, adapter or domain.

import { STATES, cellInfo, activeHighlight, usability } from './cells.js';
import { $, el, kv } from './dom.js';
import { hex2, hex4, maskBit } from './format.js';
import { state, mdevName, mdevLabel } from './state.js';

// What the adapter's Configure/Deconfigure and the Set online/offline buttons do: writes that end in
// re-drawing the grid and this pane, so main.js hands them in rather than this module importing them.
let configureAdapter = () => {};
let setOnline = () => {};
export function onConfigureAdapter(handler) { configureAdapter = handler; }
export function onSetOnline(handler) { setOnline = handler; }

const yesNo = (b) => (b ? 'yes' : 'no');
const count = (n) => (n == null ? null : n.toLocaleString('en-US'));

function onlineButton(kind, item, id, label, disabledWhy) {
  const btn = el('button', {
    type: 'button', class: 'btn btn-small', id, dataset: { online: String(!item.online) },
    text: item.online ? `Set ${label} offline` : `Set ${label} online`, disabled: !!disabledWhy, title: disabledWhy || null,
  });
  btn.addEventListener('click', () => setOnline(kind, item, !item.online));
  return btn;
}

export function renderDetails() {
  const box = $('details');
  const key = state.hoverKey || state.pinnedKey || state.focusKey;
  // A button pressed here re-draws the pane when its write is done: keep the keyboard where it was.
  const focused = box.contains(document.activeElement) && document.activeElement.id;
  box.replaceChildren();
  $('details-hint').textContent = state.hoverKey && state.hoverKey !== state.pinnedKey ? 'hover' : state.pinnedKey ? 'selected' : 'hover or select a cell';
  if (!key || !state.bus) { box.append(el('p', { class: 'muted', text: 'Hover over or select an APQN cell, an adapter or a domain.' })); return; }
  const dl = el('dl', { class: 'kv' });
  const hl = activeHighlight();
  if (key.startsWith('cell:')) {
    const [ah, dh] = key.slice(5).split('.');
    const c = cellInfo(parseInt(ah, 16), parseInt(dh, 16));
    const adapter = state.adapters.find((x) => x.id === c.a);
    box.dataset.apqn = c.apqn;
    const off = hl && (hl.offenders || []).find((o) => o.apqn === c.apqn);
    const reb = hl && (hl.rebound || []).find((r) => r.apqn === c.apqn);
    box.append(el('div', { class: 'details-head' },
      el('span', { class: `swatch state-${c.st}`, 'aria-hidden': 'true', text: STATES[c.st].sym }),
      el('span', { class: 'details-title mono', text: c.apqn }),
      el('span', { class: 'details-state', text: STATES[c.st].text }),
      off ? el('span', { class: 'flag flag-off' }, el('span', { 'aria-hidden': 'true', text: '⚠ ' }), `blocks the change: ${off.driver}${off.mdev ? ` · ${mdevLabel(off.mdev)}` : ''}${off.guest ? ` · ${off.guest}` : ''}`) : null,
      reb ? el('span', { class: 'flag flag-reb' }, el('span', { 'aria-hidden': 'true', text: '⇄ ' }), `would move ${reb.from || 'unbound'} → ${reb.to || 'unbound'}`) : null));
    kv(dl, 'Adapter', adapter ? `${c.a} (0x${hex2(c.a)}) · ${adapter.type} ${adapter.mode} · ${adapter.configured ? 'configured' : 'deconfigured'}` : `${c.a} (not in the topology)`);
    kv(dl, 'Domain', `${c.d} (0x${hex4(c.d)})${state.domainsSeen.has(c.d) ? ' · usage domain' : ' · not a host usage domain'}`);
    kv(dl, 'Driver', c.q ? (c.q.driver || 'unbound') : 'no queue');
    kv(dl, 'Queue version', c.q ? `v${c.q.version}` : null);
    if (c.q) {
      kv(dl, 'Online', yesNo(c.q.online), c.q.online ? null : 'warn');
      kv(dl, 'Checkstop', yesNo(c.q.checkstopped), c.q.checkstopped ? 'danger' : null);
      kv(dl, 'Status', c.q.status);
      kv(dl, 'Requests', count(c.q.requestCount));
    }
    kv(dl, 'Matrix device', c.owner ? el('span', null, el('strong', { text: mdevName(c.owner) }), ' ', el('code', { class: 'mono-small', text: c.owner.uuid })) : null, 'wide');
    kv(dl, 'Guest', c.guest ? `${c.guest} (in its guest matrix)` : c.owner && c.owner.guest ? `${c.owner.guest} attached; this APQN is not in its guest matrix` : null);
    kv(dl, 'Masks', `apmask[${c.a}]=${maskBit(state.bus.apmask, c.a) ? 1 : 0} aqmask[${c.d}]=${maskBit(state.bus.aqmask, c.d) ? 1 : 0} → ${c.hostByMask ? 'host' : 'vfio_ap'}`);
    box.append(dl);
    if (c.q) {
      // Only the host's zcrypt driver gives a queue an online switch; the service would answer 409 no-online-switch.
      const zcrypt = (state.drivers.find((d) => d.default) || { name: 'cex4queue' }).name;
      const why = c.q.driver !== zcrypt ? `Only queues of the host's zcrypt driver (${zcrypt}) have an online switch; this one is bound to ${c.q.driver || 'no driver'}.` : null;
      box.append(el('div', { class: 'actions' }, onlineButton('queue', c.q, 'queue-online', 'queue', why)));
    }
  } else if (key.startsWith('ad:')) {
    const id = Number(key.slice(3));
    const a = state.adapters.find((x) => x.id === id);
    delete box.dataset.apqn;
    box.append(el('div', { class: 'details-head' },
      el('span', { class: 'details-title mono', text: `adapter ${hex2(id)}` }),
      el('span', { class: 'details-state', text: a ? `${a.type} · ${a.mode}` : 'not in the topology (over-provisioned)' })));
    if (a) {
      kv(dl, 'Id', `${id} (0x${hex2(id)})`);
      kv(dl, 'State', `${a.configured ? 'configured' : 'deconfigured'}, ${usability(a)}`);
      kv(dl, 'Type', a.type);
      kv(dl, 'Mode', a.mode);
      kv(dl, 'HW type', a.rawHwType != null && a.rawHwType !== a.hwType ? `${a.hwType} (raw ${a.rawHwType})` : String(a.hwType));
      kv(dl, 'Functions', el('span', { title: a.functions }, el('code', { text: a.functionFlags }), ` ${a.functions}`));
      kv(dl, 'Depth', String(a.depth));
      kv(dl, 'Requests', count(a.requestCount));
      kv(dl, 'Configured', yesNo(a.configured), a.configured ? null : 'warn');
      kv(dl, 'Online', yesNo(a.online), a.online ? null : 'warn');
      kv(dl, 'Checkstop', yesNo(a.checkstopped), a.checkstopped ? 'danger' : null);
      if (a.serial) kv(dl, 'Serial', a.serial, 'mono-small');
      kv(dl, 'Queues', a.queues.length ? a.queues.join(' ') : 'none', 'mono-small');
      kv(dl, 'Version', `v${a.version}`);
    }
    kv(dl, 'apmask bit', `${maskBit(state.bus.apmask, id) ? 1 : 0} (${maskBit(state.bus.apmask, id) ? 'host may own its queues' : 'its queues go to vfio_ap'})`);
    const holders = state.mdevs.filter((m) => m.adapters.includes(id)).map(mdevName);
    kv(dl, 'Assigned to', holders.join(', ') || null);
    box.append(dl);
    if (a) {
      const btn = el('button', { type: 'button', class: 'btn btn-small', id: 'adapter-configure', text: a.configured ? 'Deconfigure adapter (hot unplug)' : 'Configure adapter (hot plug)' });
      btn.addEventListener('click', () => configureAdapter(a, !a.configured));
      const why = !a.online && (!a.configured || a.checkstopped) ? `Adapter ${hex2(id)} is ${a.checkstopped ? 'check-stopped' : 'deconfigured'}: it cannot be set online.` : null;
      box.append(el('div', { class: 'actions' }, onlineButton('adapter', a, 'adapter-online', 'adapter', why), btn));
    }
  } else if (key.startsWith('dom:')) {
    const id = Number(key.slice(4));
    delete box.dataset.apqn;
    box.append(el('div', { class: 'details-head' },
      el('span', { class: 'details-title mono', text: `domain ${hex4(id)}` }),
      el('span', { class: 'details-state', text: state.domainsSeen.has(id) ? 'host usage domain' : 'not a host usage domain' })));
    kv(dl, 'Id', `${id} (0x${hex4(id)})`);
    kv(dl, 'aqmask bit', `${maskBit(state.bus.aqmask, id) ? 1 : 0}`);
    kv(dl, 'Usage domain of', state.mdevs.filter((m) => m.domains.includes(id)).map(mdevName).join(', ') || null);
    kv(dl, 'Control domain of', state.mdevs.filter((m) => m.controlDomains.includes(id)).map(mdevName).join(', ') || null);
    box.append(dl);
  }
  box.append(el('div', { id: 'details-problem' }));
  const again = focused && $(focused);
  if (again && !again.disabled) again.focus({ preventScroll: true });
}
