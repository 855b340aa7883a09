// HTTP routes of the respondent API (docs/decisions/001). Parsing and status codes only; the
// journey itself is in service.ts.
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../db/open';
import type { WriteQueue } from '../db/write-queue';
import { sendJson } from '../http/compression';
import { parseBody, parseParams } from '../http/validate';
import { completeResponse, getLinkState, getResponseState, savePartial } from './service';

const locale = z.enum(['kk', 'ru', 'en']);
// The answers only need to be a JSON object here: the completion validator checks every key and
// value strictly (server/validation). z.record would copy the object key by key on every request
// (~7 µs for the official questionnaire, measured), for nothing.
const answers = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  { message: 'Invalid input: expected an object of answers (question name → value)' },
);
const linkParams = z.object({ link: z.string().min(1).max(128) });
const responseParams = linkParams.extend({ id: z.uuid() });

const partialBody = z.object({
  surveyVersionId: z.number().int().positive(),
  locale,
  data: answers,
  currentPageNo: z.number().int().min(0).max(10_000),
});

const completeBody = z.object({
  surveyVersionId: z.number().int().positive(),
  locale,
  data: answers,
  // Up to 31 days: a longer "duration" is a client clock error, not a respondent.
  durationMs: z.number().int().min(0).max(31 * 24 * 3600 * 1000).optional(),
});

export function responsesRouter(db: Db, writes: WriteQueue): Router {
  const router = Router();

  // The completion first: it is the hot path, and Express tries the routes in order (the paths
  // do not overlap, so the order changes nothing else).
  router.post('/links/:link/responses/:id/complete', async (req, res) => {
    const { link, id } = parseParams(req, responseParams);
    const body = parseBody(req, completeBody);
    // Acknowledged only after the group transaction holding it committed (fsync'd).
    const result = await writes.run(() => completeResponse(db, link, id, body));
    res.status(result.created ? 201 : 200).json(result.body);
  });

  router.get('/links/:link', async (req, res) => {
    const { link } = parseParams(req, linkParams);
    // Carries the whole survey JSON (~60 KB for the official one): worth gzipping for phones.
    await sendJson(req, res, 200, getLinkState(db, link));
  });

  router.get('/links/:link/responses/:id', async (req, res) => {
    const { link, id } = parseParams(req, responseParams);
    await sendJson(req, res, 200, getResponseState(db, link, id));
  });

  router.put('/links/:link/responses/:id', async (req, res) => {
    const { link, id } = parseParams(req, responseParams);
    const body = parseBody(req, partialBody);
    res.json(await writes.run(() => savePartial(db, link, id, body)));
  });

  return router;
}
