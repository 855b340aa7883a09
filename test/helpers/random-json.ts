// Seeded generators of hostile JSON for fuzz tests: every JSON shape, nested up to any depth and
// sized up to a byte budget. Values are produced as JSON text, so a 10,000-deep value costs no
// recursion here (JSON.stringify of it would overflow the stack).
import { rng } from './random';

export { rng };

export type Random = () => number;

export const int = (random: Random, lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
export const pick = <T>(random: Random, xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

const STRINGS = [
  '', ' ', 'a', 'kk', 'ru', 'en', 'KZ-75', 'dk', 'other', 'true', '1', '-0', '__proto__', 'constructor', 'toString',
  'Қазақша', 'Русский', '😀', '\u0000', '\ud800', '\u202e', '<script>alert(1)</script>', "'; DROP TABLE responses; --",
  '%00', '../../etc/passwd', 'a'.repeat(300),
];
const NUMBERS = ['0', '-0', '1', '-1', '5', '7', '34', '0.5', '1e308', '-1e308', '1e400', '4.9e-324', '9007199254740993', '1e-7', '120', '17', '2026'];

/** A JSON string literal: a known awkward string, or random code points (surrogates and controls included). */
export function jsonString(random: Random, maxLength = 40): string {
  if (random() < 0.5) return JSON.stringify(pick(random, STRINGS));
  const n = int(random, 0, maxLength);
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = random();
    s += r < 0.6 ? String.fromCharCode(int(random, 0x20, 0x7e)) : r < 0.8 ? String.fromCharCode(int(random, 0x400, 0x4ff)) : String.fromCharCode(int(random, 0, 0xffff));
  }
  return JSON.stringify(s);
}

/** A JSON scalar literal. */
export function jsonScalar(random: Random): string {
  switch (int(random, 0, 3)) {
    case 0: return 'null';
    case 1: return random() < 0.5 ? 'true' : 'false';
    case 2: return pick(random, NUMBERS);
    default: return jsonString(random);
  }
}

/**
 * Any JSON value as text, at most `maxDepth` containers deep and about `budget` characters long
 * (it stops adding members once the budget is spent; the result may exceed it by one scalar).
 */
export function jsonValue(random: Random, maxDepth: number, budget: number): string {
  if (maxDepth <= 0 || budget < 8 || random() < 0.3) return jsonScalar(random);
  const isArray = random() < 0.5;
  const parts: string[] = [];
  let used = 2;
  const n = int(random, 0, random() < 0.9 ? 6 : 200);
  for (let i = 0; i < n && used < budget; i++) {
    const item = jsonValue(random, maxDepth - 1, Math.floor((budget - used) / Math.max(1, n - i)));
    const part = isArray ? item : `${jsonString(random, 12)}:${item}`;
    parts.push(part);
    used += part.length + 1;
  }
  return isArray ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
}

/** A value nested `depth` deep in arrays or objects (a chain, not a tree), as text. */
export function deepJson(random: Random, depth: number): string {
  const inner = jsonScalar(random);
  return random() < 0.5 ? '['.repeat(depth) + inner + ']'.repeat(depth) : '{"k":'.repeat(depth) + inner + '}'.repeat(depth);
}

/** A long JSON value near `bytes` characters: one long string, or a long array of scalars. */
export function bigJson(random: Random, bytes: number): string {
  if (random() < 0.5) return JSON.stringify('x'.repeat(Math.max(0, bytes - 2)));
  const items: string[] = [];
  let used = 2;
  while (used < bytes) {
    const s = jsonScalar(random);
    items.push(s);
    used += s.length + 1;
  }
  return `[${items.join(',')}]`;
}
