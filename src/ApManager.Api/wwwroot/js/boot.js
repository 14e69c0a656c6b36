// What comes back after a reboot: the persistent masks (chzdev -p), the mdevctl definitions and the boot
// preview (devices that start with their matrices, those that fail and why, every conflicting APQN),
// read together with the rest of the state and drawn in the "After reboot" tab.

import { api } from './api.js';
import { $, el, kv } from './dom.js';
import { hex2, hex4, maskRanges } from './format.js';
import { isSysfs } from './host.js';
import { state, mdevByUuid, mdevLabel } from './state.js';

// A failed read keeps what the page knew and says so in the panel; the live view does not depend on it.
export async function loadBoot() {
  const [defs, masks, preview] = await Promise.all([
    api('GET', '/api/definitions'), api('GET', '/api/bus/persistent'), api('GET', '/api/boot-preview')]);
  const failed = [defs, masks, preview].find((r) => !r.ok);
  state.bootError = failed ? ((failed.data && (failed.data.detail || failed.data.title)) || `HTTP ${failed.status}`) : null;
  if (failed) return;
  state.definitions = defs.data;
  state.defsVersion = Number((defs.etag || '').replace(/[^0-9]/g, '')) || 0;
  state.persistent = masks.data;
  state.bootPreview = preview.data;
}

export function definitionOf(uuid) { return state.definitions.find((d) => d.uuid === uuid) || null; }

const ids = (xs, f) => (xs && xs.length ? xs.map(f).join(' ') : '—');
const short = (u) => (u ? u.slice(0, 8) : '—');
const named = (u) => (mdevByUuid(u) ? `${mdevLabel(u)} (${short(u)})` : short(u));

function section(id, title, ...kids) {
  return el('section', { class: 'boot-section', id, 'aria-labelledby': `${id}-title` }, el('h4', { class: 'boot-title', id: `${id}-title`, text: title }), ...kids);
}

function renderMasks() {
  const p = state.persistent;
  const dl = el('dl', { class: 'masks' });
  for (const attr of ['apmask', 'aqmask']) {
    const boot = attr === 'apmask' ? p.bootApmask : p.bootAqmask;
    const kept = p[attr];
    dl.append(el('dt', null, attr),
      el('dd', { id: `boot-${attr}`, dataset: { value: boot } },
        el('code', { class: 'mask-hex', title: boot, text: `${boot.slice(0, 18)}…${boot.slice(-4)}` }),
        el('span', { class: 'mask-bits' }, 'set at boot: ', el('code', { text: maskRanges(boot) })),
        el('span', { class: 'muted small' }, kept ? ' (kept in the rules file)' : ' (not in the rules file: kernel default)')));
  }
  const kids = [dl];
  if (p.problem) kids.push(el('p', { class: 'warn', text: `Rules file: ${p.problem}` }));
  return section('boot-masks', 'Persistent masks', ...kids);
}

function renderDefinitions() {
  const list = el('ul', { class: 'boot-list', id: 'boot-defs' });
  if (!state.definitions.length) list.append(el('li', { class: 'muted', text: 'No definitions: no matrix device comes back.' }));
  for (const d of state.definitions) {
    const m = mdevByUuid(d.uuid);
    const li = el('li', { class: 'boot-item', dataset: { uuid: d.uuid, start: d.start, active: String(d.active) } },
      el('div', { class: 'boot-item-head' },
        el('strong', { text: m && m.name ? m.name : short(d.uuid) }),
        el('code', { class: 'muted small', title: d.uuid, text: d.uuid }),
        d.start ? el('span', { class: `pill${d.start === 'auto' ? ' pill-guest' : ''}`, text: `start ${d.start}` }) : null,
        el('span', { class: `pill${d.active ? '' : ' pill-muted'}`, text: d.active ? 'active' : 'defined only' })));
    if (d.problem) {
      li.append(el('p', { class: 'warn', text: `Unreadable (${d.problem.member}): ${d.problem.detail}` }));
    } else {
      const dl = el('dl', { class: 'kv kv-tight' });
      kv(dl, 'Adapters', ids(d.adapters, hex2), 'mono');
      kv(dl, 'Usage domains', ids(d.domains, hex4), 'mono');
      kv(dl, 'Control domains', ids(d.controlDomains, hex4), 'mono');
      li.append(dl);
    }
    list.append(li);
  }
  return section('boot-definitions', `Definitions (${state.definitions.length})`, list);
}

function offenderTable(rows, caption) {
  return el('table', { class: 'offenders' },
    el('caption', { text: caption }),
    el('thead', null, el('tr', null, ['APQN', 'Definition', 'Shared with', 'Reason'].map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', null, rows.map((o) => el('tr', { dataset: { apqn: o.apqn } },
      el('td', { class: 'mono' }, el('span', { 'aria-hidden': 'true', text: '⚠ ' }), o.apqn),
      el('td', { title: o.definition, text: named(o.definition) }),
      el('td', { title: o.sharedWith || '', text: o.sharedWith ? named(o.sharedWith) : '—' }),
      el('td', { text: o.reason === 'owned-by-host' ? 'owned by the host' : o.reason })))));
}

function renderPreview() {
  const p = state.bootPreview;
  const started = el('ul', { class: 'boot-list', id: 'boot-started' });
  if (!p.started.length) started.append(el('li', { class: 'muted', text: 'No matrix device would start.' }));
  for (const d of p.started) {
    const dl = el('dl', { class: 'kv kv-tight' });
    kv(dl, 'Matrix', d.matrix.join(' ') || null, 'mono');
    kv(dl, 'Guest matrix', d.guestMatrix.join(' ') || null, 'mono');
    kv(dl, 'Control domains', ids(d.controlDomains, hex4), 'mono');
    if (d.missingAdapters.length || d.missingDomains.length) {
      kv(dl, 'Missing', [d.missingAdapters.length ? `adapters ${ids(d.missingAdapters, hex2)}` : null,
        d.missingDomains.length ? `domains ${ids(d.missingDomains, hex4)}` : null].filter(Boolean).join('; '), 'warn');
    }
    started.append(el('li', { class: 'boot-item boot-started', dataset: { uuid: d.uuid } },
      el('div', { class: 'boot-item-head' }, el('span', { 'aria-hidden': 'true', text: '▶ ' }), el('strong', { text: named(d.uuid) })), dl));
  }
  const kids = [started];
  if (p.manual.length) kids.push(el('p', { class: 'muted small', id: 'boot-manual' }, 'Defined with start manual (not started): ', p.manual.map(named).join(', ')));
  if (p.failed.length) {
    kids.push(el('ul', { class: 'boot-list', id: 'boot-failed', 'aria-label': 'Devices that would fail to start' }, p.failed.map((f) =>
      el('li', { class: 'boot-item boot-failed', dataset: { uuid: f.uuid } },
        el('div', { class: 'boot-item-head' }, el('span', { 'aria-hidden': 'true', text: '✖ ' }), el('strong', { text: named(f.uuid) }),
          el('span', { class: 'pill', text: f.step }), el('code', { class: 'pill pill-errno', text: f.errno })),
        el('p', { class: 'small', text: f.reason }),
        f.offendingApqns.length ? offenderTable(f.offendingApqns, `${f.offendingApqns.length} offending APQN${f.offendingApqns.length === 1 ? '' : 's'}`) : null))));
  }
  if (p.conflicts.length) {
    kids.push(el('div', { id: 'boot-conflicts', role: 'alert' },
      offenderTable(p.conflicts, `${p.conflicts.length} conflicting APQN${p.conflicts.length === 1 ? '' : 's'} among the definitions`)));
  }
  if (p.unreadable.length) kids.push(el('p', { class: 'warn', text: `${p.unreadable.length} definition file(s) cannot be read; see above.` }));
  const sum = `${p.started.length} start${p.failed.length ? `, ${p.failed.length} fail` : ''}${p.conflicts.length ? `, ${p.conflicts.length} conflicts` : ''}`;
  return section('boot-preview', `Boot preview: ${sum}`, ...kids);
}

export function renderBoot() {
  const view = $('boot-view');
  if (!view) return;
  $('boot-reboot').hidden = isSysfs();
  $('boot-reboot').textContent = state.confirmReboot ? 'Confirm reboot' : 'Simulate reboot';
  $('boot-reboot').className = `btn btn-small ${state.confirmReboot ? 'btn-danger' : 'btn-ghost-danger'}`;
  $('defs-version').textContent = state.defsVersion ? `definitions v${state.defsVersion}` : '';
  const p = state.bootPreview;
  $('boot-count').textContent = p ? String(p.started.length) : '';
  $('tab-boot').dataset.problems = p && (p.failed.length || p.conflicts.length) ? 'true' : 'false';
  if (state.bootError && !p) { view.replaceChildren(el('p', { class: 'warn', text: `Cannot read the persistent configuration: ${state.bootError}` })); return; }
  if (!p || !state.persistent) { view.replaceChildren(); return; }
  view.replaceChildren(
    state.bootError ? el('p', { class: 'warn', text: `Showing the last read; reading again failed: ${state.bootError}` }) : '',
    renderPreview(), renderMasks(), renderDefinitions());
}
