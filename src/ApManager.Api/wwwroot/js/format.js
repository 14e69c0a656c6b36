// Pure formatting and parsing: kernel-style hex ids and APQNs, mask bits as the bus shows them, times, id lists.

export const hex2 = (n) => n.toString(16).padStart(2, '0');
export const hex4 = (n) => n.toString(16).padStart(4, '0');
export const apqnOf = (a, d) => `${hex2(a)}.${hex4(d)}`;
export const sortNum = (xs) => [...xs].sort((x, y) => x - y);
export const problemName = (type) => (type || '').replace(/^\/problems\//, '');

export function maskBit(mask, n) {
  if (!mask || n < 0 || n > 255) return false;
  const digit = parseInt(mask.charAt(2 + (n >> 2)), 16);
  return (digit & (8 >> (n & 3))) !== 0;
}

export function maskRanges(mask) {
  const out = [];
  let start = -1;
  for (let n = 0; n <= 256; n++) {
    const on = n < 256 && maskBit(mask, n);
    if (on && start < 0) start = n;
    if (!on && start >= 0) { out.push(start === n - 1 ? `${start}` : `${start}-${n - 1}`); start = -1; }
  }
  return out.length ? out.join(',') : 'none';
}

export function timeText(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso || '';
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

export function parseIds(text, what) {
  const ids = [];
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const range = /^(0x[0-9a-f]+|\d+)-(0x[0-9a-f]+|\d+)$/i.exec(part);
    const one = (s) => (/^0x/i.test(s) ? parseInt(s.slice(2), 16) : parseInt(s, 10));
    if (range) {
      const a = one(range[1]); const z = one(range[2]);
      if (z < a || z - a > 255) throw new Error(`${what}: bad range '${part}'`);
      for (let i = a; i <= z; i++) ids.push(i);
    } else if (/^(0x[0-9a-f]+|\d+)$/i.test(part)) {
      ids.push(one(part));
    } else {
      throw new Error(`${what}: '${part}' is not a number (decimal, 0x hex or a-b)`);
    }
  }
  return [...new Set(ids)].sort((x, y) => x - y);
}
