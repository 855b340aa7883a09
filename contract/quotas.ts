// Quotas of a fieldwork wave (issue 8, docs/decisions/022) as one contract for the server's
// service and the console (its JSON API and its forms validate with these same schemas). Pure
// zod/mini, no node: or DOM imports, like contract/respondent-api.ts.
import { z } from 'zod/mini';
import { screenReasonSchema } from './respondent-api';

/**
 * How long a partial response holds its place without a save: 2 hours. After that the place is
 * released; a respondent who comes back takes a place again if there is one, or is screened out
 * politely (`quota_full`).
 */
export const QUOTA_HOLD_MS = 2 * 3600 * 1000;

/** Most cells in one wave's quota set (20 regions × 2 sexes × a few bands is ~200). */
export const MAX_QUOTA_CELLS = 5000;

/** Why a response was screened out, besides the screener questions: its quota cell was full. */
export { screenReasonSchema };
export type ScreenReason = z.infer<typeof screenReasonSchema>;

/** An age band label: `LO-HI` or `LO+` in whole years (`18-29`, `60+`). */
export const AGE_BAND_PATTERN = /^(\d+)-(\d+)$|^(\d+)\+$/;

/**
 * One cell's target as the console sends it. Codes are the questionnaire's choice values
 * (`region` e.g. `KZ-71`, `sex` `m`/`f`); the server checks them against the wave's questionnaire,
 * and that bands do not overlap and no cell appears twice.
 */
export const quotaTargetInput = z.strictObject({
  region: z.string().check(z.minLength(1), z.maxLength(32)),
  sex: z.string().check(z.minLength(1), z.maxLength(32)),
  ageBand: z.string().check(z.regex(AGE_BAND_PATTERN, { error: 'Age band must be LO-HI or LO+ in whole years, e.g. 18-29 or 60+' })),
  target: z.int().check(z.gte(0, { error: 'A target is a whole number of 0 or more' }), z.lte(10_000_000)),
});
export type QuotaTargetInput = z.infer<typeof quotaTargetInput>;

/** PUT body of a wave's quotas: the whole set, replacing the previous one (an empty list removes them). */
export const setQuotasBody = z.strictObject({
  targets: z.array(quotaTargetInput).check(z.maxLength(MAX_QUOTA_CELLS)),
});
export type SetQuotasBody = z.infer<typeof setQuotasBody>;

/** One cell's live fill. */
export const quotaCellFill = z.object({
  region: z.string(),
  sex: z.string(),
  ageBand: z.string(),
  target: z.int(),
  /** Partial responses holding a place (saved within the last {@link QUOTA_HOLD_MS}). */
  reserved: z.int(),
  /** Completed responses counted here, imported interviews included. */
  completed: z.int(),
  /** Of `completed`, imported field interviews (never refused). */
  imported: z.int(),
  /** Respondents screened out because this cell was full. */
  refused: z.int(),
  /** reserved + completed − target when above 0 (only imports can cause it, or a target lowered later). */
  overshoot: z.int(),
});
export type QuotaCellFill = z.infer<typeof quotaCellFill>;

/** GET of a wave's quotas: every cell with a target, and respondents placed in no such cell. */
export const quotaFill = z.object({
  waveId: z.int(),
  /** When the fill was read (ISO-8601): `reserved` depends on it. */
  asOf: z.string(),
  cells: z.array(quotaCellFill),
  /** Respondents in a cell without a target (not limited). */
  outside: z.object({ reserved: z.int(), completed: z.int() }),
});
export type QuotaFill = z.infer<typeof quotaFill>;
