// The console's quota form and the API parse the same schemas (contract/quotas.ts): what they
// refuse before the server's checks against the questionnaire.
import { expect, it } from 'vitest';
import { z } from 'zod/mini';
import { quotaFill, setQuotasBody } from '../../contract/quotas';

const cell = { region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 40 };

it('accepts a set of targets and refuses a negative or fractional target, a bad band, an unknown field', () => {
  expect(setQuotasBody.parse({ targets: [cell, { ...cell, ageBand: '60+', target: 0 }] }).targets).toHaveLength(2);
  const problems = (body: unknown) => {
    const r = setQuotasBody.safeParse(body);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  expect(problems({ targets: [{ ...cell, target: -1 }] })).toEqual(['targets.0.target: A target is a whole number of 0 or more']);
  expect(problems({ targets: [{ ...cell, target: 1.5 }] })[0]).toMatch(/^targets\.0\.target: /);
  expect(problems({ targets: [{ ...cell, ageBand: '30–44' }] })).toEqual(['targets.0.ageBand: Age band must be LO-HI or LO+ in whole years, e.g. 18-29 or 60+']);
  expect(problems({ targets: [{ ...cell, quota: 3 }] })[0]).toMatch(/^targets\.0: /);
  expect(problems({})[0]).toMatch(/^targets: /);
});

it('describes the fill the server returns', () => {
  const fill: z.infer<typeof quotaFill> = { waveId: 1, asOf: '2026-11-29T10:00:00.000Z', cells: [{ ...cell, reserved: 2, completed: 41, imported: 3, refused: 7, overshoot: 3 }], outside: { reserved: 0, completed: 1 } };
  expect(quotaFill.parse(fill)).toEqual(fill);
  expect(quotaFill.safeParse({ ...fill, cells: [{ ...cell }] }).success).toBe(false);
});
