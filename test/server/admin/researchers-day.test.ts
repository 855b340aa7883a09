// A researcher's day over the console API, real HTTP and SQLite, the official questionnaire:
// a past wave, an interview import, a frame upload, an estimate run computed as a job off the
// request thread, its review, publish (seen by the public API) and withdraw; the responses table,
// one response in Kazakh, a flag overrule; the export; the open link's QR code; and every change
// in the audit log under the researcher's name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { auditLog, waves as waves_ } from '../../../server/db/schema';
import { overrulesOfWaveSql } from '../../../server/runs/overrules';
import { frameList, jobSchema, responseDetail, responseList, runDetail, waveList, waveSchema, type Job } from '../../../contract/admin-api';
import { numberOf, OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { REFERENCE_DIR, writeReferenceImport } from '../runs/reference-import';
import { bodyAs, startAdminApp, type AdminTestApp, type Session } from './helpers';

let t: AdminTestApp;
let s: Session;
let me: number;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-day-'));
beforeAll(async () => {
  t = await startAdminApp({ surveysDir: OFFICIAL_SURVEYS_DIR });
  s = await t.signIn('researcher');
  me = numberOf((await t.call('GET', '/session', { session: s })).body.user.id);
}, 60_000);
afterAll(async () => {
  await t?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function waitForJob(id: number): Promise<Job> {
  for (let i = 0; i < 600; i++) {
    const job = bodyAs(jobSchema, (await t.call('GET', `/jobs/${id}`, { session: s })).body);
    if (job.status === 'done' || job.status === 'failed') return job;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`job ${id} did not finish`);
}

describe("a researcher's day in the console API", () => {
  let waveId: number;
  let runId: number;
  let rows: number;

  it('creates a past wave and imports its interviews (all or nothing)', async () => {
    const wave = await t.call('POST', '/waves', { session: s, body: { period: '2025-Q2', closed: true } });
    expect(wave.status).toBe(201);
    expect(wave.body).toMatchObject({ period: '2025-Q2', status: 'closed', counts: { started: 0 } });
    waveId = numberOf(wave.body.id);

    const file = path.join(tmp, 'interviews.csv');
    rows = writeReferenceImport('raking-a', file);
    const bad = fs.readFileSync(file, 'utf8').replace(/\n([^,\n]+),true,/, '\n$1,maybe,');
    const refused = await t.call('POST', `/waves/${waveId}/imports?fileName=field.csv`, { session: s, body: bad, headers: { 'content-type': 'text/csv' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('invalid_import');
    expect(refused.body.error.details.file).toBe('field.csv');
    expect(refused.body.error.details.errors[0]).toMatchObject({ line: 2 });
    expect((await t.call('GET', `/waves/${waveId}`, { session: s })).body.counts.started).toBe(0);

    const ok = await t.call('POST', `/waves/${waveId}/imports?fileName=field.csv`, { session: s, body: fs.readFileSync(file), headers: { 'content-type': 'text/csv' } });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ waveId, rows, inserted: rows, file: 'field.csv' });
    const listed = bodyAs(waveList, (await t.call('GET', '/waves', { session: s })).body).items.find((w) => w.id === waveId);
    expect(listed?.counts).toMatchObject({ started: rows, completed: rows - numberOf(ok.body.screenedOut), screenedOut: ok.body.screenedOut, byMode: { papi: rows } });
  });

  it('uploads a frame, computes a run as a job, and reviews it', async () => {
    const margins = fs.readFileSync(path.join(REFERENCE_DIR, 'raking-a', 'margins.csv'));
    const frame = await t.call('POST', '/frames?name=ref-a&source=R%20reference&referenceDate=2021-10-01&illustrative=true', { session: s, body: margins, headers: { 'content-type': 'text/csv' } });
    expect(frame.status).toBe(201);
    expect(frame.body.frame).toMatchObject({ name: 'ref-a', illustrative: true });
    expect(bodyAs(frameList, (await t.call('GET', '/frames', { session: s })).body).items.map((f) => f.name)).toContain('ref-a');

    const unknown = await t.call('POST', '/runs', { session: s, body: { waveId: 9999, frameId: frame.body.frame.id } });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'wave_not_found']);
    const started = await t.call('POST', '/runs', { session: s, body: { waveId, frameId: frame.body.frame.id, exclude: [] } });
    expect(started.status).toBe(202);
    expect(['queued', 'running']).toContain(started.body.status);
    const job = await waitForJob(numberOf(started.body.id));
    expect(job.error).toBeNull();
    expect(job.status).toBe('done');
    runId = job.runId!;
    expect((await t.call('GET', '/jobs', { session: s })).body.items[0]).toMatchObject({ id: started.body.id, status: 'done', runId });

    const run = bodyAs(runDetail, (await t.call('GET', `/runs/${runId}`, { session: s })).body);
    expect(run.indicators.map((i) => i.id)).toEqual(['consensus', 'tolerance', 'mood']);
    for (const i of run.indicators) {
      expect(i.estimate).toEqual(expect.any(Number));
      expect(i.lower).toBeLessThan(i.estimate!);
      expect(i.upper).toBeGreaterThan(i.estimate!);
    }
    expect(run.diagnostics.converged).toBe(true);
    expect(run.diagnostics.kishN).toBeGreaterThan(0);
    expect(run.diagnostics.kishN).toBeLessThanOrEqual(run.used);
    expect(run.marginCells.length).toBeGreaterThan(0);
    for (const c of run.marginCells) expect(Math.abs(c.weightedShare - c.populationShare)).toBeLessThan(1e-6);
    expect(run.exclusions).toMatchObject({ completes: run.completes, used: run.used });
    expect(run.domains.some((d) => !d.suppressed && d.estimate !== null)).toBe(true);
    for (const d of run.domains.filter((x) => x.suppressed)) expect(d.estimate).toBeNull();
    expect(run.published).toBe(false);
  }, 180_000);

  it('publishes the run (the public API shows it) and withdraws it with a reason', async () => {
    const pub = await t.call('POST', `/runs/${runId}/publish`, { session: s, body: {} });
    expect(pub.status).toBe(200);
    expect(pub.body).toMatchObject({ runId, period: '2025-Q2', action: 'publish', actor: `user:${me}` });
    const publicRun = await fetch(`${t.baseUrl}/api/public/v1/runs/${runId}`);
    expect(publicRun.status).toBe(200);
    expect((await t.call('GET', '/runs', { session: s })).body.items[0]).toMatchObject({ id: runId, published: true });
    const noReason = await t.call('POST', `/runs/${runId}/withdraw`, { session: s, body: { reason: '' } });
    expect(noReason.status).toBe(422);
    const wd = await t.call('POST', `/runs/${runId}/withdraw`, { session: s, body: { reason: 'frame figures were revised' } });
    expect(wd.status).toBe(200);
    expect(bodyAs(runDetail, (await t.call('GET', `/runs/${runId}`, { session: s })).body).publications.map((p) => p.action)).toEqual(['publish', 'withdraw']);
  });

  it('pages the responses table by keyset, shows one response in Kazakh, and records a flag overrule', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `/responses?wave=${waveId}&mode=papi&limit=50&sort=oldest${cursor ? `&cursor=${cursor}` : ''}`;
      const page = bodyAs(responseList, (await t.call('GET', q, { session: s })).body);
      for (const r of page.items) { expect(seen.has(r.id)).toBe(false); seen.add(r.id); }
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seen.size).toBe(rows);
    expect(pages).toBe(Math.ceil(rows / 50));
    expect((await t.call('GET', `/responses?wave=${waveId}&mode=web`, { session: s })).body.items).toEqual([]);

    const id = [...seen][0]!;
    const kk = bodyAs(responseDetail, (await t.call('GET', `/responses/${id}?locale=kk`, { session: s })).body);
    const en = bodyAs(responseDetail, (await t.call('GET', `/responses/${id}?locale=en`, { session: s })).body);
    const a1kk = kk.answers.find((a) => a.name === 'a1');
    const a1en = en.answers.find((a) => a.name === 'a1');
    expect(a1kk?.question).not.toBe(a1en?.question);
    expect(a1kk?.question).toMatch(/[әғқңөұүһі]/i);
    expect(a1kk?.answer).not.toBe(String(a1kk?.value));

    const over = await t.call('POST', `/responses/${id}/flags/speeder/overrule`, { session: s, body: { reason: 'the interviewer timed it wrongly' } });
    expect(over.status).toBe(200);
    expect(over.body.flagStates).toEqual([expect.objectContaining({ flag: 'speeder', overruled: expect.objectContaining({ reason: 'the interviewer timed it wrongly', by: `user:${me}` }) })]);
    const again = await t.call('POST', `/responses/${id}/flags/speeder/overrule`, { session: s, body: { reason: 'the interviewer timed it wrongly' } });
    expect([again.status, again.body.error.code]).toEqual([409, 'already_overruled']);
    const overruled = bodyAs(responseList, (await t.call('GET', `/responses?wave=${waveId}&flag=overruled`, { session: s })).body).items;
    expect(overruled.map((r) => r.id)).toEqual([id]);
  });

  it('exports the wave as CSV and gives the open link with a QR code', async () => {
    const res = await fetch(`${t.baseUrl}/api/admin/waves/${waveId}/export?format=csv&lang=en`, { headers: { cookie: s.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="kelisim-wave-${waveId}-2025-Q2-en.csv"; filename*=UTF-8''kelisim-wave-${waveId}-2025-Q2-en.csv`);
    const lines = (await res.text()).trim().split(/\r?\n/);
    const completed = bodyAs(waveSchema, (await t.call('GET', `/waves/${waveId}`, { session: s })).body).counts.completed;
    expect(lines.length).toBe(completed + 1);
    const codebook = await fetch(`${t.baseUrl}/api/admin/waves/${waveId}/export?format=csv&lang=en&part=codebook`, { headers: { cookie: s.cookie } });
    expect(codebook.status).toBe(200);
    expect(await codebook.text()).toContain('a1');
    const link = (await t.call('GET', `/waves/${t.wave.id}/link`, { session: s })).body;
    expect(link.url).toBe(`${t.baseUrl}/s/${t.wave.openSlug}`);
    expect(link.qrSvg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 (\d+) \1"/);
  });

  it('has every change in the audit log under the researcher', async () => {
    const rows = await t.store.sql.all<{ action: string }>(sql`SELECT ${auditLog.action} AS "action" FROM ${auditLog} WHERE ${auditLog.actor} = ${`user:${me}`}`);
    const mine = rows.map((a) => a.action);
    for (const action of ['auth.login', 'wave.create', 'responses.import', 'frame.import', 'run.create', 'run.publish', 'run.withdraw', 'response.flag_overrule', 'wave.export']) {
      expect(mine, action).toContain(action);
    }
  });
});

describe('the overrules seam for the next run', () => {
  it('lists a wave\'s overruled responses with their flags', async () => {
    const waves = await t.store.sql.all<{ id: number }>(sql`SELECT ${waves_.id} AS "id" FROM ${waves_} WHERE ${waves_.period} = ${'2025-Q2'}`);
    const map = await overrulesOfWaveSql(t.store.sql, waves[0]!.id);
    expect([...map.values()].map((f) => [...f])).toEqual([['speeder']]);
    expect((await overrulesOfWaveSql(t.store.sql, t.wave.id)).size).toBe(0);
  });
});
