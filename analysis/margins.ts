// Population margins (METHODOLOGY §3): validating them, assigning every respondent to a cell of
// every margin, and merging sparse categories through a declared collapse map (§3.3).

import { AnalysisError } from './errors';
import type { FactorColumn } from './columns';

/** One population cell of a margin. For a crossed margin the level joins the values with ':'. */
export interface MarginLevel {
  level: string;
  population: number;
}

/** A population margin over one variable or several crossed variables (name 'sex:age'). */
export interface Margin {
  name: string;
  variables: string[];
  levels: MarginLevel[];
}

/** One row of a margins table (e.g. a line of margins.csv); `line` is used in error messages. */
export interface MarginRow {
  margin: string;
  level: string;
  population: number | string;
  line?: number;
}

/** A merge of a sparse category into a partner: respondents and population of `from` go to `into`. */
export interface CollapseRule {
  margin: string;
  from: string;
  into: string;
}

/** A merge that was applied, as reported by the raking result. */
export interface AppliedMerge {
  margin: string;
  from: string;
  into: string;
}

/**
 * A margin after merging: `levels` are the levels actually raked to; `cell[i]` is respondent i's
 * index into `levels`; `members[k]` lists the original levels merged into level k.
 */
export interface CellMargin {
  name: string;
  variables: string[];
  levels: MarginLevel[];
  members: string[][];
  cell: Int32Array;
  counts: Int32Array;
}

const rowSuffix = (r: MarginRow): string => (r.line !== undefined ? ` line ${r.line}` : '');

/**
 * Groups margin rows into margins, in order of first appearance, and checks them: a non-empty
 * margin name and level, a level with as many ':'-separated parts as the margin has variables, a
 * finite population > 0, no duplicate level, and every margin summing to the same total (relative
 * tolerance 1e-9, for totals written as decimals).
 *
 * Cost: O(rows).
 * @throws AnalysisError code 'invalid_margins' naming the margin, level and row at fault.
 * @example
 * parseMargins([{ margin: 'sex', level: 'm', population: 48 }, { margin: 'sex', level: 'f', population: 52 }])
 * // → [{ name: 'sex', variables: ['sex'], levels: [{ level: 'm', population: 48 }, { level: 'f', population: 52 }] }]
 */
export function parseMargins(rows: readonly MarginRow[]): Margin[] {
  if (rows.length === 0) throw new AnalysisError('invalid_margins', 'margins: no rows; expected columns margin,level,population');
  const byName = new Map<string, Margin>();
  for (const r of rows) {
    const name = r.margin.trim();
    if (name === '') throw new AnalysisError('invalid_margins', `margins${rowSuffix(r)}: empty margin name`, { line: r.line });
    const variables = name.split(':');
    if (variables.some((v) => v === '')) throw new AnalysisError('invalid_margins', `margins${rowSuffix(r)}: margin "${name}" has an empty variable name`, { line: r.line });
    let m = byName.get(name);
    if (!m) {
      m = { name, variables, levels: [] };
      byName.set(name, m);
    }
    const level = r.level.trim();
    if (level === '' || level.split(':').length !== variables.length) {
      throw new AnalysisError('invalid_margins',
        `margins${rowSuffix(r)}: level "${r.level}" of margin "${name}" must have ${variables.length} non-empty value(s) joined by ':'`,
        { line: r.line, margin: name, level: r.level });
    }
    const pop = typeof r.population === 'number' ? r.population : r.population.trim() === '' ? Number.NaN : Number(r.population);
    if (!Number.isFinite(pop) || pop <= 0) {
      throw new AnalysisError('invalid_margins', `margins${rowSuffix(r)}: population "${r.population}" of ${name}=${level} must be a number greater than 0`,
        { line: r.line, margin: name, level });
    }
    if (m.levels.some((l) => l.level === level)) {
      throw new AnalysisError('invalid_margins', `margins${rowSuffix(r)}: level "${level}" of margin "${name}" appears twice`, { line: r.line, margin: name, level });
    }
    m.levels.push({ level, population: pop });
  }
  const margins = [...byName.values()];
  for (const m of margins) {
    // A variable may appear in several margins (e.g. sex and sex:age); the calibration handles
    // the resulting collinearity. Repeating a variable inside one margin makes no sense.
    for (const v of m.variables) {
      if (m.variables.indexOf(v) !== m.variables.lastIndexOf(v)) {
        throw new AnalysisError('invalid_margins', `margins: margin "${m.name}" names variable "${v}" twice`, { margin: m.name });
      }
    }
  }
  const total = marginTotal(margins[0]!);
  for (const m of margins) {
    const t = marginTotal(m);
    if (Math.abs(t - total) > 1e-9 * total) {
      throw new AnalysisError('invalid_margins',
        `margins: margin "${m.name}" sums to ${t} but margin "${margins[0]!.name}" sums to ${total}; every margin must sum to the same population total`,
        { margin: m.name });
    }
  }
  return margins;
}

/** Σ population over a margin's levels. Cost O(levels). @example marginTotal({ name: 's', variables: ['s'], levels: [{ level: 'm', population: 2 }, { level: 'f', population: 3 }] }) // 5 */
export function marginTotal(m: Margin): number {
  let t = 0;
  for (const l of m.levels) t += l.population;
  return t;
}

/**
 * The default collapse map of the official design (METHODOLOGY §3.3): the regions split off in
 * 2022 merge into the region they came from (Ulytau KZ-62 → Karaganda KZ-35, Abai KZ-10 → East
 * Kazakhstan KZ-63, Jetisu KZ-33 → Almaty region KZ-19), and any ethnic group other than "other"
 * merges into "other". Rules are only produced for levels present in the given margins.
 * Cost: O(levels).
 * @example defaultCollapseMap(margins) // [{ margin: 'region', from: 'KZ-62', into: 'KZ-35' }, ...]
 */
export function defaultCollapseMap(margins: readonly Margin[]): CollapseRule[] {
  const rules: CollapseRule[] = [];
  for (const m of margins) {
    const has = (l: string): boolean => m.levels.some((x) => x.level === l);
    if (m.name === 'region') {
      for (const [from, into] of [['KZ-62', 'KZ-35'], ['KZ-10', 'KZ-63'], ['KZ-33', 'KZ-19']] as const) {
        if (has(from) && has(into)) rules.push({ margin: m.name, from, into });
      }
    }
    if (m.name === 'ethnicity' && has('other')) {
      for (const l of m.levels) if (l.level !== 'other') rules.push({ margin: m.name, from: l.level, into: 'other' });
    }
  }
  return rules;
}

/** Describes respondent `row` (0-based) for an error message: "row 17 (id r00017)". */
export type RowNamer = (row: number) => string;
const defaultRowNamer: RowNamer = (row) => `row ${row + 1}`;

/**
 * Assigns every respondent to a cell of every margin and merges sparse categories.
 *
 * For each margin, a respondent's level is the values of the margin's variables joined by ':'.
 * Then, repeatedly until nothing changes, a level with fewer than `minCellSize` respondents that
 * has a rule in `collapse` is merged into the rule's target (respondents and population move; the
 * target's own merged members come along); merges are reported in order. A level left with no
 * respondent makes the run fail: it cannot be raked to.
 *
 * Cost: O(n · variables) plus O(distinct value combinations) per margin.
 * @throws AnalysisError code 'invalid_input' when a margin variable is not a column, or a
 *   respondent has an empty value or a value that is not a level of the margin (naming the row,
 *   the variable and the value); code 'empty_category' when a level has no respondent and no merge
 *   rule (naming the margin and level).
 * @example
 * assignCells(margins, { region: factorFromValues(['KZ-75', 'KZ-71']) }, { minCellSize: 1 })
 * // → { margins: [{ name: 'region', cell: Int32Array [0, 1], ... }], merged: [] }
 */
export function assignCells(
  margins: readonly Margin[],
  columns: Readonly<Record<string, FactorColumn>>,
  options: { minCellSize?: number; collapse?: readonly CollapseRule[]; rowName?: RowNamer; n?: number } = {},
): { margins: CellMargin[]; merged: AppliedMerge[] } {
  const minCellSize = options.minCellSize ?? 20;
  const collapse = options.collapse ?? [];
  const rowName = options.rowName ?? defaultRowNamer;
  const merged: AppliedMerge[] = [];
  const out: CellMargin[] = [];
  for (const m of margins) {
    const cols = m.variables.map((v) => {
      const c = columns[v];
      if (!c) throw new AnalysisError('invalid_input', `margin "${m.name}" needs a column "${v}" in the responses, which is missing`, { margin: m.name, column: v });
      return c;
    });
    const n = cols[0]!.codes.length;
    const levelIndex = new Map<string, number>();
    m.levels.forEach((l, k) => levelIndex.set(l.level, k));
    // Lookup table from the combination of codes to the level index, built once per margin.
    const sizes = cols.map((c) => c.labels.length);
    const lutSize = sizes.reduce((a, b) => a * b, 1);
    if (lutSize > 5_000_000) {
      throw new AnalysisError('invalid_input', `margin "${m.name}": too many distinct value combinations (${lutSize}) in its columns`, { margin: m.name });
    }
    const lut = new Int32Array(lutSize);
    for (let key = 0; key < lutSize; key++) {
      let rest = key;
      const parts: string[] = new Array<string>(cols.length);
      for (let j = cols.length - 1; j >= 0; j--) {
        parts[j] = cols[j]!.labels[rest % sizes[j]!]!;
        rest = Math.floor(rest / sizes[j]!);
      }
      const k = parts.some((p) => p === '') ? -2 : levelIndex.get(parts.join(':'));
      lut[key] = k === undefined ? -1 : k;
    }
    const cell = new Int32Array(n);
    const counts = new Int32Array(m.levels.length);
    for (let i = 0; i < n; i++) {
      let key = 0;
      for (let j = 0; j < cols.length; j++) key = key * sizes[j]! + cols[j]!.codes[i]!;
      const k = lut[key]!;
      if (k < 0) {
        const values = cols.map((c) => c.labels[c.codes[i]!]!);
        if (k === -2) {
          const variable = m.variables[values.indexOf('')]!;
          throw new AnalysisError('invalid_input', `${rowName(i)}: "${variable}" is empty; every respondent needs a value for each weighting variable`, { row: i, column: variable });
        }
        const shown = values.join(':');
        throw new AnalysisError('invalid_input',
          `${rowName(i)}: ${m.variables.join(':')} = "${shown}" is not a level of margin "${m.name}" (levels: ${m.levels.map((l) => l.level).join(', ')})`,
          { row: i, value: shown, margin: m.name });
      }
      cell[i] = k;
      counts[k]!++;
    }
    out.push(mergeSparse(m, cell, counts, minCellSize, collapse.filter((r) => r.margin === m.name), merged));
  }
  return { margins: out, merged };
}

function mergeSparse(
  m: Margin, cell: Int32Array, counts0: Int32Array, minCellSize: number, rules: readonly CollapseRule[], merged: AppliedMerge[],
): CellMargin {
  // Union-find-like forwarding: target[k] is where level k's respondents currently live.
  const L = m.levels.length;
  const target = Array.from({ length: L }, (_, k) => k);
  const counts = Array.from(counts0);
  const pops = m.levels.map((l) => l.population);
  const alive = new Array<boolean>(L).fill(true);
  const idx = new Map(m.levels.map((l, k) => [l.level, k]));
  for (const r of rules) {
    if (!idx.has(r.from) || !idx.has(r.into)) {
      throw new AnalysisError('invalid_input', `collapse rule ${r.margin}: ${r.from} → ${r.into} names a level that margin "${m.name}" does not have`, { margin: m.name });
    }
  }
  const resolve = (k: number): number => { while (target[k] !== k) k = target[k]!; return k; };
  let changed = true;
  while (changed) {
    changed = false;
    for (let k = 0; k < L; k++) {
      if (!alive[k] || counts[k]! >= minCellSize) continue;
      const rule = rules.find((r) => r.from === m.levels[k]!.level && resolve(idx.get(r.into)!) !== k);
      if (!rule) continue;
      const into = resolve(idx.get(rule.into)!);
      target[k] = into;
      alive[k] = false;
      counts[into]! += counts[k]!;
      pops[into]! += pops[k]!;
      merged.push({ margin: m.name, from: m.levels[k]!.level, into: m.levels[into]!.level });
      changed = true;
    }
  }
  for (let k = 0; k < L; k++) {
    if (alive[k] && counts[k] === 0) {
      throw new AnalysisError('empty_category',
        `margin "${m.name}" level "${m.levels[k]!.level}" has no respondents and no merge rule; it cannot be weighted to — merge it with a neighbouring level in the margins file`,
        { margin: m.name, level: m.levels[k]!.level });
    }
  }
  const newIndex = new Int32Array(L).fill(-1);
  const levels: MarginLevel[] = [];
  const members: string[][] = [];
  const newCounts: number[] = [];
  for (let k = 0; k < L; k++) {
    if (!alive[k]) continue;
    newIndex[k] = levels.length;
    levels.push({ level: m.levels[k]!.level, population: pops[k]! });
    members.push([]);
    newCounts.push(counts[k]!);
  }
  for (let k = 0; k < L; k++) members[newIndex[resolve(k)]!]!.push(m.levels[k]!.level);
  const map = new Int32Array(L);
  for (let k = 0; k < L; k++) map[k] = newIndex[resolve(k)]!;
  const newCell = merged.some((x) => x.margin === m.name) ? cell.map((k) => map[k]!) : cell;
  return { name: m.name, variables: m.variables, levels, members, cell: newCell, counts: Int32Array.from(newCounts) };
}


const BAND = /^(\d+)\s*[-–]\s*(\d+)$|^(\d+)\s*\+$/;

/**
 * Recodes a column of numbers (e.g. age in years) into the bands a margin uses (e.g. '18-29',
 * '30-44', '45-59', '60+', or gen.R's '18-24', '25-34', …): bands are read from the margin's levels
 * for that variable ("a-b" inclusive, "a+" open-ended). Used when the responses carry the number
 * and the margins the bands, as METHODOLOGY §3 weights on age bands. Returns null (column left
 * alone) unless every level part is a band and every non-empty value a whole number; a number in
 * no band keeps its own label, which the margin check then reports as an unknown level.
 *
 * Cost: O(n) plus O(distinct values · bands).
 * @example bandNumericColumn(factorFromValues(['34', '61']), ['18-29', '30-44', '45-59', '60+'])
 * // → { codes: [0, 1], labels: ['30-44', '60+'] }
 */
export function bandNumericColumn(col: FactorColumn, levels: readonly string[]): FactorColumn | null {
  const bands: { lo: number; hi: number; label: string }[] = [];
  for (const l of new Set(levels)) {
    const m = BAND.exec(l.trim());
    if (!m) return null;
    bands.push(m[3] !== undefined ? { lo: Number(m[3]), hi: Infinity, label: l } : { lo: Number(m[1]), hi: Number(m[2]), label: l });
  }
  if (bands.length === 0) return null;
  const mapped: string[] = [];
  for (const label of col.labels) {
    if (label === '') { mapped.push(''); continue; }
    if (!/^\d+$/.test(label)) return null;
    const x = Number(label);
    mapped.push(bands.find((b) => x >= b.lo && x <= b.hi)?.label ?? label);
  }
  const labels: string[] = [];
  const index = new Map<string, number>();
  const remap = Int32Array.from(mapped, (s) => {
    let c = index.get(s);
    if (c === undefined) { c = labels.length; labels.push(s); index.set(s, c); }
    return c;
  });
  return { codes: col.codes.map((c) => remap[c]!), labels };
}
