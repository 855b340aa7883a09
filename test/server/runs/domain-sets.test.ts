// Most of a run's domain sets on a second thread (server/runs/domain-sets.ts) must give exactly
// what analyze() gives computing them all on the calling thread, errors included.
import { afterEach, describe, expect, it } from 'vitest';
import { analyze, runDomainSetsHere, type DomainSet } from '../../../analysis/analyze';
import { AnalysisError } from '../../../analysis/errors';
import { startDomainSetThread, type DomainSetThread } from '../../../server/runs/domain-sets';
import { loadReference } from '../../analysis/reference-data';

const ref = loadReference();
const by = ['region', 'sex', 'age', 'settlement', 'ethnicity'];
const options = { spec: ref.spec, margins: ref.margins, by, pooling: true } as const;

let thread: DomainSetThread | null = null;
afterEach(() => { thread?.close(); thread = null; });

describe('domain sets on a second thread', () => {
  it('give the document analyze() gives on one thread, to the last bit, the second thread answering most sets', () => {
    const alone = analyze(ref.input, options);
    thread = startDomainSetThread();
    expect(thread).not.toBeNull();
    const split = analyze(ref.input, { ...options, domainSets: thread!.runner });
    // Every indicator has a score here: 3 indicators × 5 variables, of which the thread takes 80 %.
    expect(thread!.onThread()).toBe(12);
    expect(split).toEqual(alone);
    expect(JSON.stringify(split)).toBe(JSON.stringify(alone));
  }, 60_000);

  it('throw the error the first failing set throws, as analyze() on one thread would', () => {
    thread = startDomainSetThread();
    let captured: { ctx: Parameters<typeof runDomainSetsHere>[0]; sets: readonly DomainSet[] } | null = null;
    // The real sets, with a y that is not finite in one row of the second set (computed on the thread).
    analyze(ref.input, { ...options, domainSets: (ctx, sets) => { captured = { ctx, sets }; return runDomainSetsHere(ctx, sets); } });
    const { ctx, sets } = captured!;
    const bad = Float64Array.from(sets[1]!.y);
    bad[sets[1]!.rows[3]!] = Number.POSITIVE_INFINITY;
    const broken = sets.map((s, i) => (i === 1 ? { ...s, y: bad } : s));
    const expected = (() => { try { runDomainSetsHere(ctx, broken)(); } catch (e) { return e; } return null; })();
    expect(expected).toBeInstanceOf(AnalysisError);
    const got = (() => { try { thread!.runner(ctx, broken)(); } catch (e) { return e; } return null; })();
    expect(got).toBeInstanceOf(AnalysisError);
    expect((got as AnalysisError).message).toBe((expected as AnalysisError).message);
    expect((got as AnalysisError).code).toBe((expected as AnalysisError).code);
    expect(thread!.onThread()).toBe(Math.round(sets.length * 0.8));
  }, 60_000);
});
