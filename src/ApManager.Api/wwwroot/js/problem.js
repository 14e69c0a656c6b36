// A problem+json answer drawn for people: title, status, errno, detail, the rejected character of an
// input, out-of-range ids and the table of offending APQNs with their matrix devices and guests.

import { el } from './dom.js';
import { mdevLabel } from './state.js';

export function renderProblem(p, status, context) {
  const type = p.type || '';
  const box = el('div', { class: 'problem', role: 'alert', dataset: { type, status } });
  const head = el('div', { class: 'problem-head' },
    el('span', { class: 'problem-sym', 'aria-hidden': 'true', text: '✖' }),
    el('strong', { class: 'problem-title', text: p.title || `HTTP ${status}` }),
    el('span', { class: 'pill', text: String(status || '') }),
    p.errno ? el('code', { class: 'pill pill-errno', text: p.errno }) : null);
  box.append(head);
  if (context) box.append(el('p', { class: 'problem-context', text: context }));
  if (p.detail) box.append(el('p', { class: 'problem-detail', text: p.detail }));
  const meta = el('p', { class: 'problem-meta' });
  if (type.startsWith('/problems/')) meta.append(el('a', { href: type, target: '_blank', rel: 'noopener', text: type }));
  if (p.input != null && p.position == null) meta.append(' · input ', el('code', { text: JSON.stringify(p.input) }));
  if (p.currentVersion != null) meta.append(` · current version ${p.currentVersion}`);
  if (meta.childNodes.length) box.append(meta);
  if (p.position != null && p.input != null) {
    const input = String(p.input);
    const pos = Math.min(p.position, input.length);
    box.append(el('p', { class: 'caret-line' }, 'position ', el('strong', { text: String(p.position) }), ': ',
      el('code', { class: 'caret-view' }, input.slice(0, pos), el('mark', { text: pos < input.length ? input.charAt(pos) : 'end' }), input.slice(pos + 1))));
  }
  if (Array.isArray(p.outOfRange)) {
    box.append(el('ul', { class: 'plain' }, p.outOfRange.map((x) => el('li', { text: `${x.kind} ${x.ids.join(', ')} outside 0..${x.max}` }))));
  }
  if (Array.isArray(p.offendingApqns) && p.offendingApqns.length) {
    const table = el('table', { class: 'offenders' },
      el('caption', { text: `${p.offendingApqns.length} offending APQN${p.offendingApqns.length === 1 ? '' : 's'}` }),
      el('thead', null, el('tr', null, ['APQN', 'Driver', 'Matrix device', 'Guest'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', null, p.offendingApqns.map((o) => el('tr', { dataset: { apqn: o.apqn } },
        el('td', { class: 'mono' }, el('span', { 'aria-hidden': 'true', text: '⚠ ' }), o.apqn),
        el('td', { text: o.driver }),
        el('td', { title: o.mdev || '' , text: o.mdev ? `${mdevLabel(o.mdev)} (${o.mdev.slice(0, 8)})` : '—' }),
        el('td', { text: o.guest || '—' })))));
    box.append(table);
  }
  return box;
}
