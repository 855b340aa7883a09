// Loads the R reference data set (test/fixtures/reference/raking-a) into the engine's input form.
import { readFileSync } from 'node:fs';
import type { AnalyzeInput } from '../../analysis/analyze';
import { parseCsv } from '../../analysis/csv';
import { parseMargins, type Margin } from '../../analysis/margins';
import { parseScoringSpec, type ScoringSpec } from '../../analysis/scoring';

export const REF_DIR = 'test/fixtures/reference/raking-a';

export interface Reference {
  input: AnalyzeInput;
  ids: string[];
  margins: Margin[];
  spec: ScoringSpec;
}

export function loadReference(): Reference {
  const t = parseCsv(readFileSync(`${REF_DIR}/responses.csv`), (h) => h.map((c) => (c === 'id' ? 'id' : c === 'base_weight' ? 'number' : 'factor')), 'responses.csv');
  const m = parseCsv(readFileSync(`${REF_DIR}/margins.csv`), (h) => h.map(() => 'factor'), 'margins.csv');
  const label = (c: string, i: number): string => m.factors[c]!.labels[m.factors[c]!.codes[i]!]!;
  const margins = parseMargins(Array.from({ length: m.n }, (_, i) => ({ margin: label('margin', i), level: label('level', i), population: label('population', i) })));
  const spec = parseScoringSpec(JSON.parse(readFileSync(`${REF_DIR}/scoring.json`, 'utf8')));
  const ids = Array.from({ length: t.n }, (_, i) => t.id!(i));
  return { input: { n: t.n, id: (i) => ids[i]!, columns: t.factors, designWeights: t.numbers.base_weight! }, ids, margins, spec };
}
