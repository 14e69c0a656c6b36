// The audit trail: finding its end, loading the newest records, following new ones, and the filtered,
// newest-first view whose expanded refusals highlight their offenders in the grid.

import { api, ignoreAuth } from './api.js';
import { $, el } from './dom.js';
import { problemName, timeText } from './format.js';
import { renderGrid } from './grid.js';
import { state, mdevLabel } from './state.js';

const AUDIT_KEEP = 1000;
const AUDIT_INITIAL = 300;
const AUDIT_SHOW = 250;

// The audit trail lists oldest first from ?after=; find its end with a few limit=1 probes.
async function auditHas(after) {
  const r = await api('GET', `/api/audit?after=${after}&limit=1`);
  if (!r.ok) throw new Error((r.data && r.data.detail) || `HTTP ${r.status}`);
  return r.data.length > 0;
}

export async function findAuditEnd() {
  if (!(await auditHas(0))) return 0;
  let lo = 0; let hi = 64;
  while (await auditHas(hi)) { lo = hi; hi *= 4; }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await auditHas(mid)) lo = mid; else hi = mid;
  }
  return hi;
}

export async function loadAuditTail(end) {
  const after = Math.max(0, end - AUDIT_INITIAL);
  const r = await api('GET', `/api/audit?after=${after}&limit=${AUDIT_INITIAL}`);
  if (r.ok) addAudit(r.data);
}

let auditFetching = false;
let auditAgain = false;
export async function fetchAuditSince() {
  if (auditFetching) { auditAgain = true; return; }
  auditFetching = true;
  try {
    do {
      auditAgain = false;
      for (;;) {
        const r = await api('GET', `/api/audit?after=${state.auditMax}&limit=500`);
        if (!r.ok || r.data.length === 0) break;
        addAudit(r.data);
        if (r.data.length < 500) break;
      }
    } while (auditAgain);
  } catch (e) { ignoreAuth(e); } finally { auditFetching = false; }
}

function addAudit(records) {
  const known = new Set(state.audit.map((r) => r.seq));
  for (const r of records) { if (!known.has(r.seq)) state.audit.push(r); state.auditMax = Math.max(state.auditMax, r.seq); }
  state.audit.sort((x, y) => y.seq - x.seq);
  if (state.audit.length > AUDIT_KEEP) state.audit.length = AUDIT_KEEP;
  renderAudit();
}

function outcomeOf(r) {
  if (r.outcome && r.outcome.problemType) return { kind: 'refused', sym: '✖', text: `${r.outcome.status} ${problemName(r.outcome.problemType)}` };
  if (r.versionAfter !== r.versionBefore && !r.dryRun) return { kind: 'committed', sym: '✔', text: `${r.outcome ? r.outcome.status : 200} v${r.versionBefore}→v${r.versionAfter}` };
  return { kind: 'accepted', sym: '=', text: `${r.outcome ? r.outcome.status : 200} ${r.dryRun ? 'ok' : 'no-op'}` };
}

function auditMatches(r, text, outcome) {
  const o = outcomeOf(r);
  if (outcome === 'committed' && o.kind !== 'committed') return false;
  if (outcome === 'accepted' && o.kind === 'refused') return false;
  if (outcome === 'refused' && o.kind !== 'refused') return false;
  if (outcome === 'dryrun' && !r.dryRun) return false;
  if (outcome === 'real' && r.dryRun) return false;
  if (!text) return true;
  const hay = [r.seq, r.actor, r.action, r.target, r.input, o.text, r.dryRun ? 'dry run' : '', JSON.stringify(r.details || '')].join(' ').toLowerCase();
  return text.toLowerCase().split(/\s+/).filter(Boolean).every((w) => hay.includes(w));
}

export function renderAudit() {
  const body = $('audit-body');
  const text = $('audit-text').value.trim();
  const outcome = $('audit-outcome').value;
  const rows = state.audit.filter((r) => auditMatches(r, text, outcome));
  $('audit-count').textContent = state.auditMax ? String(state.auditMax) : '';
  body.replaceChildren();
  for (const r of rows.slice(0, AUDIT_SHOW)) {
    const o = outcomeOf(r);
    const open = state.auditOpen.has(r.seq);
    const tr = el('tr', { class: `audit-row outcome-${o.kind}${r.dryRun ? ' dry' : ''}`, tabindex: '0', 'aria-expanded': open ? 'true' : 'false', dataset: { seq: r.seq, outcome: o.kind } },
      el('td', { class: 'mono', text: String(r.seq) }),
      el('td', { class: 'mono', title: r.time, text: timeText(r.time) }),
      el('td', { text: r.actor }),
      el('td', null, el('span', { class: 'mono', text: r.action }), r.dryRun ? el('span', { class: 'pill pill-muted', text: 'dry run' }) : null),
      el('td', { class: 'audit-target' }, el('span', { class: 'mono', text: r.target.length > 13 && /^[0-9a-f-]{36}$/.test(r.target) ? mdevLabel(r.target) : r.target }),
        r.input != null ? el('code', { class: 'audit-input', text: r.input.length > 40 ? `${r.input.slice(0, 40)}…` : r.input }) : null),
      el('td', { class: `outcome outcome-${o.kind}` }, el('span', { 'aria-hidden': 'true', text: `${o.sym} ` }), o.text));
    body.append(tr);
    if (open) {
      const offenders = r.details && (r.details.offendingApqns || r.details.offenders);
      body.append(el('tr', { class: 'audit-detail' }, el('td', { colspan: '6' },
        el('pre', { class: 'mono', text: JSON.stringify({ input: r.input, versionBefore: r.versionBefore, versionAfter: r.versionAfter, details: r.details }, null, 2) }),
        Array.isArray(offenders) && offenders.length ? el('p', { class: 'muted', text: `Offending APQNs highlighted in the grid: ${offenders.map((x) => x.apqn).join(' ')}` }) : null)));
    }
  }
  $('audit-shown').textContent = `${Math.min(rows.length, AUDIT_SHOW)} of ${rows.length} matching records shown (${state.audit.length} loaded).`;
}

export function toggleAuditRow(tr) {
  const seq = Number(tr.dataset.seq);
  if (state.auditOpen.has(seq)) state.auditOpen.delete(seq); else state.auditOpen.add(seq);
  const rec = state.audit.find((r) => r.seq === seq);
  const offenders = rec && rec.details && (rec.details.offendingApqns || rec.details.offenders);
  state.hl.audit = state.auditOpen.has(seq) && Array.isArray(offenders) ? { offenders, rebound: [], masks: null } : null;
  renderAudit();
  renderGrid();
  const again = $('audit-body').querySelector(`tr[data-seq="${seq}"]`);
  if (again) again.focus();
}
