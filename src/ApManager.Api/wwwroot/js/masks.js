// The mask editor: the current apmask/aqmask, the write typed or built by clicking grid headers, and its
// dry-run preview on every keystroke (the queues that would change driver, or every offender).

import { api, ignoreAuth } from './api.js';
import { fetchAuditSince } from './audit.js';
import { $, el } from './dom.js';
import { maskBit, maskRanges } from './format.js';
import { renderGrid } from './grid.js';
import { renderProblem } from './problem.js';
import { state } from './state.js';

let previewTimer = null;
let previewSeq = 0;

export function currentAttr() { return $('mask-attr-aqmask').checked ? 'aqmask' : 'apmask'; }

export function setAttr(attr) {
  $(`mask-attr-${attr}`).checked = true;
  $('mask-path').textContent = `/sys/bus/ap/${attr}`;
}

export function renderMasks() {
  if (!state.bus) return;
  $('bus-version').textContent = `bus v${state.bus.version}`;
  const dl = $('mask-current');
  dl.replaceChildren();
  for (const attr of ['apmask', 'aqmask']) {
    const value = state.bus[attr];
    dl.append(el('dt', null, attr, el('span', { class: 'muted', text: attr === 'apmask' ? ' adapters' : ' usage domains' })),
      el('dd', null, el('code', { class: 'mask-hex', id: `current-${attr}`, title: value, text: `${value.slice(0, 18)}…${value.slice(-4)}` }),
        el('span', { class: 'mask-bits' }, 'set: ', el('code', { text: maskRanges(value) }))));
  }
}

// Apply takes over: a preview still waiting or in flight is dropped.
export function cancelPreview() {
  clearTimeout(previewTimer);
  previewSeq++;
}

export function schedulePreview(delay = 250) {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(runPreview, delay);
}

async function runPreview() {
  const input = $('mask-input').value;
  const attr = currentAttr();
  const seq = ++previewSeq;
  const out = $('mask-preview');
  if (input === '') {
    state.hl.mask = null; state.maskPreview = null;
    out.replaceChildren(); $('mask-apply').disabled = true;
    out.dataset.state = 'empty';
    renderGrid();
    return;
  }
  out.dataset.state = 'pending';
  let r;
  try { r = await api('PUT', `/api/bus/${attr}?dryRun=true`, { body: { mask: input } }); } catch (e) { ignoreAuth(e); return; }
  if (seq !== previewSeq) return;
  state.maskPreview = { attr, input, r };
  if (r.ok) {
    const d = r.data;
    const changed = d.apmask !== state.bus.apmask || d.aqmask !== state.bus.aqmask;
    state.hl.mask = { offenders: [], rebound: d.rebound || [], masks: { apmask: d.apmask, aqmask: d.aqmask } };
    const box = el('div', { class: `preview-ok${changed ? '' : ' preview-noop'}`, role: 'status' },
      el('div', { class: 'preview-head' }, el('span', { 'aria-hidden': 'true', text: changed ? '✔ ' : '= ' }),
        el('strong', { text: changed ? 'Dry run accepted' : 'No change' }),
        el('span', { class: 'muted', text: changed ? ` · the bus would go to version ${d.version}` : ' · the mask already has this value' })),
      el('p', null, `${attr} would be `, el('code', { text: maskRanges(d[attr]) }), ` (was `, el('code', { text: maskRanges(state.bus[attr]) }), ')'));
    if (d.rebound && d.rebound.length) {
      box.append(el('table', { class: 'rebound' },
        el('caption', { text: `${d.rebound.length} queue${d.rebound.length === 1 ? '' : 's'} would change driver` }),
        el('thead', null, el('tr', null, ['APQN', 'from', 'to'].map((h) => el('th', { scope: 'col', text: h })))),
        el('tbody', null, d.rebound.map((x) => el('tr', { dataset: { apqn: x.apqn } },
          el('td', { class: 'mono' }, el('span', { 'aria-hidden': 'true', text: '⇄ ' }), x.apqn),
          el('td', { text: x.from || 'unbound' }), el('td', { text: x.to || 'unbound' }))))));
    } else if (changed) {
      box.append(el('p', { class: 'muted', text: 'No existing queue would change driver.' }));
    }
    out.replaceChildren(box);
    out.dataset.state = changed ? 'ok' : 'noop';
    $('mask-apply').disabled = !changed;
  } else {
    state.hl.mask = { offenders: (r.data && r.data.offendingApqns) || [], rebound: [], masks: null };
    out.replaceChildren(renderProblem(r.data || {}, r.status, `Dry run of ${attr} ${JSON.stringify(input)} refused — Apply would be refused too.`));
    out.dataset.state = 'refused';
    $('mask-apply').disabled = true;
  }
  renderGrid();
  fetchAuditSince();
}

export function toggleMaskTerm(attr, id) {
  if (!state.bus) return;
  const input = $('mask-input');
  if (currentAttr() !== attr) { setAttr(attr); input.value = ''; }
  const text = input.value.trim();
  let terms = text === '' || !/^[+-]/.test(text) ? [] : text.split(/[,\n]+/).filter(Boolean);
  const wanted = `${maskBit(state.bus[attr], id) ? '-' : '+'}${id}`;
  const at = terms.findIndex((t) => t === `+${id}` || t === `-${id}`);
  if (at >= 0) terms.splice(at, 1); else terms = [...terms, wanted];
  input.value = terms.join(',');
  schedulePreview(0);
}
