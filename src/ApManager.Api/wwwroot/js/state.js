// The page's one state object, shared by every module (they change its fields, never rebind it),
// and the matrix device look-ups everything uses.

export const state = {
  cred: null,
  bus: null,
  adapters: [],
  queues: [],
  mdevs: [],
  drivers: [],
  host: null,
  globalVersion: 0,
  queueMap: new Map(),
  matrixOwner: new Map(),
  domainsSeen: new Set(),
  audit: [],
  auditMax: 0,
  lastEventSeq: 0,
  es: null,
  live: 'offline',
  needResync: false,
  focusKey: null,
  pinnedKey: null,
  hoverKey: null,
  tab: 'masks',
  selectedMdev: null,
  hl: { mask: null, mdev: null, audit: null },
  maskPreview: null,
  openConfig: new Set(),
  confirmDelete: null,
  drafts: new Map(),
  auditOpen: new Set(),
  lastEvent: null,
  lastEventGroup: null,
};

export function mdevName(m) { return m ? (m.name || m.uuid.slice(0, 8)) : ''; }
export function mdevByUuid(uuid) { return state.mdevs.find((m) => m.uuid === uuid) || null; }
export function mdevLabel(uuid) { const m = mdevByUuid(uuid); return m ? mdevName(m) : (uuid ? uuid.slice(0, 8) : ''); }
