// The AP matrix as data: which adapters and domains are rows and columns, and who owns each APQN
// (host, free, assigned, in a guest), which the grid draws and the details pane explains.

import { apqnOf, sortNum, maskBit } from './format.js';
import { state, mdevName, mdevByUuid } from './state.js';

export const STATES = {
  host: { sym: '■', word: 'host', text: 'owned by the host (default driver)' },
  free: { sym: '○', word: 'free', text: 'free for vfio_ap (no matrix device)' },
  assigned: { sym: '◆', word: 'assigned', text: 'assigned to a matrix device' },
  guest: { sym: '●', word: 'in guest', text: "in a guest's guest matrix" },
  unbound: { sym: '–', word: 'unbound', text: 'no driver bound' },
  noqueue: { sym: '·', word: 'no queue', text: 'no queue exists' },
};

export function gridModel() {
  const known = new Set(state.adapters.map((a) => a.id));
  const rows = state.adapters.map((a) => ({ ...a, absent: false }));
  const domains = new Set(state.domainsSeen);
  for (const m of state.mdevs) {
    for (const a of m.adapters) if (!known.has(a)) { known.add(a); rows.push({ id: a, absent: true }); }
    for (const d of m.domains) domains.add(d);
  }
  rows.sort((x, y) => x.id - y.id);
  return { rows, cols: sortNum(domains) };
}

export function firstCellKey() {
  const { rows, cols } = gridModel();
  return rows.length && cols.length ? `cell:${apqnOf(rows[0].id, cols[0])}` : null;
}

export function cellInfo(a, d) {
  const apqn = apqnOf(a, d);
  const q = state.queueMap.get(apqn) || null;
  const owner = (q && q.mdev && mdevByUuid(q.mdev)) || state.matrixOwner.get(apqn) || null;
  const hostByMask = state.bus ? maskBit(state.bus.apmask, a) && maskBit(state.bus.aqmask, d) : false;
  let st;
  if (q) {
    if (q.driver === 'vfio_ap') st = owner ? (q.guest ? 'guest' : 'assigned') : 'free';
    else if (q.driver == null) st = owner ? 'assigned' : 'unbound';
    else st = 'host';
  } else {
    st = owner ? 'assigned' : 'noqueue';
  }
  const guest = q ? q.guest : null;
  let l1; let l2;
  switch (st) {
    case 'host': l1 = 'host'; l2 = q.driver; break;
    case 'free': l1 = 'free'; l2 = 'vfio_ap'; break;
    case 'guest': l1 = mdevName(owner); l2 = guest; break;
    case 'assigned':
      l1 = mdevName(owner);
      l2 = !q ? 'no queue' : owner.guest ? 'not in guest' : 'no guest';
      break;
    case 'unbound': l1 = 'unbound'; l2 = 'no driver'; break;
    default: l1 = 'no queue'; l2 = hostByMask ? 'host mask' : 'vfio mask';
  }
  return { apqn, a, d, q, owner, guest, st, l1, l2, hostByMask };
}

// What lszcrypt -V says of an adapter or queue in one word: check-stopped beats offline beats online.
export function usability(x) {
  if (x.checkstopped) return 'check-stopped';
  return x.online ? 'online' : 'offline';
}

export function describeCell(c) {
  let s = `APQN ${c.apqn}: `;
  switch (c.st) {
    case 'host': s += `host, driver ${c.q.driver}`; break;
    case 'free': s += 'free for vfio_ap, no matrix device'; break;
    case 'guest': s += `assigned to matrix device ${mdevName(c.owner)}, in guest ${c.guest}'s guest matrix`; break;
    case 'assigned': s += `assigned to matrix device ${mdevName(c.owner)}, ${c.q ? (c.owner.guest ? `not in guest ${c.owner.guest}'s guest matrix` : 'no guest') : 'no queue exists'}`; break;
    case 'unbound': s += 'no driver bound'; break;
    default: s += 'no queue';
  }
  return s;
}

export function activeHighlight() {
  if (state.tab === 'masks') return state.hl.mask;
  if (state.tab === 'mdevs') return state.hl.mdev;
  return state.hl.audit;
}
