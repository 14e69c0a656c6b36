// Toasts: short messages in the corner, at most four, each gone after a while or when dismissed.

import { $, el } from './dom.js';

export function toast(kind, text, ms = 6000) {
  const sym = { ok: '✔', warn: '⚠', error: '✖', info: 'i' }[kind] || 'i';
  const t = el('div', { class: `toast toast-${kind}`, role: kind === 'error' || kind === 'warn' ? 'alert' : null },
    el('span', { class: 'toast-sym', 'aria-hidden': 'true', text: sym }), el('span', { class: 'toast-text', text }),
    el('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss', text: '×', onclick: () => t.remove() }));
  $('toasts').append(t);
  while ($('toasts').children.length > 4) $('toasts').firstElementChild.remove();
  setTimeout(() => t.remove(), ms);
}
