// The matrix device list: one card per device (adapters, domains, matrix, guest, its buttons and forms),
// re-drawn without losing focus, caret or half-typed input (drafts), and reading its configuration form.

import { definitionOf } from './boot.js';
import { $, el, kv } from './dom.js';
import { hex2, hex4, parseIds } from './format.js';
import { isSysfs } from './host.js';
import { state, mdevName } from './state.js';

export function renderMdevs() {
  const list = $('mdev-list');
  const focused = document.activeElement && list.contains(document.activeElement) ? document.activeElement : null;
  const active = focused ? focused.id : null;
  const caret = focused && focused.tagName === 'INPUT' ? [focused.selectionStart, focused.selectionEnd] : null;
  list.replaceChildren();
  $('mdev-count').textContent = String(state.mdevs.length);
  if (!state.mdevs.length) list.append(el('p', { class: 'muted', text: 'No matrix devices. Create one above.' }));
  for (const m of state.mdevs) list.append(renderMdev(m));
  const again = active && $(active);
  if (again) {
    again.focus({ preventScroll: true });
    if (caret && again.tagName === 'INPUT') again.setSelectionRange(caret[0], caret[1]);
  }
}

function draftInput(id, value, props) {
  const input = el('input', { class: 'input', id, ...props });
  input.value = state.drafts.has(id) ? state.drafts.get(id) : value;
  input.addEventListener('input', () => state.drafts.set(id, input.value));
  return input;
}

function renderMdev(m) {
  const u = m.uuid;
  const selected = state.selectedMdev === u;
  const idList = (xs, f) => (xs.length ? xs.map(f).join(' ') : '—');
  const card = el('article', { class: `mdev${selected ? ' selected' : ''}`, dataset: { uuid: u }, 'aria-label': `Matrix device ${mdevName(m)}` });
  card.append(el('header', { class: 'mdev-head' },
    el('div', { class: 'mdev-title' },
      el('span', { class: 'mdev-sym', 'aria-hidden': 'true', text: m.guest ? '●' : '◆' }),
      el('strong', { class: 'mdev-name', text: m.name || '(unnamed)' }),
      el('span', { class: 'pill', text: `v${m.version}` }),
      m.guest ? el('span', { class: 'pill pill-guest', text: `guest ${m.guest}` }) : el('span', { class: 'pill pill-muted', text: 'no guest' })),
    el('code', { class: 'mdev-uuid', text: u }),
    el('button', {
      type: 'button', class: `btn btn-small${selected ? ' btn-primary' : ''}`, id: `mdev-${u}-select`, 'aria-pressed': selected ? 'true' : 'false',
      dataset: { action: 'select', uuid: u }, text: selected ? '◎ Assigning — done' : '◎ Assign by clicking',
    })));
  const dl = el('dl', { class: 'kv kv-tight' });
  kv(dl, 'Adapters', idList(m.adapters, hex2), 'mono');
  kv(dl, 'Usage domains', idList(m.domains, hex4), 'mono');
  kv(dl, 'Control domains', idList(m.controlDomains, hex4), 'mono');
  kv(dl, 'Matrix', m.matrix.join(' ') || null, 'mono');
  kv(dl, 'Guest matrix', m.guestMatrix.join(' ') || null, 'mono');
  const def = definitionOf(u);
  kv(dl, 'After reboot', def ? `defined, start ${def.start || '?'}` : 'not defined: gone after a reboot', def ? null : 'warn');
  card.append(dl);

  const actions = el('div', { class: 'actions' });
  actions.append(el('button', { type: 'button', class: 'btn btn-small', id: `mdev-${u}-config`, 'aria-expanded': state.openConfig.has(u) ? 'true' : 'false', dataset: { action: 'config', uuid: u }, text: 'Configuration…' }));
  if (isSysfs()) {
    // On a real host libvirt attaches and detaches guests (the service answers 409 guest-managed-by-libvirt).
    actions.append(el('span', {
      class: 'guest-note', id: `mdev-${u}-guest-note`,
      title: 'On a real host a guest gets this device from its libvirt domain (the hostdev in its XML, virsh attach-device); ApManager shows which guest uses it but does not attach or detach.',
    }, 'Guests come from libvirt'));
  } else if (m.guest) {
    actions.append(el('button', { type: 'button', class: 'btn btn-small', id: `mdev-${u}-detach`, dataset: { action: 'detach', uuid: u }, text: `Detach ${m.guest}` }));
  } else {
    const gform = el('form', { class: 'inline-form', dataset: { action: 'attach', uuid: u } },
      el('label', { class: 'sr-only', for: `mdev-${u}-guest`, text: `Guest for ${mdevName(m)}` }),
      draftInput(`mdev-${u}-guest`, '', { placeholder: 'guest name', maxlength: '64', size: '12' }),
      el('button', { type: 'submit', class: 'btn btn-small', id: `mdev-${u}-attach`, text: 'Attach guest' }));
    actions.append(gform);
  }
  actions.append(def
    ? el('button', { type: 'button', class: 'btn btn-small', id: `mdev-${u}-undefine`, dataset: { action: 'undefine', uuid: u }, text: 'Remove definition', title: 'mdevctl undefine: the device does not come back after a reboot; the running device is not touched.' })
    : el('button', { type: 'button', class: 'btn btn-small', id: `mdev-${u}-define`, dataset: { action: 'define', uuid: u }, text: 'Define (auto)', title: 'mdevctl define -a: keep this device as it is now and start it at boot.' }));
  const confirming = state.confirmDelete === u;
  actions.append(el('button', {
    type: 'button', class: `btn btn-small ${confirming ? 'btn-danger' : 'btn-ghost-danger'}`, id: `mdev-${u}-delete`,
    dataset: { action: 'delete', uuid: u }, text: confirming ? 'Confirm delete' : 'Delete',
  }));
  card.append(actions);

  if (state.openConfig.has(u)) {
    const f = el('form', { class: 'config-form', dataset: { action: 'replace', uuid: u }, 'aria-label': `Replace the configuration of ${mdevName(m)}` },
      el('p', { class: 'help', text: 'Replace the whole assignment in one atomic step. Decimal ids, 0x hex or ranges a-b, separated by commas.' }),
      el('div', { class: 'field' }, el('label', { for: `mdev-${u}-cfg-adapters`, text: 'Adapters' }), draftInput(`mdev-${u}-cfg-adapters`, m.adapters.join(', '), { class: 'input mono' })),
      el('div', { class: 'field' }, el('label', { for: `mdev-${u}-cfg-domains`, text: 'Usage domains' }), draftInput(`mdev-${u}-cfg-domains`, m.domains.join(', '), { class: 'input mono' })),
      el('div', { class: 'field' }, el('label', { for: `mdev-${u}-cfg-control`, text: 'Control domains' }), draftInput(`mdev-${u}-cfg-control`, m.controlDomains.join(', '), { class: 'input mono' })),
      el('div', { class: 'actions' },
        el('button', { type: 'submit', class: 'btn btn-small btn-primary', id: `mdev-${u}-cfg-apply`, text: 'Replace configuration' }),
        el('button', { type: 'button', class: 'btn btn-small', id: `mdev-${u}-cfg-preview`, dataset: { action: 'config-preview', uuid: u }, text: 'Dry run' }),
        el('button', { type: 'button', class: 'btn btn-small btn-ghost', dataset: { action: 'config-cancel', uuid: u }, text: 'Cancel' })));
    card.append(f);
  }
  return card;
}

export function readConfig(u) {
  const get = (part) => $(`mdev-${u}-cfg-${part}`).value;
  return { adapters: parseIds(get('adapters'), 'Adapters'), domains: parseIds(get('domains'), 'Usage domains'), controlDomains: parseIds(get('control'), 'Control domains') };
}

export function clearDrafts(u) { for (const k of [...state.drafts.keys()]) if (k.startsWith(`mdev-${u}-`)) state.drafts.delete(k); }
