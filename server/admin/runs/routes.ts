// Console handlers of estimate runs: compute (as a job), follow the job, list and review runs,
// publish and withdraw — through server/runs and server/publications, as `kelisim estimate`,
// `publish` and `withdraw` do.
import { idParam } from '../../../contract/admin-api';
import { appendAudit } from '../../audit/service';
import { DomainError } from '../../errors';
import { writeExport } from '../../exports/download';
import { HttpError } from '../../http/errors';
import { parseParams } from '../../http/validate';
import { publishRun, withdrawRun } from '../../publications/service';
import { requireRun } from '../../runs/service';
import type { AdminDeps, Handlers } from '../router';
import { exportDatabaseOf } from '../../exports/snapshot';
import { listRunsPage, runDetail, runSummary } from './detail';
import { listJobs, recheckRunningJobs, requireJob, toJob } from './jobs';

type RunHandlers = Pick<Handlers, 'computeRun' | 'listJobs' | 'getJob' | 'listRuns' | 'getRun' | 'publishRun' | 'withdrawRun' | 'exportRun'>;

function cursorNumber(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  if (!/^\d{1,15}$/.test(cursor)) throw new HttpError(422, 'invalid_request', 'invalid request query: query.cursor: not a cursor this list gave', [{ field: 'query.cursor', message: 'not a cursor this list gave' }]);
  return Number(cursor);
}

export function runHandlers({ db, store, jobs }: AdminDeps): RunHandlers {
  return {
    computeRun: async ({ body, actor, now }) => {
      const options = {
        ...(body.minCellSize === undefined ? {} : { minCellSize: body.minCellSize }),
        ...(body.bounds === undefined ? {} : { bounds: body.bounds }),
        ...(body.exclude === undefined ? {} : { exclude: body.exclude }),
      };
      return toJob(await jobs.startEstimate({ wave: { id: body.waveId }, frame: { id: body.frameId }, options }, actor, now));
    },
    // A running job whose server has gone since this one started is failed before it is shown.
    listJobs: async ({ now }) => {
      await jobs.ready?.();
      let rows = await listJobs(store.sql);
      if (await recheckRunningJobs(store, rows, now)) rows = await listJobs(store.sql);
      return { items: rows.map(toJob) };
    },
    getJob: async ({ req, now }) => {
      const { id } = parseParams(req, idParam);
      await jobs.ready?.();
      let row = await requireJob(store.sql, id);
      if (await recheckRunningJobs(store, [row], now)) row = await requireJob(store.sql, id);
      return toJob(row);
    },
    listRuns: async ({ query }) => {
      const page = await listRunsPage(store.sql, { wave: query.wave, limit: query.limit ?? 50, before: cursorNumber(query.cursor) });
      const items = [];
      for (const r of page.rows) items.push(await runSummary(store.sql, r));
      return { items, nextCursor: page.next === null ? null : String(page.next) };
    },
    getRun: async ({ req }) => runDetail(store.sql, await requireRun(store.sql, parseParams(req, idParam).id)),
    publishRun: async ({ req, actor, now }) => {
      const { event, replaced } = await publishRun(store, parseParams(req, idParam).id, actor, now);
      return { runId: event.runId, period: event.period, action: event.action, reason: event.reason, actor: event.actor, at: event.at, replaced };
    },
    withdrawRun: async ({ req, body, actor, now }) => {
      const { event } = await withdrawRun(store, parseParams(req, idParam).id, body.reason, actor, now);
      return { runId: event.runId, period: event.period, action: event.action, reason: event.reason, actor: event.actor, at: event.at, replaced: null };
    },
    exportRun: async ({ req, res, query, actor, now }) => {
      const run = await requireRun(store.sql, parseParams(req, idParam).id);
      const lang = query.lang ?? 'ru';
      if (query.part !== undefined && query.format !== 'csv') throw new DomainError('bad_usage', 'invalid_option', `part=${query.part}: only the csv format splits a run's results into two files; xlsx holds both sheets — leave part out`);
      // writeExport, as every download: written off the event loop, refused before the first byte.
      const xdb = exportDatabaseOf(store, db);
      await writeExport(xdb, { kind: 'run', runId: run.row.id, format: query.format, lang, part: query.part ?? 'estimates' }, res, async (sent) => {
        await store.write((tx) => appendAudit(tx, { actor, action: 'run.export', subjectType: 'run', subjectId: run.row.id, after: { format: query.format, lang, part: query.part ?? 'estimates', rows: sent.rows } }, now));
      });
    },
  };
}
