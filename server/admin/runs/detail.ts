// A stored run as the console reviews it (contract/admin-api.ts runDetail): the three indicators
// with 95 % CIs, diagnostics, weighted vs population share per margin cell, exclusions, domains
// (suppressed ones without figures) and the publication history. Read-only mapping of the stored
// document (server/runs/result.ts); nothing is recomputed.
import { sql } from 'drizzle-orm';
import { INDICATOR_IDS, type RunDetail, type RunSummary } from '../../../contract/admin-api';
import { estimateRuns, publications, type EstimateRunRow, type PublicationRow } from '../../db/schema';
import type { Sql } from '../../db/sql';
import { findFrame } from '../../frames/service';
import { PUBLICATION_COLUMNS, RUN_COLUMNS, toRun } from '../../runs/rows';
import { currentPublication, everPublished } from '../../publications/service';
import type { StoredRun } from '../../runs/service';
import type { StoredRunResult } from '../../runs/result';

const Z = 1.959963984540054;

export async function runSummary(q: Sql, row: EstimateRunRow, frameName?: string): Promise<RunSummary> {
  const result = row.result as unknown as StoredRunResult;
  const period = result.wave.period;
  return {
    id: row.id, waveId: row.waveId, period, frameId: row.frameId,
    frameName: frameName ?? result.frame.name,
    createdBy: row.createdBy, createdAt: row.createdAt,
    completes: result.sample.completes, used: result.sample.used,
    published: period !== null && (await currentPublication(q, period))?.runId === row.id,
    everPublished: await everPublished(q, row.id),
  };
}

/** Runs newest first, keyset-paginated by id. */
export async function listRunsPage(q: Sql, o: { wave?: number; limit: number; before?: number }): Promise<{ rows: EstimateRunRow[]; next: number | null }> {
  const conds = [o.wave === undefined ? undefined : sql`${estimateRuns.waveId} = ${o.wave}`, o.before === undefined ? undefined : sql`${estimateRuns.id} < ${o.before}`].filter((c) => c !== undefined);
  const where = conds.length ? sql` WHERE ${sql.join(conds, sql` AND `)}` : sql``;
  const rows = (await q.all<Record<string, unknown>>(sql`SELECT ${RUN_COLUMNS} FROM ${estimateRuns}${where} ORDER BY ${estimateRuns.id} DESC LIMIT ${o.limit + 1}`)).map(toRun);
  const more = rows.length > o.limit;
  const page = rows.slice(0, o.limit);
  return { rows: page, next: more ? page.at(-1)!.id : null };
}

export async function runDetail(q: Sql, run: StoredRun): Promise<RunDetail> {
  const { row, result } = run;
  const frame = await findFrame(q, row.frameId);
  const events = await q.all<PublicationRow>(sql`SELECT ${PUBLICATION_COLUMNS} FROM ${publications} WHERE ${publications.runId} = ${row.id} ORDER BY ${publications.id}`);
  const a = result.analysis;
  const indicators = INDICATOR_IDS.map((id) => {
    const ind = a.indicators[id];
    return {
      id, n: ind?.nScored ?? 0, estimate: ind?.mean ?? null, se: ind?.se ?? null,
      lower: ind?.ci95?.[0] ?? null, upper: ind?.ci95?.[1] ?? null,
    };
  });
  const domains: RunDetail['domains'] = [];
  for (const id of INDICATOR_IDS) {
    for (const [by, list] of Object.entries(a.indicators[id]?.domains ?? {})) {
      for (const d of list) {
        domains.push({
          indicator: id, by, level: d.level, n: d.n, suppressed: d.suppressed,
          estimate: d.suppressed ? null : d.mean,
          lower: d.suppressed ? null : d.mean - Z * d.se,
          upper: d.suppressed ? null : d.mean + Z * d.se,
        });
      }
    }
  }
  return {
    ...(await runSummary(q, row)),
    frame: {
      id: row.frameId, name: result.frame.name, source: result.frame.source, referenceDate: result.frame.referenceDate,
      illustrative: frame?.illustrative ?? result.frame.illustrative,
    },
    options: result.options,
    indicators,
    diagnostics: {
      converged: a.raking.converged, iterations: a.raking.iterations, maxMarginError: a.raking.maxMarginError,
      kishN: a.weights.kishEffectiveN, designEffect: a.weights.designEffect, weightMin: a.weights.min, weightMax: a.weights.max,
      merged: a.raking.merged,
    },
    marginCells: result.marginCells.map((c) => ({ margin: c.margin, level: c.level, members: c.members, n: c.n, populationShare: c.populationShare, weightedShare: c.weightedShare })),
    exclusions: { ...result.sample, excludedBy: { ...result.sample.excludedBy } },
    domains,
    publications: events.map((p) => ({ action: p.action, reason: p.reason, actor: p.actor, at: p.at })),
  };
}
