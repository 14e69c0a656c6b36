// What the tools do: Apply a mask write, configure an adapter, set an adapter or queue online or offline,
// the matrix device tool's buttons and forms (create, delete, attach/detach a guest, replace or dry-run
// the configuration, choose the device to assign to, define or undefine it for the next boot), the simulated reboot and assigning by clicking a grid cell or header. Every write carries If-Match where it acts on a
// shown version and hands its answer to outcome.js.

import { api, ignoreAuth } from './api.js';
import { fetchAuditSince } from './audit.js';
import { renderBoot } from './boot.js';
import { renderMdevs, readConfig, clearDrafts } from './devices.js';
import { $ } from './dom.js';
import { hex2, hex4, apqnOf, sortNum } from './format.js';
import { renderGrid } from './grid.js';
import { currentAttr, cancelPreview, toggleMaskTerm } from './masks.js';
import { handleResult } from './outcome.js';
import { state, mdevName, mdevByUuid } from './state.js';
import { toast } from './toast.js';
import { renderAll } from './view.js';

export async function applyMask(ev) {
  ev.preventDefault();
  const input = $('mask-input').value;
  const attr = currentAttr();
  if (input === '' || !state.bus) return;
  $('mask-apply').disabled = true;
  cancelPreview();
  try {
    const r = await api('PUT', `/api/bus/${attr}`, { body: { mask: input }, ifMatch: state.bus.version });
    if (r.ok) {
      $('mask-input').value = '';
      state.hl.mask = null; state.maskPreview = null;
      $('mask-preview').replaceChildren();
      $('mask-preview').dataset.state = 'empty';
    }
    await handleResult(r, {
      area: 'mask-preview', source: 'mask', what: `Write ${attr} ${JSON.stringify(input)}`,
      ok: (d) => `${attr} written (bus v${d.version})${d.rebound && d.rebound.length ? `: ${d.rebound.length} queue${d.rebound.length === 1 ? '' : 's'} rebound` : ''}.`,
    });
  } catch (e) { ignoreAuth(e); }
}

export async function setConfigured(adapter, configured) {
  try {
    const r = await api('PUT', `/api/adapters/${adapter.id}/configured`, { body: { configured }, ifMatch: adapter.version });
    await handleResult(r, {
      area: 'details-problem', source: null, what: `${configured ? 'Configure' : 'Deconfigure'} adapter ${hex2(adapter.id)}`,
      ok: (d) => `Adapter ${hex2(adapter.id)} ${configured ? 'configured' : 'deconfigured'}${d.rebound && d.rebound.length ? `, ${d.rebound.length} queues rebound` : ''}.`,
    });
  } catch (e) { ignoreAuth(e); }
}

// zcrypt's online switch (chzcrypt -e/-d) of an adapter (its zcrypt queues follow) or of one queue.
export async function setOnline(kind, item, online) {
  const adapter = kind === 'adapter';
  const name = adapter ? `adapter ${hex2(item.id)}` : `queue ${item.apqn}`;
  const path = adapter ? `/api/adapters/${item.id}/online` : `/api/queues/${item.apqn}/online`;
  try {
    const r = await api('PUT', path, { body: { online }, ifMatch: item.version });
    await handleResult(r, {
      area: 'details-problem', source: null, what: `Set ${name} ${online ? 'online' : 'offline'}`,
      ok: `${name.charAt(0).toUpperCase()}${name.slice(1)} set ${online ? 'online' : 'offline'}.`,
    });
  } catch (e) { ignoreAuth(e); }
}

export async function mdevAction(action, u) {
  const m = mdevByUuid(u);
  if (!m) return;
  const name = mdevName(m);
  try {
    switch (action) {
      case 'select':
        state.selectedMdev = state.selectedMdev === u ? null : u;
        renderAll();
        break;
      case 'config':
        if (state.openConfig.has(u)) state.openConfig.delete(u); else state.openConfig.add(u);
        renderMdevs();
        if (state.openConfig.has(u)) $(`mdev-${u}-cfg-adapters`).focus();
        break;
      case 'config-cancel':
        state.openConfig.delete(u); clearDrafts(u); renderMdevs();
        break;
      case 'config-preview':
      case 'replace': {
        let body;
        try { body = readConfig(u); } catch (e) { toast('error', e.message); return; }
        const dry = action === 'config-preview';
        const r = await api('PUT', `/api/mdevs/${u}/config${dry ? '?dryRun=true' : ''}`, { body, ifMatch: m.version });
        if (dry && r.ok) {
          $('mdev-problem').replaceChildren();
          state.hl.mdev = null; renderGrid();
          toast('ok', `Dry run for ${name}: accepted; the matrix would be ${r.data.matrix.join(' ') || 'empty'}.`);
          fetchAuditSince();
          return;
        }
        const ok = await handleResult(r, { area: 'mdev-problem', source: 'mdev', what: `${dry ? 'Dry run: replace' : 'Replace'} the configuration of ${name}`, ok: `Configuration of ${name} replaced.` });
        if (ok && !dry) { state.openConfig.delete(u); clearDrafts(u); renderMdevs(); }
        break;
      }
      case 'attach': {
        const guest = $(`mdev-${u}-guest`).value.trim();
        if (!guest) { toast('warn', 'Type a guest name first.'); $(`mdev-${u}-guest`).focus(); return; }
        const r = await api('PUT', `/api/mdevs/${u}/guest`, { body: { name: guest }, ifMatch: m.version });
        if (await handleResult(r, { area: 'mdev-problem', source: 'mdev', what: `Attach guest ${guest} to ${name}`, ok: `Guest ${guest} attached to ${name}.` })) {
          state.drafts.delete(`mdev-${u}-guest`);
        }
        break;
      }
      case 'detach': {
        const r = await api('DELETE', `/api/mdevs/${u}/guest`, { ifMatch: m.version });
        await handleResult(r, { area: 'mdev-problem', source: 'mdev', what: `Detach guest ${m.guest} from ${name}`, ok: `Guest ${m.guest} detached from ${name}.` });
        break;
      }
      case 'define': {
        // mdevctl define -a: the device as configured now, started at boot. If-Match compares the definitions version.
        const body = { start: 'auto', adapters: m.adapters, domains: m.domains, controlDomains: m.controlDomains };
        const r = await api('PUT', `/api/mdevs/${u}/definition`, { body, ifMatch: state.defsVersion || null });
        await handleResult(r, { area: 'mdev-problem', source: 'mdev', what: `Define ${name} (start auto)`, ok: `${name} defined (start auto); After reboot shows whether it comes back.` });
        break;
      }
      case 'undefine': {
        const r = await api('DELETE', `/api/mdevs/${u}/definition`, { ifMatch: state.defsVersion || null });
        await handleResult(r, { area: 'mdev-problem', source: 'mdev', what: `Remove the definition of ${name}`, ok: `Definition of ${name} removed: it does not come back after a reboot.` });
        break;
      }
      case 'delete': {
        if (state.confirmDelete !== u) {
          state.confirmDelete = u; renderMdevs(); $(`mdev-${u}-delete`).focus();
          setTimeout(() => { if (state.confirmDelete === u) { state.confirmDelete = null; renderMdevs(); } }, 5000);
          return;
        }
        state.confirmDelete = null;
        const r = await api('DELETE', `/api/mdevs/${u}`, { ifMatch: m.version });
        if (await handleResult(r, { area: 'mdev-problem', source: 'mdev', what: `Delete ${name}`, ok: `Matrix device ${name} deleted.` })) {
          if (state.selectedMdev === u) state.selectedMdev = null;
          renderAll();
        } else renderMdevs();
        break;
      }
      default:
    }
  } catch (e) { ignoreAuth(e); }
}

// The simulated host only (the button is hidden on a real one; the service answers 403 to non-admins):
// a first click asks for confirmation, the second reboots at the shown global version.
export async function rebootHost() {
  if (!state.confirmReboot) {
    state.confirmReboot = true; renderBoot();
    setTimeout(() => { if (state.confirmReboot) { state.confirmReboot = false; renderBoot(); } }, 5000);
    return;
  }
  state.confirmReboot = false; renderBoot();
  try {
    const r = await api('POST', '/api/host/reboot', { ifMatch: state.globalVersion });
    await handleResult(r, {
      area: 'boot-problem', source: null, what: 'Simulate a reboot',
      ok: (d) => `The simulated host rebooted (v${d.version}): ${d.preview ? d.preview.started.length : 0} matrix device(s) started, guests gone.`,
    });
  } catch (e) { ignoreAuth(e); }
}

export async function createMdev(ev) {
  ev.preventDefault();
  const name = $('create-name').value.trim();
  const uuid = $('create-uuid').value.trim();
  const body = {};
  if (name) body.name = name;
  if (uuid) body.uuid = uuid;
  try {
    // No If-Match: creating acts on no displayed state, and the global version moves with every change anywhere.
    const r = await api('POST', '/api/mdevs', { body });
    if (await handleResult(r, { area: 'mdev-problem', source: 'mdev', what: `Create matrix device ${name || uuid || ''}`.trim(), ok: (d) => `Matrix device ${mdevName(d)} created (${d.uuid}).` })) {
      $('create-name').value = ''; $('create-uuid').value = '';
      if (r.data && r.data.uuid) { state.selectedMdev = r.data.uuid; renderAll(); }
    }
  } catch (e) { ignoreAuth(e); }
}

async function assignCell(a, d) {
  const m = mdevByUuid(state.selectedMdev);
  if (!m) return;
  const apqn = apqnOf(a, d);
  const name = mdevName(m);
  if (m.adapters.includes(a) && m.domains.includes(d)) {
    toast('info', `${apqn} is already in ${name}'s matrix. Click the adapter or domain header to unassign it.`);
    return;
  }
  const body = { adapters: sortNum(new Set([...m.adapters, a])), domains: sortNum(new Set([...m.domains, d])), controlDomains: m.controlDomains };
  try {
    const r = await api('PUT', `/api/mdevs/${m.uuid}/config`, { body, ifMatch: m.version });
    await handleResult(r, { area: 'mdev-problem', source: 'mdev', what: `Add ${apqn} to ${name}`, ok: `${apqn} added to ${name} (adapter ${hex2(a)}, domain ${hex4(d)}).` });
  } catch (e) { ignoreAuth(e); }
}

async function toggleAssignment(kind, id) {
  const m = mdevByUuid(state.selectedMdev);
  if (!m) return;
  const assigned = m[kind].includes(id);
  const name = mdevName(m);
  const what = `${assigned ? 'Unassign' : 'Assign'} ${kind === 'adapters' ? `adapter ${hex2(id)}` : `domain ${hex4(id)}`} ${assigned ? 'from' : 'to'} ${name}`;
  try {
    const r = await api(assigned ? 'DELETE' : 'PUT', `/api/mdevs/${m.uuid}/${kind}/${id}`, { ifMatch: m.version });
    await handleResult(r, { area: 'mdev-problem', source: 'mdev', what, ok: `${what}: done.` });
  } catch (e) { ignoreAuth(e); }
}

// What Enter, Space or a click on a grid cell or header does in the current tool, once the grid has selected it.
export function actOnGrid(t) {
  const key = t.dataset.key;
  if (key.startsWith('cell:')) {
    if (state.tab === 'mdevs' && state.selectedMdev) assignCell(Number(t.dataset.adapter), Number(t.dataset.domain));
  } else if (key.startsWith('ad:')) {
    const id = Number(t.dataset.adapter);
    if (state.tab === 'masks') toggleMaskTerm('apmask', id);
    else if (state.tab === 'mdevs' && state.selectedMdev) toggleAssignment('adapters', id);
  } else if (key.startsWith('dom:')) {
    const id = Number(t.dataset.domain);
    if (state.tab === 'masks') toggleMaskTerm('aqmask', id);
    else if (state.tab === 'mdevs' && state.selectedMdev) toggleAssignment('domains', id);
  }
}
