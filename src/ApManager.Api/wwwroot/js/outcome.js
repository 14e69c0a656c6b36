// What the page shows after a write: on success a toast and a reload; on 412 (someone changed it first)
// a reload and a warning; on a refusal the problem in the tool's area, its offenders highlighted in the grid.

import { fetchAuditSince } from './audit.js';
import { $, el } from './dom.js';
import { renderGrid } from './grid.js';
import { renderProblem } from './problem.js';
import { refreshAll } from './refresh.js';
import { state } from './state.js';
import { toast } from './toast.js';

function showProblemIn(areaId, r, context, source) {
  const area = $(areaId);
  const p = r.data || { title: `HTTP ${r.status}` };
  if (area) area.replaceChildren(renderProblem(p, r.status, context), el('button', {
    type: 'button', class: 'btn-link', text: 'Dismiss', onclick: () => { area.replaceChildren(); if (source) { state.hl[source] = null; renderGrid(); } },
  }));
  if (source) {
    state.hl[source] = { offenders: p.offendingApqns || [], rebound: [], masks: null };
    renderGrid();
  }
}

export async function handleResult(r, ctx) {
  if (r.ok) {
    if (ctx.area && $(ctx.area)) $(ctx.area).replaceChildren();
    if (ctx.source) state.hl[ctx.source] = null;
    toast('ok', typeof ctx.ok === 'function' ? ctx.ok(r.data || {}) : ctx.ok || `${ctx.what}: done.`);
    await refreshAll();
    fetchAuditSince();
    return true;
  }
  if (r.status === 412) {
    await refreshAll();
    const current = r.data && r.data.currentVersion != null ? ` (it is at version ${r.data.currentVersion} now)` : '';
    toast('warn', `${ctx.what}: refused because it changed meanwhile${current}. The view is reloaded — check it and try again.`, 10000);
    showProblemIn(ctx.area, r, `${ctx.what} — the data you saw was stale; reloaded.`, null);
    fetchAuditSince();
    return false;
  }
  showProblemIn(ctx.area, r, ctx.what, ctx.source);
  toast('error', `${ctx.what}: ${(r.data && r.data.title) || `HTTP ${r.status}`}`);
  fetchAuditSince();
  return false;
}
