// The console's responses over real HTTP on the test's database (SQLite, or PostgreSQL with
// KELISIM_TEST_DB=postgres): the keyset-paginated list of a wave in both orders, its filters and the
// two plans of a run-time flag filter (docs/decisions/024: the index walk above 2,000 flagged, the
// look-up below or with another filter), one response with its answers' labels in a language, a
// flag overrule (audited, once), and the waves' live counts.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseDetail as responseDetailSchema, responseList, type ResponseListQuery } from '../../../contract/admin-api';
import { invitationCounts, waveCounts } from '../../../server/admin/waves/service';
import { queryAudit } from '../../../server/audit/service';
import { estimateRuns, frames, invitations, responses, runFlags, runFlagSets, surveyVersions } from '../../../server/db/schema';
import { bare } from '../../../server/db/sql';
import { bodyAs, startAdminApp, type AdminTestApp, type Session } from './helpers';

const N = 3000;
const BASE = Date.parse('2026-01-01T00:00:00Z');
interface Made { id: string; updatedAt: string; status: 'partial' | 'complete'; mode: 'web' | 'capi'; incomplete: boolean; speeder: boolean; straightliner: boolean }

let t: AdminTestApp;
let s: Session;
let runId: number;
const made: Made[] = [];

beforeAll(async () => {
  t = await startAdminApp();
  s = await t.signIn('researcher');
  const version = (await t.store.sql.get<{ id: number }>(sql`SELECT max(${surveyVersions.id}) AS "id" FROM ${surveyVersions}`))!.id;
  for (let i = 0; i < N; i++) {
    const partial = i % 50 === 1;
    made.push({
      id: `p${String(i).padStart(5, '0')}`,
      // Distinct times in an order unlike the ids' (7919 is prime to N).
      updatedAt: new Date(BASE + ((i * 7919) % N) * 1000).toISOString(),
      status: partial ? 'partial' : 'complete', mode: i % 5 === 0 ? 'capi' : 'web',
      incomplete: !partial && i % 100 === 3, speeder: i % 5 !== 4, straightliner: i % 100 === 7,
    });
  }
  await t.store.write(async (tx) => {
    for (let from = 0; from < N; from += 250) {
      const rows = made.slice(from, from + 250).map((m, k) => {
        const score = m.status === 'partial' || m.incomplete ? null : 50;
        return sql`(${m.id}, ${t.wave.id}, ${version}, 'ru', ${m.status}, ${JSON.stringify({ region: 'KZ-75', sex: (from + k) % 2 ? 'f' : 'm' })}, 0, ${m.updatedAt}, ${m.updatedAt},
          ${m.status === 'complete' ? m.updatedAt : null}, ${600_000 + from + k}, ${m.mode}, 'KZ-75', ${score}, ${score}, ${score})`;
      });
      await tx.run(sql`INSERT INTO ${responses} (${bare(responses.id)}, ${bare(responses.waveId)}, ${bare(responses.surveyVersionId)}, ${bare(responses.locale)}, ${bare(responses.status)},
        ${bare(responses.data)}, ${bare(responses.currentPageNo)}, ${bare(responses.startedAt)}, ${bare(responses.updatedAt)}, ${bare(responses.completedAt)}, ${bare(responses.durationMs)},
        ${bare(responses.mode)}, ${bare(responses.region)}, ${bare(responses.consensus)}, ${bare(responses.tolerance)}, ${bare(responses.mood)}) VALUES ${sql.join(rows, sql`, `)}`);
    }
    // What an estimate run of the wave stores (docs/decisions/024): 2,400 speeders, 30 straightliners.
    const frame = await tx.get<{ id: number }>(sql`INSERT INTO ${frames} (${bare(frames.name)}, ${bare(frames.source)}, ${bare(frames.referenceDate)}, ${bare(frames.illustrative)}, ${bare(frames.contentHash)}, ${bare(frames.margins)}, ${bare(frames.createdBy)}, ${bare(frames.createdAt)})
      VALUES ('ref', 'test', '2021-10-01', ${1}, 'x', '[]', 'test', '2026-01-02T00:00:00Z') RETURNING ${frames.id} AS "id"`);
    const run = await tx.get<{ id: number }>(sql`INSERT INTO ${estimateRuns} (${bare(estimateRuns.waveId)}, ${bare(estimateRuns.frameId)}, ${bare(estimateRuns.frameHash)}, ${bare(estimateRuns.surveyVersionIds)},
      ${bare(estimateRuns.scoringHash)}, ${bare(estimateRuns.options)}, ${bare(estimateRuns.engineVersion)}, ${bare(estimateRuns.inputHash)}, ${bare(estimateRuns.result)}, ${bare(estimateRuns.createdBy)}, ${bare(estimateRuns.createdAt)})
      VALUES (${t.wave.id}, ${frame!.id}, 'x', '[]', 'x', '{}', 'test', 'x', '{}', 'test', '2026-01-02T00:00:00Z') RETURNING ${estimateRuns.id} AS "id"`);
    runId = run!.id;
    const pairs = made.flatMap((m) => [...(m.speeder ? ['speeder'] : []), ...(m.straightliner ? ['straightliner'] : [])].map((f) => sql`(${runId}, ${f}, ${m.id})`));
    for (let from = 0; from < pairs.length; from += 500) {
      await tx.run(sql`INSERT INTO ${runFlags} (${bare(runFlags.runId)}, ${bare(runFlags.flag)}, ${bare(runFlags.responseId)}) VALUES ${sql.join(pairs.slice(from, from + 500), sql`, `)}`);
    }
    await tx.run(sql`INSERT INTO ${runFlagSets} (${bare(runFlagSets.runId)}, ${bare(runFlagSets.waveId)}, ${bare(runFlagSets.speederMedianMs)}, ${bare(runFlagSets.speederThresholdMs)}, ${bare(runFlagSets.flagged)})
      VALUES (${runId}, ${t.wave.id}, 600000, 180000, ${pairs.length})`);
  });
  // Statistics for the planner, as PostgreSQL's autovacuum gathers them within a minute of a bulk
  // load (and bench:admin-responses does on SQLite). Without them PostgreSQL joins the flag filter
  // with a cursor as a nested loop over the run's flags (~2 s a page here, not ~1 ms).
  await t.store.sql.run(sql`ANALYZE`);
}, 120_000);
afterAll(async () => { await t?.close(); });

async function pages(q: Omit<ResponseListQuery, 'wave'>, limit = 97): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ wave: String(t.wave.id), limit: String(limit), ...Object.fromEntries(Object.entries(q).map(([k, v]) => [k, String(v)])), ...(cursor ? { cursor } : {}) });
    const res = await t.call('GET', `/responses?${params}`, { session: s });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const page = bodyAs(responseList, res.body);
    expect(page.flagsRun?.runId).toBe(runId);
    ids.push(...page.items.map((r) => r.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

/** `made` in the list's order: by last change, then id. */
const ordered = (sort: 'newest' | 'oldest', keep: (m: Made) => boolean = () => true) => {
  const rows = made.filter(keep).sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : a.id < b.id ? -1 : 1));
  return (sort === 'newest' ? rows.reverse() : rows).map((m) => m.id);
};

describe('the responses list', () => {
  it('pages the whole wave by keyset in both orders, each response once', async () => {
    for (const sort of ['newest', 'oldest'] as const) expect(await pages({ sort }, 200)).toEqual(ordered(sort));
  });

  it('filters by status, mode and the incomplete flag', async () => {
    expect(await pages({ status: 'partial' })).toEqual(ordered('newest', (m) => m.status === 'partial'));
    expect(await pages({ mode: 'capi', sort: 'oldest' })).toEqual(ordered('oldest', (m) => m.mode === 'capi'));
    expect(await pages({ flag: 'incomplete' })).toEqual(ordered('newest', (m) => m.incomplete));
  });

  it('filters by a flag the run stored, by either plan, with the same rows as the unfiltered list', async () => {
    for (const sort of ['newest', 'oldest'] as const) {
      // 2,400 speeders: the walk over the wave's index.
      expect(await pages({ sort, flag: 'speeder' })).toEqual(ordered(sort, (m) => m.speeder));
      // With another filter, and 30 straightliners: the look-up of the run's ids.
      expect(await pages({ sort, flag: 'speeder', mode: 'capi' })).toEqual(ordered(sort, (m) => m.speeder && m.mode === 'capi'));
      expect(await pages({ sort, flag: 'straightliner' }, 7)).toEqual(ordered(sort, (m) => m.straightliner));
    }
    expect(await pages({ flag: 'automation' })).toEqual([]);
    const first = bodyAs(responseList, (await t.call('GET', `/responses?wave=${t.wave.id}&flag=straightliner&limit=1`, { session: s })).body).items[0]!;
    expect(first.flags).toEqual(made.find((m) => m.id === first.id)!.speeder ? ['speeder', 'straightliner'] : ['straightliner']);
  });

  it('refuses a cursor it did not give', async () => {
    const res = await t.call('GET', `/responses?wave=${t.wave.id}&cursor=bm9wZQ`, { session: s });
    expect([res.status, res.body.error.code]).toEqual([400, 'invalid_option']);
  });
});

describe('one response', () => {
  it('shows its answers in the language asked, its run flags with reasons, and takes one overrule per flag, audited', async () => {
    const m = made.find((x) => x.speeder && x.straightliner && x.status === 'complete')!;
    const kk = bodyAs(responseDetailSchema, (await t.call('GET', `/responses/${m.id}?locale=kk`, { session: s })).body);
    const en = bodyAs(responseDetailSchema, (await t.call('GET', `/responses/${m.id}?locale=en`, { session: s })).body);
    expect(en.answers.find((a) => a.name === 'region')).toMatchObject({ question: 'Region', value: 'KZ-75', answer: 'Almaty' });
    expect(kk.answers.find((a) => a.name === 'region')).toMatchObject({ question: 'Облыс', answer: 'Алматы' });
    expect(en.flagStates.map((f) => [f.flag, f.runId])).toEqual([['speeder', runId], ['straightliner', runId]]);
    expect(en.flagStates[0]!.reason).toContain(`run ${runId}`);
    expect(en.flagsRun).toEqual({ runId, createdAt: '2026-01-02T00:00:00Z' });

    const over = await t.call('POST', `/responses/${m.id}/flags/speeder/overrule`, { session: s, body: { reason: 'timed by a broken tablet clock' } });
    expect(over.status).toBe(200);
    expect(bodyAs(responseDetailSchema, over.body).flagStates.find((f) => f.flag === 'speeder')?.overruled).toMatchObject({ reason: 'timed by a broken tablet clock' });
    const again = await t.call('POST', `/responses/${m.id}/flags/speeder/overrule`, { session: s, body: { reason: 'once more' } });
    expect([again.status, again.body.error.code]).toEqual([409, 'already_overruled']);
    expect(await pages({ flag: 'overruled' })).toEqual([m.id]);
    const audit = (await queryAudit(t.store.sql, { action: 'response.flag_overrule' }, 10)).rows;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ subjectId: m.id, reason: 'timed by a broken tablet clock', before: { flag: 'speeder', overruled: false }, after: { flag: 'speeder', overruled: true } });

    const partial = made.find((x) => x.status === 'partial')!;
    const refused = await t.call('POST', `/responses/${partial.id}/flags/speeder/overrule`, { session: s, body: { reason: 'not applicable' } });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'flag_not_applicable']);
    expect((await t.call('GET', '/responses/no-such-response', { session: s })).status).toBe(404);
  });
});

describe("the waves' counts", () => {
  it('counts responses by status and mode, and invitations by use', async () => {
    const counts = (await waveCounts(t.store.sql, t.wave.id)).get(t.wave.id)!;
    const partial = made.filter((m) => m.status === 'partial').length;
    const capi = made.filter((m) => m.mode === 'capi').length;
    expect(counts).toEqual({ started: N, partial, completed: N - partial, screenedOut: 0, byMode: { capi, web: N - capi } });
    expect((await waveCounts(t.store.sql)).get(t.wave.id)).toEqual(counts);
    await t.store.write((tx) => tx.run(sql`INSERT INTO ${invitations} (${bare(invitations.waveId)}, ${bare(invitations.tokenHash)}, ${bare(invitations.responseId)}, ${bare(invitations.createdAt)}, ${bare(invitations.completedAt)})
      VALUES (${t.wave.id}, 'h1', ${made[0]!.id}, '2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z'), (${t.wave.id}, 'h2', ${made[1]!.id}, '2026-01-01T00:00:00Z', NULL), (${t.wave.id}, 'h3', NULL, '2026-01-01T00:00:00Z', NULL)`));
    expect((await invitationCounts(t.store.sql, t.wave.id)).get(t.wave.id)).toEqual({ total: 3, used: 2, completed: 1 });
    expect((await invitationCounts(t.store.sql)).get(t.wave.id)).toEqual({ total: 3, used: 2, completed: 1 });
  });
});
