import { describe, expect, it } from 'vitest';
import { factorCalibration, solve } from '../../analysis/calibration';
import { factorFromValues } from '../../analysis/columns';
import { assignCells, parseMargins } from '../../analysis/margins';
import { buildDesign } from '../../analysis/raking';

const margins = parseMargins([
  { margin: 'sex:age', level: 'm:young', population: 20 }, { margin: 'sex:age', level: 'm:old', population: 30 },
  { margin: 'sex:age', level: 'f:young', population: 25 }, { margin: 'sex:age', level: 'f:old', population: 25 },
  { margin: 'sex', level: 'm', population: 50 }, { margin: 'sex', level: 'f', population: 50 },
  { margin: 'area', level: 'u', population: 60 }, { margin: 'area', level: 'r', population: 40 },
]);
const columns = {
  sex: factorFromValues(['m', 'm', 'f', 'f', 'm', 'f', 'm', 'f']),
  age: factorFromValues(['young', 'old', 'young', 'old', 'old', 'young', 'young', 'old']),
  area: factorFromValues(['u', 'r', 'u', 'u', 'u', 'r', 'r', 'r']),
};

describe('factorCalibration', () => {
  const design = buildDesign(assignCells(margins, columns, { minCellSize: 1 }).margins, Float64Array.of(1, 2, 1, 3, 1, 1, 2, 1));
  const cal = factorCalibration(design);
  it('builds intercept + treatment-coded columns and drops the ones implied by other margins', () => {
    // 1 + (4 − 1) + (2 − 1) + (2 − 1) = 6 columns; sex's "f" column is implied by sex:age.
    expect(cal.k).toBe(6);
    expect(Array.from(cal.active)).toEqual([1, 1, 1, 1, 0, 1]);
  });
  it('solves the normal equations on the kept columns', () => {
    // X'DX β = X'D·1 has the solution β = (1, 0, …): the intercept alone fits a constant.
    const k = cal.k;
    const b = new Float64Array(k);
    const M = design.margins.length;
    for (let p = 0; p < design.P; p++) {
      b[0]! += design.dSum[p]!;
      for (let m = 0; m < M; m++) {
        const c = cal.cols[p * M + m]!;
        if (c >= 0) b[c]! += design.dSum[p]!;
      }
    }
    const beta = solve(cal, b);
    expect(beta[0]).toBeCloseTo(1, 12);
    for (let j = 1; j < k; j++) expect(beta[j]).toBeCloseTo(0, 12);
  });
});
