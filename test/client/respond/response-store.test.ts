import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  acknowledgeLocalAnswers,
  chooseStartingState,
  clearLocalAnswers,
  linkStoreKey,
  migrateLegacyEntry,
  readLocalAnswers,
  readStoredResponse,
  writeLocalAnswers,
  writeStoredResponse,
  type KeyValueStore,
  type LocalAnswers,
} from '../../../client/respond/response-store';

/** localStorage's behaviour on a Map; `full` makes every write throw as a full quota does. */
function memoryStore(): KeyValueStore & { map: Map<string, string>; full: boolean } {
  const map = new Map<string, string>();
  return {
    map,
    full: false,
    getItem: (k) => map.get(k) ?? null,
    setItem(k, v) {
      if (this.full) throw new DOMException('quota', 'QuotaExceededError');
      map.set(k, v);
    },
    removeItem: (k) => void map.delete(k),
  };
}

const SERVER = { data: { adult: true }, currentPageNo: 1, locale: 'ru' };
const local = (over: Partial<LocalAnswers> = {}): LocalAnswers => ({
  id: 'r1',
  surveyVersionId: 7,
  data: { adult: true, sex: 'f' },
  currentPageNo: 2,
  locale: 'kk',
  savedAt: 200,
  ...over,
});

describe('chooseStartingState', () => {
  test('a local copy the server never confirmed wins and is to be pushed', () => {
    for (const ackedAt of [undefined, 100, 199]) {
      const choice = chooseStartingState(SERVER, local({ ackedAt }), 'r1', 7);
      expect(choice).toEqual({ state: { data: { adult: true, sex: 'f' }, currentPageNo: 2, locale: 'kk' }, fromLocal: true, localSavedAt: 200 });
    }
  });

  test('a confirmed local copy gives way to the server (which may hold answers from another device)', () => {
    expect(chooseStartingState(SERVER, local({ ackedAt: 200 }), 'r1', 7)).toEqual({ state: SERVER, fromLocal: false, localSavedAt: 200 });
  });

  test('nothing on the server yet: the unconfirmed local copy, else an empty start', () => {
    expect(chooseStartingState(null, local(), 'r1', 7).state.data).toEqual({ adult: true, sex: 'f' });
    expect(chooseStartingState(null, null, 'r1', 7)).toEqual({ state: { data: {}, currentPageNo: 0, locale: null }, fromLocal: false, localSavedAt: 0 });
  });

  test('a copy for another response or questionnaire version is ignored', () => {
    expect(chooseStartingState(SERVER, local({ id: 'r2' }), 'r1', 7)).toEqual({ state: SERVER, fromLocal: false, localSavedAt: 0 });
    expect(chooseStartingState(SERVER, local({ surveyVersionId: 8 }), 'r1', 7)).toEqual({ state: SERVER, fromLocal: false, localSavedAt: 0 });
  });
});

describe('local answers in storage', () => {
  test('each copy is later than the last (even if the clock goes back) and keeps the acknowledgement', () => {
    const store = memoryStore();
    const { savedAt: _s, ...answers } = local();
    const first = writeLocalAnswers('k', answers, 0, store);
    acknowledgeLocalAnswers('k', 'r1', first, store);
    expect(readLocalAnswers('k', store)?.ackedAt).toBe(first);
    const second = writeLocalAnswers('k', { ...answers, data: { adult: false } }, Date.now() + 60_000, store);
    expect(second).toBeGreaterThan(first);
    const third = writeLocalAnswers('k', answers, 0, store);
    expect(third).toBeGreaterThan(second);
    expect(readLocalAnswers('k', store)).toMatchObject({ savedAt: third, ackedAt: first });
    // An acknowledgement never moves back.
    acknowledgeLocalAnswers('k', 'r1', second, store);
    acknowledgeLocalAnswers('k', 'r1', first, store);
    expect(readLocalAnswers('k', store)?.ackedAt).toBe(second);
    // Acknowledged up to the copy on disk: the server is as new as this device.
    acknowledgeLocalAnswers('k', 'r1', third, store);
    expect(chooseStartingState(SERVER, readLocalAnswers('k', store), 'r1', 7).fromLocal).toBe(false);
  });

  test('a full storage removes the older copy rather than leaving a stale one to win later', () => {
    const store = memoryStore();
    const { savedAt: _s, ...answers } = local();
    writeLocalAnswers('k', answers, 0, store);
    store.full = true;
    expect(() => writeLocalAnswers('k', { ...answers, data: {} }, 0, store)).not.toThrow();
    expect(readLocalAnswers('k', store)).toBeNull();
  });

  test('missing storage, corrupt entries and clearing never throw', () => {
    expect(readLocalAnswers('k', null)).toBeNull();
    expect(readStoredResponse('k', null)).toBeNull();
    expect(() => writeStoredResponse('k', { id: 'r1', startedAt: 1 }, null)).not.toThrow();
    const store = memoryStore();
    store.map.set('kelisim:v2:answers:k', '{not json');
    expect(readLocalAnswers('k', store)).toBeNull();
    writeStoredResponse('k', { id: 'r1', startedAt: 1, status: 'complete' }, store);
    const { savedAt: _s, ...answers } = local();
    writeLocalAnswers('k', answers, 0, store);
    clearLocalAnswers('k', store);
    expect(readLocalAnswers('k', store)).toBeNull();
    expect(readStoredResponse('k', store)).toEqual({ id: 'r1', startedAt: 1, status: 'complete' });
  });
});

describe('storage keys', () => {
  const token = 'Hq3_-rV9xk2mZpA7bN0cYtL4wE8sD1fG6hJ5uI2oP3q';

  test('a link is stored under 32 hex characters of its SHA-256, never in clear', async () => {
    const key = await linkStoreKey(token);
    expect(key).toBe(createHash('sha256').update(token).digest('hex').slice(0, 32));
    const store = memoryStore();
    writeStoredResponse(key, { id: 'r1', startedAt: 1 }, store);
    writeLocalAnswers(key, { id: 'r1', surveyVersionId: 7, data: {}, currentPageNo: 0, locale: 'kk' }, 0, store);
    for (const k of store.map.keys()) expect(k).not.toContain(token);
  });

  test('an entry under the old raw-link key moves to the hashed key', async () => {
    const key = await linkStoreKey(token);
    const store = memoryStore();
    store.map.set(`kelisim:response:${token}`, JSON.stringify({ id: 'r1', startedAt: 5 }));
    migrateLegacyEntry(token, key, store);
    expect(readStoredResponse(key, store)).toEqual({ id: 'r1', startedAt: 5 });
    expect([...store.map.keys()].some((k) => k.includes(token))).toBe(false);
  });

  test('with a full storage the old entry is kept for the next load, not lost', async () => {
    const key = await linkStoreKey(token);
    const store = memoryStore();
    store.map.set(`kelisim:response:${token}`, JSON.stringify({ id: 'r1', startedAt: 5 }));
    store.full = true;
    migrateLegacyEntry(token, key, store);
    expect(store.map.get(`kelisim:response:${token}`)).toBeDefined();
    store.full = false;
    migrateLegacyEntry(token, key, store);
    expect(readStoredResponse(key, store)).toEqual({ id: 'r1', startedAt: 5 });
  });
});
