// A stored run as the console reviews it (contract/admin-api.ts runDetail): the three indicators
// with 95 % CIs, diagnostics, weighted vs population share per margin cell, exclusions, domains
// (suppressed ones without figures) and the publication history. Read-only mapping of the stored
// document (server/runs/result.ts); nothing is recomputed.
import { and, desc, eq, lt } from 'drizzle-orm';
import { INDICATOR_IDS, type RunDetail, type RunSummary } from '../../../contract/admin-api';
import type { Queryable } from '../../db/open';
import { estimateRuns, frames, publications, type EstimateRunRow } from '../../db/schema';
import { currentPublication, everPublished } from '../../publications/service';
import type { StoredRun } from '../../runs/service';
import type { StoredRunResult } from '../../runs/result';

const Z = 1.959963984540054;

export function runSummary(db: Queryable, row: EstimateRunRow, frameName?: string): RunSummary {
  const result = row.result as unknown as StoredRunResult;
  const period = result.wave.period;
  return {
    id: row.id, waveId: row.waveId, period, frameId: row.frameId,
    frameName: frameName ?? result.frame.name,
    createdBy: row.createdBy, createdAt: row.createdAt,
    completes: result.sample.completes, used: result.sample.used,
    published: period !== null && currentPublication(db, period)?.runId === row.id,
    everPublished: everPublished(db, row.id),
  };
}

/** Runs newest first, keyset-paginated by id. */
export function listRunsPage(db: Queryable, o: { wave?: number; limit: number; before?: number }): { rows: EstimateRunRow[]; next: number | null } {
  const conds = [o.wave === undefined ? undefined : eq(estimateRuns.waveId, o.wave), o.before === undefined ? undefined : lt(estimateRuns.id, o.before)].filter((c) => c !== undefined);
  const rows = db.select().from(estimateRuns).where(conds.length ? and(...conds) : undefined).orderBy(desc(estimateRuns.id)).limit(o.limit + 1).all();
  const more = rows.length > o.limit;
  const page = rows.slice(0, o.limit);
  return { rows: page, next: more ? page.at(-1)!.id : null };
}

export function runDetail(db: Queryable, run: StoredRun): RunDetail {
  const { row, result } = run;
  const frame = db.select().from(frames).where(eq(frames.id, row.frameId)).get();
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
    ...runSummary(db, row),
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
    publications: db.select().from(publications).where(eq(publications.runId, row.id)).orderBy(publications.id).all()
      .map((p) => ({ action: p.action, reason: p.reason, actor: p.actor, at: p.at })),
  };
}
