// The AP matrix grid: drawing it (ownership, the active tool's highlights, the selected device) and
// moving through it: one tab stop, arrows, Home/End, hover and focus feeding the details pane.

import { STATES, gridModel, cellInfo, describeCell, activeHighlight, usability } from './cells.js';
import { renderDetails } from './details.js';
import { $, el } from './dom.js';
import { hex2, hex4, apqnOf, maskBit } from './format.js';
import { state, mdevName, mdevByUuid, mdevLabel } from './state.js';

// Enter, Space or a click selects a cell or header; what it then does depends on the tool (a mask term,
// an assignment), and those tools re-draw the grid, so main.js hands that in here.
let actInTool = () => {};

export function wireGrid(onActivate) {
  actInTool = onActivate;
  const grid = $('grid');
  grid.addEventListener('keydown', gridKeydown);
  grid.addEventListener('focusin', gridFocusIn);
  grid.addEventListener('click', gridClick);
  grid.addEventListener('mouseover', gridHover);
  grid.addEventListener('mouseleave', () => { state.hoverKey = null; renderDetails(); });
}

export function renderGrid() {
  const table = $('grid');
  const { rows, cols } = gridModel();
  const hadFocus = table.contains(document.activeElement);
  const hl = activeHighlight();
  const offenders = new Map((hl && hl.offenders || []).map((o) => [o.apqn, o]));
  const rebound = new Map((hl && hl.rebound || []).map((r) => [r.apqn, r]));
  const newMasks = hl && hl.masks;
  const target = state.tab === 'mdevs' && state.selectedMdev ? mdevByUuid(state.selectedMdev) : null;
  const targetSet = new Set(target ? target.matrix : []);
  const keys = new Set();

  const thead = el('thead');
  const headRow = el('tr', { role: 'row' }, el('th', { class: 'corner', scope: 'col', role: 'columnheader' },
    el('span', { class: 'corner-a', text: 'adapter ↓' }), el('span', { class: 'corner-d', text: 'domain →' })));
  for (const d of cols) {
    const key = `dom:${d}`; keys.add(key);
    const usage = state.domainsSeen.has(d);
    const bit = state.bus ? maskBit(state.bus.aqmask, d) : false;
    const nbit = newMasks ? maskBit(newMasks.aqmask, d) : bit;
    const inTarget = target && target.domains.includes(d);
    const th = el('th', {
      class: `ch${inTarget ? ' target' : ''}${nbit !== bit ? ' bit-change' : ''}`, scope: 'col', role: 'columnheader', tabindex: '-1',
      dataset: { key, domain: d },
      'aria-label': `Usage domain ${d} (0x${hex4(d)})${usage ? '' : ', not a host usage domain'}, aqmask bit ${bit ? 1 : 0}${nbit !== bit ? `, would become ${nbit ? 1 : 0}` : ''}${inTarget ? `, assigned to ${mdevName(target)}` : ''}`,
    },
    el('span', { class: 'ch-id mono', text: hex4(d) }),
    el('span', { class: 'ch-sub' }, `dom ${d}${usage ? '' : ' · not usage'}`,
      el('span', { class: 'bit mono', text: nbit !== bit ? `aqm ${bit ? 1 : 0}→${nbit ? 1 : 0}` : `aqm ${bit ? 1 : 0}` })),
    inTarget ? el('span', { class: 'target-mark', 'aria-hidden': 'true', text: '◎' }) : null);
    headRow.append(th);
  }
  thead.append(headRow);

  const tbody = el('tbody');
  for (const r of rows) {
    const key = `ad:${r.id}`; keys.add(key);
    const bit = state.bus ? maskBit(state.bus.apmask, r.id) : false;
    const nbit = newMasks ? maskBit(newMasks.apmask, r.id) : bit;
    const inTarget = target && target.adapters.includes(r.id);
    const use = r.absent ? null : usability(r);
    const stateText = r.absent ? 'not in topology' : !r.configured ? 'deconfigured' : use;
    const stateSym = r.absent ? '✕' : !r.configured ? '○' : r.checkstopped ? '⊘' : r.online ? '●' : '◐';
    const unusable = !r.absent && r.configured && use !== 'online';
    const th = el('th', {
      class: `rh${r.absent || !r.configured ? ' rh-off' : ''}${unusable ? ` rh-${r.checkstopped ? 'checkstop' : 'offline'}` : ''}${inTarget ? ' target' : ''}${nbit !== bit ? ' bit-change' : ''}`,
      scope: 'row', role: 'rowheader', tabindex: '-1', dataset: { key, adapter: r.id, online: r.absent ? null : r.online, checkstopped: r.absent ? null : r.checkstopped },
      title: unusable ? `Adapter ${hex2(r.id)} is ${stateText}: its queues take no requests` : null,
      'aria-label': `Adapter ${r.id} (0x${hex2(r.id)})${r.absent ? ', not in the topology' : `, ${r.type} ${r.mode}, ${stateText}`}, apmask bit ${bit ? 1 : 0}${nbit !== bit ? `, would become ${nbit ? 1 : 0}` : ''}${inTarget ? `, assigned to ${mdevName(target)}` : ''}`,
    },
    el('div', { class: 'rh-box' },
      el('span', { class: 'rh-id mono', text: hex2(r.id) }),
      el('span', { class: 'rh-line' }, el('span', { class: 'rh-type', text: r.absent ? '—' : r.type }), el('span', { class: 'rh-mode', text: r.absent ? '' : r.mode })),
      el('span', { class: 'rh-line rh-sub' },
        el('span', { class: `rh-state st-${r.absent ? 'absent' : !r.configured ? 'deconf' : unusable ? (r.checkstopped ? 'checkstop' : 'offline') : 'online'}` }, el('span', { class: 'st-sym', 'aria-hidden': 'true', text: stateSym }), ` ${stateText}`),
        el('span', { class: 'bit mono', text: nbit !== bit ? `apm ${bit ? 1 : 0}→${nbit ? 1 : 0}` : `apm ${bit ? 1 : 0}` }))),
    inTarget ? el('span', { class: 'target-mark', 'aria-hidden': 'true', text: '◎' }) : null);
    const tr = el('tr', { role: 'row' }, th);
    for (const d of cols) {
      const c = cellInfo(r.id, d);
      const ckey = `cell:${c.apqn}`; keys.add(ckey);
      const off = offenders.get(c.apqn);
      const reb = rebound.get(c.apqn);
      const inT = targetSet.has(c.apqn);
      let label = describeCell(c);
      if (off) label += `. Blocks the change: driver ${off.driver}${off.mdev ? `, matrix device ${mdevLabel(off.mdev)}` : ''}${off.guest ? `, guest ${off.guest}` : ''}`;
      if (reb) label += `. Would move from ${reb.from || 'unbound'} to ${reb.to || 'unbound'}`;
      if (inT) label += `. In the selected device ${mdevName(target)}`;
      // Offline or check-stopped queues say so in words (tag, title, label), not by colour alone.
      const qUse = c.q ? usability(c.q) : null;
      const qDown = qUse && qUse !== 'online';
      if (qDown) label += `. Queue ${qUse}`;
      const td = el('td', {
        class: `cell state-${c.st}${off ? ' offender' : ''}${reb ? ' rebind' : ''}${inT ? ' target' : ''}${c.q ? '' : ' no-q'}${qDown ? ` q-${c.q.checkstopped ? 'checkstop' : 'offline'}` : ''}`,
        role: 'gridcell', tabindex: '-1', 'aria-label': label, title: qDown ? `Queue ${c.apqn} is ${qUse}` : null,
        dataset: {
          key: ckey, apqn: c.apqn, adapter: c.a, domain: c.d, state: c.st, online: c.q ? c.q.online : null, checkstopped: c.q ? c.q.checkstopped : null,
          mdev: c.owner ? c.owner.uuid : null, mdevName: c.owner ? mdevName(c.owner) : null, guest: c.guest,
          driver: c.q ? (c.q.driver || 'none') : null, offender: off ? (off.mdev || off.driver) : null,
        },
      },
      el('span', { class: 'sym', 'aria-hidden': 'true', text: STATES[c.st].sym }),
      el('span', { class: 'l1', text: c.l1 }),
      el('span', { class: 'l2', text: c.l2 || '' }),
      qDown ? el('span', { class: 'q-tag', 'aria-hidden': 'true', text: c.q.checkstopped ? '⊘ chkstop' : '◐ offline' }) : null,
      off ? el('span', { class: 'badge badge-off', 'aria-hidden': 'true', text: '⚠' }) : null,
      reb ? el('span', { class: 'badge badge-reb', 'aria-hidden': 'true', text: `⇄ ${reb.to || 'none'}` }) : null);
      tr.append(td);
    }
    tbody.append(tr);
  }
  table.replaceChildren(thead, tbody);
  table.setAttribute('aria-rowcount', String(rows.length + 1));
  table.setAttribute('aria-colcount', String(cols.length + 1));

  if (!state.focusKey || !keys.has(state.focusKey)) state.focusKey = rows.length && cols.length ? `cell:${apqnOf(rows[0].id, cols[0])}` : null;
  const focusEl = state.focusKey && table.querySelector(`[data-key="${state.focusKey}"]`);
  if (focusEl) {
    focusEl.tabIndex = 0;
    if (hadFocus) focusEl.focus({ preventScroll: true });
  }
  if (state.pinnedKey && !keys.has(state.pinnedKey)) state.pinnedKey = null;
  renderDetails();
}

function gridKeydown(ev) {
  const from = ev.target.closest('[data-key]');
  if (!from) return;
  const table = $('grid');
  const tr = from.parentElement;
  let r = tr.rowIndex; let c = from.cellIndex;
  const rowsN = table.rows.length; const colsN = table.rows[0].cells.length;
  switch (ev.key) {
    case 'ArrowRight': c = Math.min(colsN - 1, c + 1); break;
    case 'ArrowLeft': c = Math.max(r === 0 ? 1 : 0, c - 1); break;
    case 'ArrowDown': r = Math.min(rowsN - 1, r + 1); break;
    case 'ArrowUp': r = Math.max(c === 0 ? 1 : 0, r - 1); break;
    case 'Home': c = r === 0 ? 1 : 0; if (ev.ctrlKey) r = c === 0 ? 1 : 0; break;
    case 'End': c = colsN - 1; if (ev.ctrlKey) r = rowsN - 1; break;
    case 'Enter': case ' ': ev.preventDefault(); activate(from); return;
    case 'Escape': state.pinnedKey = null; renderDetails(); return;
    default: return;
  }
  ev.preventDefault();
  const to = table.rows[r] && table.rows[r].cells[c];
  if (to && to.dataset.key) focusKey(to);
}

function focusKey(elm) {
  for (const x of $('grid').querySelectorAll('[tabindex="0"]')) x.tabIndex = -1;
  elm.tabIndex = 0;
  elm.focus();
}

function gridFocusIn(ev) {
  const t = ev.target.closest('[data-key]');
  if (!t) return;
  for (const x of $('grid').querySelectorAll('[tabindex="0"]')) if (x !== t) x.tabIndex = -1;
  t.tabIndex = 0;
  state.focusKey = t.dataset.key;
  state.pinnedKey = t.dataset.key;
  renderDetails();
}

function gridClick(ev) {
  const t = ev.target.closest('[data-key]');
  if (!t) return;
  if (document.activeElement !== t) focusKey(t);
  activate(t);
}

function gridHover(ev) {
  const t = ev.target.closest('[data-key]');
  const key = t ? t.dataset.key : null;
  if (key !== state.hoverKey) { state.hoverKey = key; renderDetails(); }
}

function activate(t) {
  const key = t.dataset.key;
  state.pinnedKey = key;
  renderDetails();
  actInTool(t);
}
