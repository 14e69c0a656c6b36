// The page around the tools: the host summary in the top bar, the mode banner over the grid, the tool
// tabs, and renderAll, which re-draws every view from the state.

import { renderAudit } from './audit.js';
import { renderBoot } from './boot.js';
import { renderMdevs } from './devices.js';
import { $, el } from './dom.js';
import { renderGrid } from './grid.js';
import { renderMasks } from './masks.js';
import { state, mdevName, mdevByUuid } from './state.js';

function renderHost() {
  if (!state.bus) return;
  const usage = state.domainsSeen.size;
  $('host-info').replaceChildren(
    el('span', { class: 'hi' }, el('strong', { text: String(state.adapters.length) }), ' adapters'),
    el('span', { class: 'hi' }, el('strong', { text: String(usage) }), ' usage domains'),
    el('span', { class: 'hi' }, el('strong', { text: String(state.mdevs.length) }), ' matrix devices'),
    el('span', { class: 'hi' }, el('strong', { text: String(state.mdevs.filter((m) => m.guest).length) }), state.mdevs.filter((m) => m.guest).length === 1 ? ' guest' : ' guests'),
    el('span', { class: 'hi' }, 'max ids ', el('strong', { text: `${state.bus.maxAdapterId}/${state.bus.maxDomainId}` })),
    el('span', { class: 'hi' }, 'version ', el('strong', { id: 'global-version', text: `v${state.globalVersion}` })));
  $('driver-summary').replaceChildren(...state.drivers.map((d) => el('span', { class: `drv${d.default ? ' drv-default' : ''}` },
    el('span', { 'aria-hidden': 'true', text: d.default ? '■ ' : '○ ' }), `${d.name} `, el('strong', { text: String(d.queues) }))));
}

function renderBanner() {
  const b = $('mode-banner');
  b.replaceChildren();
  let show = true;
  if (state.tab === 'masks') {
    b.className = 'mode-banner mode-masks';
    b.append(el('span', { 'aria-hidden': 'true', text: '✎ ' }), 'Mask editor: click an adapter (row) header to add an ', el('code', { text: 'apmask' }), ' term, a domain (column) header for ', el('code', { text: 'aqmask' }), '.');
  } else if (state.tab === 'mdevs') {
    const m = state.selectedMdev && mdevByUuid(state.selectedMdev);
    if (m) {
      b.className = 'mode-banner mode-assign';
      b.append(el('span', { 'aria-hidden': 'true', text: '◎ ' }), 'Assigning to ', el('strong', { text: mdevName(m) }),
        ': click a cell to add its adapter and domain, a header to assign or unassign it. ',
        el('button', { type: 'button', class: 'btn-link', text: 'Done', onclick: () => { state.selectedMdev = null; renderAll(); } }));
    } else {
      b.className = 'mode-banner';
      b.append('Choose “◎ Assign by clicking” on a matrix device, then click cells or headers to assign.');
    }
  } else {
    show = !!state.hl.audit;
    b.className = 'mode-banner';
    if (show) b.append('Showing the offending APQNs of the expanded audit record.');
  }
  b.hidden = !show;
}

export function renderAll() {
  renderHost();
  renderBanner();
  renderGrid();
  renderMasks();
  renderMdevs();
  renderBoot();
}

export function selectTab(tab, focus) {
  state.tab = tab;
  for (const t of ['masks', 'mdevs', 'boot', 'audit']) {
    const btn = $(`tab-${t}`);
    const on = t === tab;
    btn.setAttribute('aria-selected', on ? 'true' : 'false');
    btn.tabIndex = on ? 0 : -1;
    $(`panel-${t}`).hidden = !on;
  }
  if (focus) $(`tab-${tab}`).focus();
  renderBanner();
  renderGrid();
  if (tab === 'audit') renderAudit();
}
