// surveys/targets.json: every target of METHODOLOGY §1 with its source section, and the 2026
// consensus discrepancy (81.0 in section 6 vs 80.9 in the action plan) recorded, not resolved.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SURVEYS_DIR, officialCopy } from './survey-files';

interface Source { document: string; section: string | null; label?: string }
interface TargetValue {
  year: number; kind: string; value: number; source: Source;
  alternatives?: { value: number; source: Source }[];
  discrepancy?: Record<string, string>;
}
interface Targets {
  documents: { id: string; title: Record<string, string>; approvedBy: Record<string, string>; url: string }[];
  indicators: { code: string; name: Record<string, string>; unit: string; values: TargetValue[] }[];
  contextFigures: { monitoring2020_2021: { id: string; value: number; source: Source }[] };
}

const targets = JSON.parse(fs.readFileSync(path.join(SURVEYS_DIR, 'targets.json'), 'utf8')) as Targets;
const docIds = new Set(targets.documents.map((d) => d.id));
const LANGS = ['kk', 'ru', 'en'];

function expectTrilingual(text: Record<string, string> | undefined, what: string): void {
  for (const l of LANGS) expect(text?.[l]?.trim(), `${what}.${l}`).toBeTruthy();
}

describe('targets.json', () => {
  it('names its source document in three languages with the decree', () => {
    for (const d of targets.documents) {
      expectTrilingual(d.title, `${d.id}.title`);
      expectTrilingual(d.approvedBy, `${d.id}.approvedBy`);
      expect(d.approvedBy.en).toContain('1014');
    }
  });

  it('has a target series for every indicator the official scoring spec computes', () => {
    const { scoring } = officialCopy();
    expect(targets.indicators.map((i) => i.code).sort()).toEqual(scoring.indicators.map((i) => i.id).sort());
  });

  it.each(targets.indicators.map((i) => [i.code, i] as const))('%s: 2021 baseline and 2022–2026, each with its source section', (_code, ind) => {
    expectTrilingual(ind.name, `${ind.code}.name`);
    expect(ind.unit).toBe('percent');
    expect(ind.values.map((v) => v.year)).toEqual([2021, 2022, 2023, 2024, 2025, 2026]);
    expect(ind.values[0]?.kind).toBe('baseline_estimate');
    for (const v of ind.values) {
      expect(Number.isFinite(v.value) && v.value > 0 && v.value <= 100, `${ind.code} ${v.year}`).toBe(true);
      expect(docIds.has(v.source.document), `${ind.code} ${v.year} document`).toBe(true);
      expect(v.source.section?.trim(), `${ind.code} ${v.year} section`).toBeTruthy();
    }
    // The Concept's targets never decrease year on year.
    for (let i = 1; i < ind.values.length; i++) expect(ind.values[i]!.value).toBeGreaterThanOrEqual(ind.values[i - 1]!.value);
  });

  it('records the 2026 consensus discrepancy instead of silently picking one value', () => {
    const v2026 = targets.indicators.find((i) => i.code === 'consensus')!.values.find((v) => v.year === 2026)!;
    expect(v2026.value).toBe(81.0);
    expect(v2026.source.section).toBe('6');
    expect(v2026.alternatives).toHaveLength(1);
    expect(v2026.alternatives![0]!.value).toBe(80.9);
    expect(v2026.alternatives![0]!.source.section).toMatch(/action plan/);
    expectTrilingual(v2026.discrepancy, 'consensus 2026 discrepancy');
    // No other value claims an alternative: the one discrepancy known is the one recorded.
    const others = targets.indicators.flatMap((i) => i.values).filter((v) => v !== v2026 && v.alternatives);
    expect(others).toEqual([]);
  });

  it('cites the source document of every context figure', () => {
    for (const f of targets.contextFigures.monitoring2020_2021) expect(docIds.has(f.source.document), f.id).toBe(true);
  });
});
