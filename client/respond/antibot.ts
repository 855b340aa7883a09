// The respondent page's side of the open link's protection (docs/decisions/021):
// - the proof of work a new open-link response is created with, fetched and solved in the
//   background while the first page is read, so a person never waits for it (the wait, if any, is
//   measured as the performance entry 'kelisim-pow-wait'; the solving as 'kelisim-pow-solve');
// - the device's memory that it took part in a wave, so opening the link again says so.
// The solver is the ALTCHA scheme (find n with SHA-256(salt + n) = challenge) over this page's own
// synchronous SHA-256, in slices that yield to the page: it also works on plain http, where
// browsers offer no crypto.subtle.
import { challengeAnswer, encodePow, POW_HEADER, type PowChallenge } from '../../contract/antibot';
import { sha256HexSync } from './sha256';

/** Hashes per slice before yielding to the page (a few milliseconds on a phone). */
const SLICE = 1500;

/** The secret number of an ALTCHA challenge, or null when there is none up to its maxnumber. */
export async function solvePow(c: PowChallenge): Promise<number | null> {
  for (let start = 0; start <= c.maxnumber; start += SLICE) {
    const end = Math.min(c.maxnumber, start + SLICE - 1);
    for (let n = start; n <= end; n++) if (sha256HexSync(c.salt + n) === c.challenge) return n;
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

/** Starts preparing the proof of work for a new response through the open link `link` (once). */
export function preparePow(link: string): void {
  if (!proofs.has(link)) proofs.set(link, fetchAndSolve(link));
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
