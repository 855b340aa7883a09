// The open link's quality flags in an estimate run (analysis/quality.ts, docs/decisions/021): a
// repeated identical interview sent through the open link (protection on, real HTTP) is flagged
// *duplicate answers* and excluded from the next run, which reports the count per reason.
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { sql as q } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../server/app';
import { createAntibot } from '../../../server/antibot/guard';
import { responses, responseSignals, type WaveRow } from '../../../server/db/schema';
import { importFrameFile } from '../../../server/frames/service';
import { importResponsesFile } from '../../../server/responses/import';
import { createEstimateRun } from '../../../server/runs/service';
import { loadOfficialSurvey } from '../../../server/surveys/bootstrap';
import { OFFICIAL_SURVEY_ID } from '../../../server/surveys/service';
import { createWave } from '../../../server/waves/service';
import { agentFrom, requestFrom, solvedPow } from '../../helpers/antibot';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { createTestStore, type TestStore } from '../../helpers/store';
import { REFERENCE_DIR, writeReferenceImport } from '../runs/reference-import';

let t: TestStore;
let dir: string;
let wave: WaveRow;
let versionId: number;
let server: Server;
let baseUrl: string;
const agents: http.Agent[] = [];

beforeAll(async () => {
  t = await createTestStore();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-run-flags-'));
  versionId = (await loadOfficialSurvey(t.store, OFFICIAL_SURVEYS_DIR)).version.id;
  // An open wave holding the R reference interviews (imported: no open-link signals), and their frame.
  wave = await createWave(t.store, OFFICIAL_SURVEY_ID, '2024-Q2', { actor: 'test' });
  const csv = path.join(dir, 'a.csv');
  writeReferenceImport('raking-a', csv, { durationMs: () => 900_000 });
  await importResponsesFile(t.store, wave.id, csv, 'test');
  await importFrameFile(t.store, path.join(REFERENCE_DIR, 'raking-a', 'margins.csv'), { name: 'ref', source: 'R reference', referenceDate: '2021-10-01', illustrative: true }, 'test');
  const app = createApp({ db: t.db, store: t.store, config: { bodyLimitBytes: 256 * 1024, staticDir: path.join(dir, 'no-client') }, antibot: createAntibot(t.store, { enforce: true }) });
  server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  for (const a of agents) a.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await t?.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The answers of the wave's first complete interview (by id), read through the store. */
async function firstCompleteData(): Promise<Record<string, unknown>> {
  const row = await t.store.sql.get<{ data: string }>(q`SELECT CAST(${responses.data} AS TEXT) AS "data" FROM ${responses}
    WHERE ${responses.waveId} = ${wave.id} AND ${responses.status} = 'complete' ORDER BY ${responses.id} LIMIT 1`);
  return JSON.parse(row!.data) as Record<string, unknown>;
}

/** Completes one interview with `data` through the open link from `address`, with a solved proof of work. */
async function interview(address: string, data: Record<string, unknown>, durationMs = 840_000): Promise<string> {
  const a = agentFrom(address);
  agents.push(a);
  const id = randomUUID();
  const res = await requestFrom(a, baseUrl, 'POST', `/api/links/${wave.openSlug}/responses/${id}/complete`,
    { surveyVersionId: versionId, locale: 'kk', data, durationMs }, await solvedPow(a, baseUrl, wave.openSlug));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return id;
}

describe('duplicate answers', () => {
  it('a repeated identical interview is flagged and excluded from the next run; the first copy is kept', async () => {
    const request = { wave: { period: '2024-Q2' }, frame: { name: 'ref' } } as const;
    // The answers of one stored interview, with another age: a new answer vector for the wave.
    const sample = await firstCompleteData();
    const data = { ...sample, age: 57 };
    const first = await interview('127.0.5.1', data);
    const before = await createEstimateRun(t.store, t.db, request, 'test');
    expect(before.result.sample.excludedBy.duplicate_answers).toBe(0);

    // The same interview again, from another address, answers in another key order.
    const copy = Object.fromEntries(Object.entries(data).reverse());
    const second = await interview('127.0.5.2', copy);
    const after = await createEstimateRun(t.store, t.db, request, 'test');
    expect(after.result.sample.completes).toBe(before.result.sample.completes + 1);
    expect(after.result.sample.excludedBy.duplicate_answers).toBe(1);
    expect(after.result.sample.used).toBe(before.result.sample.used);
    expect(after.result.options.exclude).toContain('duplicate_answers');
    // Every reason is reported, the new ones included.
    expect(Object.keys(after.result.sample.excludedBy).sort()).toEqual(['automation', 'burst', 'duplicate_answers', 'incomplete', 'speeder', 'straightliner']);
    // Which one: the later copy (the flagged row is excluded: only its exclusion moves `used`).
    const kept = await createEstimateRun(t.store, t.db, { ...request, options: { exclude: [] } }, 'test');
    expect(kept.result.sample.used).toBe(after.result.sample.used + after.result.sample.excluded);
    const hashes = await t.store.sql.all<{ answersHash: string }>(q`SELECT ${responseSignals.responseId} AS "responseId", ${responseSignals.answersHash} AS "answersHash"
      FROM ${responseSignals} WHERE ${responseSignals.responseId} IN (${first}, ${second})`);
    expect(hashes).toHaveLength(2);
    expect(hashes[0]!.answersHash).toBe(hashes[1]!.answersHash);
  }, 60_000);

  it('ten completions from one address within minutes are a burst; one sent in 5 seconds is automation; both excluded and counted', async () => {
    const request = { wave: { period: '2024-Q2' }, frame: { name: 'ref' } } as const;
    const base = await firstCompleteData();
    const before = await createEstimateRun(t.store, t.db, request, 'test');
    // Ten distinct interviews (ages 20–29) from one address, within seconds: under the per-address limit of 20.
    for (let k = 0; k < 10; k++) await interview('127.0.7.1', { ...base, age: 20 + k });
    // One more from elsewhere, "answered" in 5 s: under a second per scored item.
    await interview('127.0.7.2', { ...base, age: 61 }, 5_000);
    const after = await createEstimateRun(t.store, t.db, request, 'test');
    expect(after.result.sample.excludedBy.burst - before.result.sample.excludedBy.burst).toBe(10);
    expect(after.result.sample.excludedBy.automation - before.result.sample.excludedBy.automation).toBe(1);
    expect(after.result.sample.used).toBe(before.result.sample.used);
    expect(after.result.sample.completes).toBe(before.result.sample.completes + 11);
  }, 120_000);
});
