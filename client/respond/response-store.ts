// What this device remembers about a link: the response id it made (the idempotency key), when it
// started, and whether it finished — so a reload resumes and a finished link shows the thanks page.
import type { FinalStatus } from './api';

export interface StoredResponse {
  id: string;
  startedAt: number;
  status?: FinalStatus;
}

const key = (link: string) => `kelisim:response:${link}`;

export function readStoredResponse(link: string): StoredResponse | null {
  try {
    const raw = window.localStorage.getItem(key(link));
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<StoredResponse>;
    if (typeof value.id !== 'string' || typeof value.startedAt !== 'number') return null;
    return { id: value.id, startedAt: value.startedAt, ...(value.status ? { status: value.status } : {}) };
  } catch {
    return null; // storage disabled or a corrupt entry: start afresh
  }
}

export function writeStoredResponse(link: string, value: StoredResponse): void {
  try {
    window.localStorage.setItem(key(link), JSON.stringify(value));
  } catch {
    // Without storage the survey still works; only resuming after closing the tab is lost.
  }
}

/** A v4 UUID. crypto.randomUUID exists only in secure contexts (https, localhost), so plain-http
 *  deployments fall back to getRandomValues, which is available everywhere. */
export function newResponseId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
