// Columnar respondent data as the engine consumes it. Categorical answers (weighting variables,
// items, domain variables) are dictionary-encoded: one small integer code per respondent and the
// list of distinct raw values. This keeps 1,000,000 respondents in a few tens of MB and lets every
// per-value decision (scoring a label, looking up a margin level) be made once per distinct value
// instead of once per respondent.

/** A dictionary-encoded column: `labels[codes[i]]` is respondent i's raw value ('' = empty cell). */
export interface FactorColumn {
  codes: Int32Array;
  labels: string[];
}

/**
 * Dictionary-encodes a list of raw values. null, undefined and '' all become the label ''.
 * Numbers are encoded by their decimal string (so 3 and "3" share a code).
 * Cost: O(n) with one Map lookup per value.
 * @example factorFromValues(['a', 'b', 'a', null]) // { codes: [0, 1, 0, 2], labels: ['a', 'b', ''] }
 */
export function factorFromValues(values: readonly unknown[]): FactorColumn {
  const codes = new Int32Array(values.length);
  const labels: string[] = [];
  const index = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const s = v === null || v === undefined ? '' : String(v);
    let c = index.get(s);
    if (c === undefined) {
      c = labels.length;
      labels.push(s);
      index.set(s, c);
    }
    codes[i] = c;
  }
  return { codes, labels };
}

/**
 * The first respondent (0-based row index) whose code is `code`, or -1. Used only to name the row
 * at fault in an error message, so an O(n) scan is fine.
 * @example firstRowWithCode({ codes: Int32Array.of(0, 1, 1), labels: ['a', 'b'] }, 1) // 1
 */
export function firstRowWithCode(col: FactorColumn, code: number): number {
  const c = col.codes;
  for (let i = 0; i < c.length; i++) if (c[i] === code) return i;
  return -1;
}
