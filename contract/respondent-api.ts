// The respondent API (docs/decisions/001) as one contract that the server and the client both
// import (docs/decisions/006): every request body, path parameter and answer body as a zod schema,
// and the constants both sides must agree on. Pure: no node:, express or DOM imports, so it runs
// in the browser bundle and on the server alike (eslint.config.js enforces it).
// zod/mini, not zod: the same schemas at a fraction of the size in the respondent page's bundle
// (decision 006); on the server they are parsed exactly like classic zod schemas.
import { z } from 'zod/mini';

// --- Facts both sides share ------------------------------------------------------------------

import { LOCALES } from './locales';

export { isLocale, LOCALES, type Locale } from './locales';

/**
 * How long after first opening a link a respondent may come back and still send a `durationMs`:
 * 31 days. A longer "duration" is a client clock error or an abandoned-and-resumed response, not
 * time spent answering; the client omits it then and the server refuses it.
 */
export const RESUME_WINDOW_MS = 31 * 24 * 3600 * 1000;

/** Largest page number a partial save may record (a questionnaire of 10,000 pages is not one). */
export const MAX_PAGE_NO = 10_000;

/**
 * A response id: a UUID in its canonical lower-case form (RFC 9562 §4, what crypto.randomUUID
 * makes), any version 1–8. Upper case is refused, not folded: the id is the idempotency key and is
 * echoed back, so the client's copy and the stored row must be the same string (decision 007).
 * The nil and max UUIDs are refused too: no generator makes them, so they are a guess or a test.
 */
export const RESPONSE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// --- Request parts ---------------------------------------------------------------------------

export const localeSchema = z.enum(LOCALES);
export const surveyVersionIdSchema = z.int().check(z.positive());
export const responseIdSchema = z.string().check(z.regex(RESPONSE_ID_PATTERN, {
  error: 'Invalid response id: expected a lower-case UUID such as crypto.randomUUID() makes (not the nil or max UUID)',
}));

// The answers only need to be a JSON object here: the server's validators check every key and
// value against the survey version (server/validation). z.record would copy the object key by key
// on every request (~7 µs for the official questionnaire, measured), for nothing.
export const answersSchema = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  { error: 'Invalid input: expected an object of answers (question name → value)' },
);

export const linkParams = z.object({ link: z.string().check(z.minLength(1), z.maxLength(128)) });
export const responseParams = z.extend(linkParams, { id: responseIdSchema });

/** PUT /api/links/:link/responses/:id — a partial save (creates the row on the first one). */
export const partialSaveBody = z.strictObject({
  surveyVersionId: surveyVersionIdSchema,
  locale: localeSchema,
  data: answersSchema,
  currentPageNo: z.int().check(z.gte(0), z.lte(MAX_PAGE_NO)),
});
export type PartialSaveBody = z.infer<typeof partialSaveBody>;

/** POST /api/links/:link/responses/:id/complete */
export const completeBody = z.strictObject({
  surveyVersionId: surveyVersionIdSchema,
  locale: localeSchema,
  data: answersSchema,
  durationMs: z.optional(z.int().check(z.gte(0), z.lte(RESUME_WINDOW_MS))),
});
export type CompleteBody = z.infer<typeof completeBody>;

// --- Answer bodies ---------------------------------------------------------------------------

export const responseStatusSchema = z.enum(['partial', 'complete', 'screened_out']);
export type ResponseStatus = z.infer<typeof responseStatusSchema>;
export type FinalStatus = Exclude<ResponseStatus, 'partial'>;

export const surveyPayload = z.object({
  versionId: surveyVersionIdSchema,
  json: z.record(z.string(), z.unknown()),
});
export type SurveyPayload = z.infer<typeof surveyPayload>;

/**
 * Why a response was screened out besides the screener questions: `quota_full`, its group of
 * respondents (region × sex × age band) was already complete (contract/quotas.ts). Absent otherwise.
 */
export const screenReasonSchema = z.enum(['quota_full']);

export const responseState = z.object({
  id: z.string(),
  status: responseStatusSchema,
  surveyVersionId: surveyVersionIdSchema,
  locale: localeSchema,
  data: answersSchema,
  currentPageNo: z.int().check(z.gte(0)),
  screenReason: z.optional(screenReasonSchema),
});
export type ResponseState = z.infer<typeof responseState>;

/** GET /api/links/:link */
export const linkState = z.object({
  link: z.object({ kind: z.enum(['open', 'invitation']) }),
  wave: z.object({
    id: z.int(),
    title: z.object({ kk: z.string(), ru: z.string(), en: z.string() }),
    status: z.enum(['open', 'closed']),
  }),
  survey: surveyPayload,
  response: z.nullable(responseState),
});
export type LinkState = z.infer<typeof linkState>;

/** GET /api/links/:link/responses/:id — the state and the version it was started on. */
export const responseWithSurvey = z.extend(responseState, { survey: surveyPayload });
export type ResponseWithSurvey = z.infer<typeof responseWithSurvey>;

/** 201 (first time) or 200 (the same id again) of a completion. */
export const completionResult = z.object({
  id: z.string(),
  status: z.enum(['complete', 'screened_out']),
  completedAt: z.string(),
  screenReason: z.optional(screenReasonSchema),
});
export type CompletionResult = z.infer<typeof completionResult>;

/** One per-question problem of a 422 `invalid_answers`, in the respondent's language. */
export const questionProblem = z.object({ question: z.string(), message: z.string() });
export type QuestionProblem = z.infer<typeof questionProblem>;

/** Every error answer: `{ error: { code, message, details? } }`. */
export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.optional(z.unknown()) }),
});
export type ErrorBody = z.infer<typeof errorBody>;
