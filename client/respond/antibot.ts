// The respondent page's side of the open link's protection (docs/decisions/021):
// - the proof of work a new open-link response is created with, fetched and solved in the
//   background while the first page is read, so a person never waits for it (the wait, if any, is
//   measured as the performance entry 'kelisim-pow-wait'; the solving as 'kelisim-pow-solve');
// - the device's memory that it took part in a wave, so opening the link again says so.
// The solver is the ALTCHA scheme (find n with SHA-256(salt + n) = challenge) over this page's own
// synchronous SHA-256 (specialised below), in slices that yield to the page: it also works on
// plain http, where browsers offer no crypto.subtle.
import { challengeAnswer, encodePow, POW_HEADER, type PowChallenge } from '../../contract/antibot';
import { SHA256_H0, SHA256_K } from './sha256';

/** Hashes per slice before yielding to the page (~10 ms on a slow phone; a timer yield costs ≥ 4 ms, so not too many). */
const SLICE = 4000;

/**
 * A test of "SHA-256(salt + n) is the challenge" for one salt, several times faster than hashing
 * strings (measured: ~56 µs a string hash with sha256HexSync on a loaded 2-core machine): the salt's
 * whole 64-byte blocks are hashed once (the midstate), each n only adds its digits and padding to
 * the last block(s) in preallocated buffers, and the result is compared as eight words, not hex.
 */
export function saltTester(salt: string, challengeHex: string): (n: number) => boolean {
  const prefix = new TextEncoder().encode(salt);
  const target = new Uint32Array(8);
  for (let i = 0; i < 8; i++) target[i] = parseInt(challengeHex.slice(8 * i, 8 * i + 8), 16) >>> 0;
  const w = new Uint32Array(64);
  const compress = (h: Uint32Array, buf: Uint8Array, off: number) => {
    for (let i = 0; i < 16; i++) {
      const j = off + 4 * i;
      w[i] = (buf[j]! << 24) | (buf[j + 1]! << 16) | (buf[j + 2]! << 8) | buf[j + 3]!;
    }
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = w[i - 16]! + s0 + w[i - 7]! + s1;
    }
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + SHA256_K[i]! + w[i]!) | 0;
      const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] = h[0]! + a; h[1] = h[1]! + b; h[2] = h[2]! + c; h[3] = h[3]! + d;
    h[4] = h[4]! + e; h[5] = h[5]! + f; h[6] = h[6]! + g; h[7] = h[7]! + hh;
  };
  const fixed = Math.floor(prefix.length / 64) * 64;
  const mid = Uint32Array.from(SHA256_H0);
  for (let off = 0; off < fixed; off += 64) compress(mid, prefix, off);
  const rest = prefix.length - fixed;
  const tail = new Uint8Array(192);
  tail.set(prefix.subarray(fixed));
  const h = new Uint32Array(8);
  return (n: number) => {
    const digits = String(n);
    let len = rest;
    for (let i = 0; i < digits.length; i++) tail[len++] = digits.charCodeAt(i);
    const total = Math.ceil((len + 9) / 64) * 64;
    tail.fill(0, len, total);
    tail[len] = 0x80;
    const bits = (prefix.length + digits.length) * 8;
    tail[total - 4] = (bits >>> 24) & 255;
    tail[total - 3] = (bits >>> 16) & 255;
    tail[total - 2] = (bits >>> 8) & 255;
    tail[total - 1] = bits & 255;
    h.set(mid);
    for (let off = 0; off < total; off += 64) compress(h, tail, off);
    for (let i = 0; i < 8; i++) if (h[i] !== target[i]) return false;
    return true;
  };
}

/** The secret number of an ALTCHA challenge, or null when there is none up to its maxnumber. */
export async function solvePow(c: PowChallenge): Promise<number | null> {
  const test = saltTester(c.salt, c.challenge);
  for (let start = 0; start <= c.maxnumber; start += SLICE) {
    const end = Math.min(c.maxnumber, start + SLICE - 1);
    for (let n = start; n <= end; n++) if (test(n)) return n;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return null;
}

/** The POW_HEADER value for `link`'s next new response, being prepared (null: none offered or it failed). */
const proofs = new Map<string, Promise<string | null>>();

async function fetchAndSolve(link: string): Promise<string | null> {
  try {
    performance.mark('kelisim-pow-start');
    const res = await fetch(`/api/links/${encodeURIComponent(link)}/challenge`, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    if (!res.ok) return null;
    const answer = challengeAnswer.safeParse(await res.json());
    // Solved even where the server does not insist (KELISIM_ANTIBOT=off): a person's answers then
    // still carry their proof, and only scripts are flagged as automation.
    if (!answer.success || !answer.data.challenge) return null;
    const c = answer.data.challenge;
    const number = await solvePow(c);
    performance.measure('kelisim-pow-solve', 'kelisim-pow-start');
    return number === null ? null : encodePow({ algorithm: c.algorithm, challenge: c.challenge, number, salt: c.salt, signature: c.signature });
  } catch {
    return null; // offline now: the write will say so itself
  }
}

// The solving is CPU work on the page's own thread: begun while the first page is being drawn, it
// slowed that drawing down (measured on a warm visit, 4G, CPU 4×: the first question ~0.2 s later
// than with no network, where no proof is prepared). It waits until the first page is on screen
// (firstPageShown), or 3 s at most; the respondent takes longer than that to answer a first question.
let shown: () => void = () => {};
const firstPageOnScreen = new Promise<void>((resolve) => {
  shown = resolve;
});

/** The respondent page's first page (light or survey-core's) is on screen: the proof may be solved now. */
export function firstPageShown(): void {
  shown();
}

/** Starts preparing the proof of work for a new response through the open link `link` (once). */
export function preparePow(link: string): void {
  if (!proofs.has(link)) {
    const drawn = Promise.race([firstPageOnScreen, new Promise<void>((resolve) => setTimeout(resolve, 3000))]);
    proofs.set(link, drawn.then(() => fetchAndSolve(link)));
  }
}

/** The headers the next write to `link` carries: the proof, waited for if still being solved. */
export async function powHeaders(link: string): Promise<Record<string, string>> {
  const pending = proofs.get(link);
  if (!pending) return {};
  const started = performance.now();
  const proof = await pending;
  const waited = performance.now() - started;
  if (waited > 1) performance.measure('kelisim-pow-wait', { start: started, duration: waited });
  return proof ? { [POW_HEADER]: proof } : {};
}

/** The response exists now: no later write needs the proof. */
export function spendPow(link: string): void {
  proofs.delete(link);
}

/** The server refused the proof (expired after a long first page, or used): solve a new one. */
export function renewPow(link: string): void {
  proofs.set(link, fetchAndSolve(link));
}

/** Codes with which the server refuses a missing, invalid or used proof of work. */
export const POW_REFUSALS: readonly string[] = ['pow_required', 'pow_invalid', 'pow_reused'];

// --- One device, one interview ---------------------------------------------------------------

const tookPartKey = (waveId: number) => `kelisim:took-part:${waveId}`;

/** Remembers on this device that it completed an interview of wave `waveId`. */
export function rememberTakingPart(waveId: number): void {
  try {
    localStorage.setItem(tookPartKey(waveId), new Date().toISOString().slice(0, 10));
  } catch {
    // Storage full or disabled: the limits and the run's flags remain the backstop.
  }
}

/** Whether this device completed an interview of wave `waveId` (clearing storage forgets it). */
export function tookPart(waveId: number): boolean {
  try {
    return localStorage.getItem(tookPartKey(waveId)) !== null;
  } catch {
    return false;
  }
}
