// Quotas on the store, on the engine KELISIM_TEST_DB names (decision 027): targets set and audited,
// places held, counted, refused and released through claimQuotaPlace in a write, and the race of
// several app servers: two stores (two connections or pools) on ONE database asking at once for the
// last places of a cell get exactly the places there are.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from '../../../server/db/open';
import { auditLog, quotaReservations, responses } from '../../../server/db/schema';
import type { Store } from '../../../server/db/store';
import { createSqliteStore } from '../../../server/db/store-sqlite';
import { DomainError } from '../../../server/errors';
import { claimQuotaPlace, QUOTA_HOLD_MS, quotaFill, releaseAbandoned, screenReasonOf, setQuotas, type QuotaStage } from '../../../server/quotas/service';
import { importResponsesTable } from '../../../server/responses/import';
import { parseCsvText } from '../../../server/tables/read-table';
import { MINI_SURVEYS_DIR } from '../../helpers/app';
import { seedSurveyAndWave } from '../../helpers/seed';
import { createTestStore, type TestStore } from '../../helpers/store';

let t: TestStore;
let store: Store;
let waveId: number;
beforeEach(async () => {
  t = await createTestStore();
  store = t.store;
  ({ waveId } = await seedSurveyAndWave(store, MINI_SURVEYS_DIR));
});
afterEach(async () => { await t.cleanup(); });

const T0 = new Date('2026-11-29T08:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MIN = 60_000;
const about = (over: Record<string, unknown> = {}) => ({ adult: true, resident: true, consent: true, region: 'KZ-75', settlement: 'urban', sex: 'f', age: 34, ...over });
const claim = (s: Store, responseId: string, data: Record<string, unknown>, stage: QuotaStage, now: Date) =>
  s.write((tx) => claimQuotaPlace(tx, { waveId, responseId, data, stage }, now));
const cell = async (now = T0) => (await quotaFill(store.sql, waveId, now)).cells.find((c) => c.region === 'KZ-75' && c.sex === 'f' && c.ageBand === '30-44')!;

describe('targets', () => {
  it('sets targets with an audit entry, refuses bad ones naming the entry, and an unknown wave naming the waves there are', async () => {
    await setQuotas(store, waveId, [{ region: 'KZ-75', sex: 'm', ageBand: '60+', target: 4 }, { region: 'KZ-71', sex: 'f', ageBand: '18-29', target: 5 }, { region: 'KZ-75', sex: 'f', ageBand: '18-29', target: 3 }], 'test:a', T0);
    const fill = await setQuotas(store, waveId, [{ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 2 }, { region: 'KZ-71', sex: 'm', ageBand: '18-29', target: 1 }], 'test:b', at(MIN));
    // Ordered by region, sex and band as SQLite sorts bytes, on both engines.
    expect(fill.cells.map((c) => `${c.region}/${c.sex}/${c.ageBand}=${c.target}`)).toEqual(['KZ-71/m/18-29=1', 'KZ-75/f/30-44=2']);
    const audits = await store.sql.all<{ actor: string; before: string; after: string }>(sql`
      SELECT ${auditLog.actor} AS "actor", CAST(${auditLog.before} AS TEXT) AS "before", CAST(${auditLog.after} AS TEXT) AS "after" FROM ${auditLog} WHERE ${auditLog.action} = 'quota.set' ORDER BY ${auditLog.id}`);
    expect(audits.map((a) => a.actor)).toEqual(['test:a', 'test:b']);
    expect((JSON.parse(audits[1]!.before) as { region: string }[]).map((c) => c.region)).toEqual(['KZ-71', 'KZ-75', 'KZ-75']);
    expect(JSON.parse(audits[1]!.after)).toMatchObject({ targets: [{ region: 'KZ-71' }, { region: 'KZ-75' }], placedExisting: { completed: 0, partial: 0 } });
    const err = await setQuotas(store, waveId, [{ region: 'KZ-99', sex: 'f', ageBand: '18-29', target: 1 }], 'test', T0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).message).toMatch(/^targets\[0\]\.region: unknown region code "KZ-99"/);
    await expect(setQuotas(store, 999, [], 'test', T0)).rejects.toThrow(`--wave 999: no such wave; existing waves: ${waveId}`);
    expect((await quotaFill(store.sql, waveId, T0)).cells).toHaveLength(2);
  });
});

describe('places', () => {
  it('held by a partial save, counted by a completion, refused when the cell is full, released after 2 h without a save', async () => {
    await setQuotas(store, waveId, [{ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 2 }], 'test', T0);
    const [a, b, c, d] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    expect(await claim(store, a, { adult: true }, 'partial', T0)).toBe('admitted');
    expect(await cell()).toMatchObject({ reserved: 0 });
    expect(await claim(store, a, about(), 'partial', T0)).toBe('admitted');
    expect(await claim(store, b, about({ age: 44 }), 'partial', T0)).toBe('admitted');
    expect(await claim(store, c, about({ age: 30 }), 'partial', at(MIN))).toBe('quota_full');
    expect(await screenReasonOf(store.sql, c)).toBe('quota_full');
    expect(await screenReasonOf(store.sql, a)).toBeUndefined();
    expect(await claim(store, a, about(), 'complete', at(2 * MIN))).toBe('admitted');
    expect(await cell(at(2 * MIN))).toMatchObject({ target: 2, reserved: 1, completed: 1, refused: 1, overshoot: 0 });
    // b screens itself out: its place is given back, and d takes it.
    expect(await claim(store, b, about({ age: 44, consent: false }), 'screened_out', at(3 * MIN))).toBe('admitted');
    expect(await claim(store, d, about({ age: 40 }), 'partial', at(4 * MIN))).toBe('admitted');
    // d abandons: after 2 h the place is free for the fill and for the next respondent, and the sweep records it.
    const later = at(4 * MIN + QUOTA_HOLD_MS + 1000);
    expect(await cell(later)).toMatchObject({ reserved: 0, completed: 1 });
    expect(await releaseAbandoned(store, later)).toBe(1);
    expect(await store.sql.get(sql`SELECT ${quotaReservations.state} AS "state" FROM ${quotaReservations} WHERE ${quotaReservations.responseId} = ${d}`)).toEqual({ state: 'released' });
    expect(await claim(store, c, about({ age: 31 }), 'partial', later)).toBe('admitted');
    // Outside any cell: not limited, shown apart.
    expect(await claim(store, randomUUID(), about({ region: 'KZ-71' }), 'complete', later)).toBe('admitted');
    expect((await quotaFill(store.sql, waveId, later)).outside).toEqual({ reserved: 0, completed: 1 });
  });
});

describe('several app servers on one database', () => {
  it('two stores racing for the last places of a cell: exactly the target are granted, the others refused', async () => {
    // The second "server": its own pool on the same PostgreSQL database, or its own connection to the same SQLite file.
    let other: Store;
    if (t.engine === 'postgres') {
      const { openPg } = await import('../../../server/db/open-pg');
      const { createPgStore } = await import('../../../server/db/store-pg');
      other = createPgStore((await openPg(t.location.url!, { migrateSchema: false })).$client);
    } else {
      other = createSqliteStore(openDb(t.location.file!, { migrateSchema: false }));
    }
    try {
      const TARGET = 10;
      const TAKEN = 5;
      const CLIENTS = 60;
      await setQuotas(store, waveId, [{ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: TARGET }], 'test', T0);
      for (let i = 0; i < TAKEN; i++) expect(await claim(store, randomUUID(), about({ age: 30 + i }), 'complete', T0)).toBe('admitted');
      const started = performance.now();
      const verdicts = await Promise.all(Array.from({ length: CLIENTS }, (_, i) =>
        claim(i % 2 === 0 ? store : other, randomUUID(), about({ age: 30 + (i % 15) }), i % 3 === 0 ? 'partial' : 'complete', at(MIN))));
      const ms = performance.now() - started;
      const admitted = verdicts.filter((v) => v === 'admitted').length;
      console.log(`[quota race, ${t.engine}] two stores, ${CLIENTS} concurrent reservations for the last ${TARGET - TAKEN} places: ${admitted} admitted, ${CLIENTS - admitted} refused, in ${ms.toFixed(0)} ms`);
      expect(admitted).toBe(TARGET - TAKEN);
      expect(await cell(at(MIN))).toMatchObject({ target: TARGET, overshoot: 0, refused: CLIENTS - (TARGET - TAKEN) });
      const live = await other.sql.get<{ n: number }>(sql`SELECT count(*) AS "n" FROM ${quotaReservations} WHERE ${quotaReservations.waveId} = ${waveId} AND ${quotaReservations.state} IN ('held', 'counted')`);
      expect(live).toEqual({ n: TARGET });
    } finally {
      // (SQLite: closing the second connection; the test's own store is closed by cleanup.)
      await other.close();
    }
  });
});

describe('imports', () => {
  const HEADER = 'response_id,adult,resident,consent,region,settlement,sex,age,ethnicity,a1,a2,a3,b1,b2,c1,c5';
  const line = (id: string, age: number, sex = 'f') => `${id},true,true,true,KZ-75,urban,${sex},${age},kazakh,4,5,2,1,dk,3,7`;
  const csv = (...lines: string[]) => parseCsvText([HEADER, ...lines].join('\n'), 'field.csv');
  const stored = async () => (await store.sql.all<{ id: string }>(sql`SELECT ${responses.id} AS "id" FROM ${responses} ORDER BY ${responses.id}`)).map((r) => r.id);

  it('counts imported interviews even in a full cell, never refusing them; a re-import changes nothing; one conflicting id and nothing is written', async () => {
    await setQuotas(store, waveId, [{ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 2 }], 'test', T0);
    const first = await importResponsesTable(store, waveId, csv(line('r1', 31), line('r2', 38), line('r3', 44), line('r4', 70)), 'test', at(MIN));
    expect(first).toMatchObject({ rows: 4, inserted: 4, unchanged: 0, screenedOut: 0 });
    expect(await cell(at(MIN))).toEqual({ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 2, reserved: 0, completed: 3, imported: 3, refused: 0, overshoot: 1 });
    expect(await claim(store, randomUUID(), about(), 'partial', at(2 * MIN))).toBe('quota_full');
    // The same file again: every row already stored with the same answers.
    expect(await importResponsesTable(store, waveId, csv(line('r1', 31), line('r2', 38), line('r3', 44), line('r4', 70)), 'test', at(3 * MIN))).toMatchObject({ inserted: 0, unchanged: 4 });
    // r2 with other answers: refused, and r5 of the same file is not stored either.
    const err = await importResponsesTable(store, waveId, csv(line('r5', 33), line('r2', 39)), 'test', at(4 * MIN)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'invalid_import', details: { total: 1, errors: [{ line: 3, column: 'response_id', reason: '"r2" is already stored with other answers; ids must be unique' }] } });
    expect(await stored()).toEqual(['r1', 'r2', 'r3', 'r4']);
    const audits = await store.sql.get<{ n: number }>(sql`SELECT count(*) AS "n" FROM ${auditLog} WHERE ${auditLog.action} = 'responses.import'`);
    expect(audits).toEqual({ n: 1 });
    // A row the validator refuses: nothing written, before the write.
    await expect(importResponsesTable(store, waveId, csv(line('r6', 33), line('r7', 12)), 'test', at(5 * MIN))).rejects.toThrow(/field\.csv: 1 error, nothing was imported; first: line 3, column age/);
    expect(await stored()).toEqual(['r1', 'r2', 'r3', 'r4']);
  });
});
