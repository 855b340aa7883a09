// Estimate jobs of the console: a run that the computation refuses ends as a failed job carrying
// the same error code as the command line's, and a job a stopped server left running is marked
// failed (interrupted) by the app started next, before its job routes answer, so the page never
// waits for it forever.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../server/app';
import { jobs } from '../../../server/db/schema';
import { createWave } from '../../../server/waves/sqlite-sync';
import { textOf } from '../../helpers/app';
import { insertFrame } from '../../helpers/published-runs';
import { startAdminApp, type AdminTestApp } from './helpers';

let t: AdminTestApp;
beforeEach(async () => { t = await startAdminApp(); });
afterEach(async () => { await t.close(); });

describe('estimate jobs', () => {
  it('records a refused computation as a failed job with the error code, and leaves no run', async () => {
    const s = await t.signIn('researcher');
    const wave = createWave(t.db, 'official', '2024-Q1', { closed: true, actor: 'test' });
    const frame = { id: insertFrame(t.db, { name: 'ref', illustrative: true, margins: [{ name: 'sex', variables: ['sex'], levels: [{ level: 'm', population: 1 }, { level: 'f', population: 1 }] }] }) };
    const started = await t.call('POST', '/runs', { session: s, body: { waveId: wave.id, frameId: frame.id } });
    expect(started.status).toBe(202);
    let job = started.body;
    for (let i = 0; i < 300 && (textOf(job.status) === 'queued' || textOf(job.status) === 'running'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      job = (await t.call('GET', `/jobs/${job.id}`, { session: s })).body;
    }
    expect(job.status).toBe('failed');
    expect(job.runId).toBeNull();
    expect(job.error.code).toBe('empty_wave');
    expect(job.error.message).toContain(`wave ${wave.id}`);
    expect((await t.call('GET', '/runs', { session: s })).body.items).toEqual([]);
  }, 120_000);

  it('marks a job a stopped server left running as interrupted at the next start', async () => {
    const row = t.db.insert(jobs).values({ kind: 'estimate', status: 'running', request: { wave: { id: 1 }, frame: { id: 1 } }, createdBy: 'user:1', createdAt: '2026-11-29T09:00:00.000Z' }).returning().get();
    const s = await t.signIn('viewer');
    // The next start: another app on the database, which recovers the jobs before its job routes answer.
    const app = createApp({ db: t.db, config: { bodyLimitBytes: 1024, staticDir: '/nonexistent' }, dbFile: t.db.$client.name, clock: () => t.clock.now });
    const server = await new Promise<Server>((resolve) => { const l = app.listen(0, '127.0.0.1', () => resolve(l)); });
    const read = () => t.db.select().from(jobs).all().find((j) => j.id === row.id)!;
    try {
      const listed = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/admin/jobs`, { headers: { cookie: s.cookie } });
      expect(listed.status).toBe(200);
      expect(((await listed.json()) as { items: { id: number; status: string }[] }).items.find((j) => j.id === row.id)?.status).toBe('failed');
    } finally {
      server.close();
    }
    const after = read();
    expect(after.status).toBe('failed');
    expect(after.error?.code).toBe('interrupted');
    expect(after.finishedAt).not.toBeNull();
  });
});
