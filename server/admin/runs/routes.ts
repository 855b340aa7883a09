// Console handlers of estimate runs: compute (as a job), follow the job, list and review runs,
// publish and withdraw — through server/runs and server/publications, as `kelisim estimate`,
// `publish` and `withdraw` do.
import { idParam } from '../../../contract/admin-api';
import { HttpError } from '../../http/errors';
import { parseParams } from '../../http/validate';
import { publishRun, withdrawRun } from '../../publications/service';
import { requireRun } from '../../runs/service';
import type { AdminDeps, Handlers } from '../router';
import { listRunsPage, runDetail, runSummary } from './detail';
import { listJobs, requireJob, toJob } from './jobs';

type RunHandlers = Pick<Handlers, 'computeRun' | 'listJobs' | 'getJob' | 'listRuns' | 'getRun' | 'publishRun' | 'withdrawRun'>;

function cursorNumber(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  if (!/^\d{1,15}$/.test(cursor)) throw new HttpError(422, 'invalid_request', 'invalid request query: query.cursor: not a cursor this list gave', [{ field: 'query.cursor', message: 'not a cursor this list gave' }]);
  return Number(cursor);
}

export function runHandlers({ db, jobs }: AdminDeps): RunHandlers {
  return {
    computeRun: ({ body, actor, now }) => {
      const options = {
        ...(body.minCellSize === undefined ? {} : { minCellSize: body.minCellSize }),
        ...(body.bounds === undefined ? {} : { bounds: body.bounds }),
        ...(body.exclude === undefined ? {} : { exclude: body.exclude }),
      };
      return toJob(jobs.startEstimate({ wave: { id: body.waveId }, frame: { id: body.frameId }, options }, actor, now));
    },
    listJobs: () => ({ items: listJobs(db).map(toJob) }),
    getJob: ({ req }) => toJob(requireJob(db, parseParams(req, idParam).id)),
    listRuns: ({ query }) => {
      const page = listRunsPage(db, { wave: query.wave, limit: query.limit ?? 50, before: cursorNumber(query.cursor) });
      return { items: page.rows.map((r) => runSummary(db, r)), nextCursor: page.next === null ? null : String(page.next) };
    },
    getRun: ({ req }) => runDetail(db, requireRun(db, parseParams(req, idParam).id)),
    publishRun: ({ req, actor, now }) => {
      const { event, replaced } = publishRun(db, parseParams(req, idParam).id, actor, now);
      return { runId: event.runId, period: event.period, action: event.action, reason: event.reason, actor: event.actor, at: event.at, replaced };
    },
    withdrawRun: ({ req, body, actor, now }) => {
      const { event } = withdrawRun(db, parseParams(req, idParam).id, body.reason, actor, now);
      return { runId: event.runId, period: event.period, action: event.action, reason: event.reason, actor: event.actor, at: event.at, replaced: null };
    },
  };
}
