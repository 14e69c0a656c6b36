// The fetch wrapper for the documented /api endpoints: bearer credential, JSON bodies, If-Match versions,
// problem+json answers as data. A 401 signs the page out (through the handler main.js installs).

import { state } from './state.js';
import { toast } from './toast.js';

export class Unauthenticated extends Error {}

// What a 401 does: sign the page out. main.js installs the handler; signing in and out call api, so api cannot import them.
let unauthenticated = () => {};
export function onUnauthenticated(handler) { unauthenticated = handler; }

export async function api(method, path, { body, ifMatch } = {}) {
  const headers = { Accept: 'application/json, application/problem+json', Authorization: `Bearer ${state.cred}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (ifMatch != null) headers['If-Match'] = `"${ifMatch}"`;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    return { ok: false, status: 0, data: { title: 'The service cannot be reached', detail: String(e && e.message || e) }, etag: null };
  }
  let data = null;
  const type = res.headers.get('Content-Type') || '';
  if (res.status !== 204 && type.includes('json')) {
    try { data = await res.json(); } catch { data = null; }
  }
  const result = { ok: res.ok, status: res.status, data, etag: res.headers.get('ETag') };
  if (res.status === 401 && state.cred) {
    unauthenticated((data && data.detail) || 'The credential was refused.');
    throw new Unauthenticated('401');
  }
  return result;
}

export function ignoreAuth(e) { if (!(e instanceof Unauthenticated)) { console.error(e); toast('error', `Refresh failed: ${e.message || e}`); } }
