// The codebook of an export: what every variable means (question text in the export's language,
// type, measurement level, scoring) and every labelled value, plus where the data came from. The
// CSV export writes it beside the data file, the XLSX export as two sheets, the SPSS file carries
// it in its dictionary (and the provenance as document lines).
import type { ExportSource } from './source';
import { labelOf, type ExportVariable } from './variables';

export interface CodebookValue { variable: string; code: string; label: string; missing: boolean; spssCode: string }

/** Provenance lines (key, value) of an export. */
export function provenance(src: ExportSource, extra: [string, string][] = []): [string, string][] {
  return [
    ['wave', String(src.wave.id)],
    ['period', src.wave.period ?? ''],
    ['survey', `${src.wave.surveyId} v${src.version.row.version} (content ${src.version.row.contentHash.slice(0, 16)})`],
    ['status filter', src.status === 'complete' ? 'complete responses only' : 'all responses (complete, partial, screened out)'],
    ['language of labels', src.lang],
    ['rows', String(src.count)],
    ['exported at', (src.exportedAt ?? new Date()).toISOString()],
    ['formula neutralisation', 'a text cell starting with =, +, -, @, tab or carriage return is written with a leading apostrophe (\'); numbers never are'],
    ...(src.provenance ?? []),
    ...extra,
  ];
}

/** Every labelled value of every variable, missing codes included (with their SPSS stand-in for numeric variables). */
export function codebookValues(vars: readonly ExportVariable[]): CodebookValue[] {
  const out: CodebookValue[] = [];
  for (const v of vars) {
    const missing = new Set(v.missing.map(String));
    const codes = [...v.values.map((x) => x.code), ...v.missing.filter((m) => labelOf(v, m) === undefined)];
    for (const code of codes) {
      const s = String(code);
      const spss = v.type === 'numeric' ? (typeof code === 'boolean' ? (code ? '1' : '0') : typeof code === 'number' ? s : String(v.numericCodes.get(s) ?? '')) : s;
      out.push({ variable: v.name, code: s, label: labelOf(v, code) ?? s, missing: missing.has(s), spssCode: spss });
    }
  }
  return out;
}

export const CODEBOOK_VARIABLE_COLUMNS = ['variable', 'label', 'type', 'measure', 'missing', 'scoring'] as const;

export function codebookVariableRow(v: ExportVariable): string[] {
  return [v.name, v.label, v.type, v.measure, v.missing.map(String).join(' '), v.scoring ?? ''];
}
