// HTTP routes of the public results API (docs/PUBLIC-API.md), mounted at /api/public/v1. GET only,
// cacheable by anyone for 60 s, a strong ETag per published state, open to every origin.
//
// Speed: every answer is computed once per published state and kept as bytes (plain and gzip),
// keyed by the state's version (one small indexed query per request, state.ts), so a request
// costs that query and a Map lookup; a publication changes the version and the next request
// recomputes. The router sets its own Cache-Control, whatever the app sets for /api.
// With `answers` (the app's PublicAnswerCache, decision 032) every answer is also recorded with
// all its headers, so the app's lean handler serves the same URL again without Express's stack.
import zlib from 'node:zlib';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Sql } from '../db/sql';
import { BadRequestError, HttpError } from '../http/errors';
import { BREAKDOWNS } from '../runs/result';
import { breakdownsCsv, CSV_LANGS, seriesCsv } from './csv';
import { openApiDocument } from './openapi';
import { breakdownsBody, indicatorsBody, parseIndicator, parseRunId, periodsBody, runBody, seriesBody } from './service';
import { etagMatches, hasBody, headerList, type PublicAnswerCache } from './answer-cache';
import { loadPublishedState, stateVersion, type PublishedState } from './state';

const CACHE_CONTROL = 'public, max-age=60';
/** Bodies below this size are sent as they are: gzip would save little. */
const MIN_GZIP_BYTES = 4 * 1024;

interface Entry {
  type: string;
  body: Buffer;
  gzip: Buffer | null;
  filename?: string;
}

// Query parameters. Unknown parameters are ignored (cache busters); a repeated one is an array
// and rejected by these schemas. Messages name what is expected; the route names the parameter.
const format = z.enum(['json', 'csv'], { error: 'is not a format: use json or csv' }).default('json');
const lang = z.enum(CSV_LANGS, { error: `is not a language: use ${CSV_LANGS.join(', ')}` }).default('kk');
const seriesQuery = z.object({ format, lang });
const breakdownsQuery = z.object({
  period: z.string()
    .regex(/^\d{4}(-Q[1-4])?$/, 'is not a period: give a wave such as 2026-Q3 or a year such as 2026'),
  by: z.enum(BREAKDOWNS, { error: `is not a breakdown: use one of ${BREAKDOWNS.join(', ')}` }),
  format,
  lang,
});

/** Parses the query with `schema`, or throws 400 naming the first bad parameter and its value. */
function parsePublicQuery<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const r = schema.safeParse(req.query);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const name = issue.path.map(String).join('.');
  const raw = (req.query as Record<string, unknown>)[name];
  const message = Array.isArray(raw)
    ? `query parameter ${name} is given more than once`
    : raw === undefined ? `query parameter ${name} is required` : `query parameter ${name}=${JSON.stringify(raw)} ${issue.message}`;
  throw new BadRequestError('invalid_query', message, [{ field: `query.${name}`, message }]);
}

export interface PublicResultsOptions {
  /** The clock (tests pin it: "provisional" depends on the current year). */
  now?: () => Date;
  /** Where finished answers are recorded for the app's lean handler (server/results/answer-cache.ts). */
  answers?: PublicAnswerCache;
}

export function publicResultsRouter(reader: Sql, options: PublicResultsOptions = {}): Router {
  const answers = options.answers;
  const now = options.now ?? answers?.now ?? (() => new Date());
  const router = Router();
  let cache: { key: string; state: PublishedState | undefined; entries: Map<string, Entry> } = { key: '', state: undefined, entries: new Map() };

  /**
   * The entries of the current published state: its version is read on every request (one small
   * query), so a publish on any server sharing the database is served from the next request on;
   * the state itself is loaded once per version, by the first request that needs it.
   */
  const current = async (): Promise<{ key: string; entries: Map<string, Entry>; state: () => Promise<PublishedState> }> => {
    const key = await stateVersion(reader, now());
    if (cache.key !== key) cache = { key, state: undefined, entries: new Map() };
    const c = cache;
    return { key, entries: c.entries, state: async () => (c.state ??= await loadPublishedState(reader, key)) };
  };

  /** Serves the entry `id`, building it with `build` once per published state. */
  const serve = async (req: Request, res: Response, id: string, build: (state: PublishedState) => Omit<Entry, 'gzip'>, needsState = true): Promise<void> => {
    const c = await current();
    let entry = c.entries.get(id);
    if (!entry) {
      // An unknown indicator, period or run is a DomainError (not_found), which the app's terminal
      // handler answers 404; a fault (targets not loaded) is logged there and answered 500.
      const state = needsState ? await c.state() : (undefined as unknown as PublishedState);
      const built = build(state);
      entry = { ...built, gzip: built.body.length >= MIN_GZIP_BYTES ? zlib.gzipSync(built.body, { level: 6 }) : null };
      c.entries.set(id, entry);
    }
    const gz = entry.gzip !== null && req.acceptsEncodings('gzip') === 'gzip';
    if (entry.gzip !== null) answers?.noteGzip(req.headers['accept-encoding'], gz);
    // A strong ETag names one representation: the gzip one gets its own.
    const etag = `"${c.key}${gz ? '-gz' : ''}"`;
    res.setHeader('Cache-Control', CACHE_CONTROL);
    res.setHeader('ETag', etag);
    if (entry.gzip !== null) res.setHeader('Vary', 'Accept-Encoding');
    // The headers of a 304: what is set so far (the lean handler replays them, decision 032).
    const recordable = answers !== undefined && (req.method === 'GET' || req.method === 'HEAD') && !hasBody(req);
    const headers304 = recordable ? headerList(res) : [];
    if (etagMatches(req.get('if-none-match'), etag)) {
      res.status(304).end();
      return;
    }
    res.status(200).type(entry.type);
    if (entry.filename) res.setHeader('Content-Disposition', `attachment; filename="${entry.filename}"`);
    const body = gz ? entry.gzip! : entry.body;
    if (gz) res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', body.length);
    if (recordable) answers.record(c.key, req.originalUrl, entry.gzip !== null, gz, { etag, body, headers200: headerList(res), headers304 });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const json = (body: unknown): Omit<Entry, 'gzip'> => ({ type: 'application/json; charset=utf-8', body: Buffer.from(JSON.stringify(body)) });
  const csv = (text: string, filename: string): Omit<Entry, 'gzip'> => ({ type: 'text/csv; charset=utf-8', body: Buffer.from(text), filename });

  router.use((req, res, next) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'ETag');
    // Errors are not cached; successful answers set their own Cache-Control.
    res.setHeader('Cache-Control', 'no-store');
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    if (req.method === 'OPTIONS') {
      // A CORS preflight (a browser asks before sending If-None-Match cross-origin).
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD');
      res.setHeader('Access-Control-Allow-Headers', 'If-None-Match');
      res.setHeader('Access-Control-Max-Age', '86400');
      res.status(204).end();
      return;
    }
    res.setHeader('Allow', 'GET, HEAD');
    next(new HttpError(405, 'method_not_allowed', `The public API is read-only: ${req.method} is not allowed, use GET.`));
  });

  router.get('/indicators', async (req, res) => {
    await serve(req, res, 'indicators', (state) => json(indicatorsBody(state, now())));
  });

  router.get('/indicators/:id/series', async (req, res) => {
    const q = parsePublicQuery(req, seriesQuery);
    const id = req.params.id;
    const indicator = parseIndicator(id);
    await serve(req, res, `series|${id}|${q.format}|${q.format === 'csv' ? q.lang : ''}`, (state) => {
      const body = seriesBody(state, indicator, now());
      return q.format === 'csv' ? csv(seriesCsv(body, q.lang), `kelisim-${body.indicator.id}-series-${q.lang}.csv`) : json(body);
    });
  });

  router.get('/periods', async (req, res) => {
    await serve(req, res, 'periods', (state) => json(periodsBody(state, now())));
  });

  router.get('/breakdowns', async (req, res) => {
    const q = parsePublicQuery(req, breakdownsQuery);
    await serve(req, res, `breakdowns|${q.period}|${q.by}|${q.format}|${q.format === 'csv' ? q.lang : ''}`, (s) => {
      const body = breakdownsBody(s, q.period, q.by);
      if (q.format === 'json') return json(body);
      const names = Object.fromEntries(s.targets.indicators.map((i) => [i.code, i.name]));
      return csv(breakdownsCsv(body, names, q.lang), `kelisim-${q.period}-${q.by}-${q.lang}.csv`);
    });
  });

  router.get('/runs/:runId', async (req, res) => {
    const raw = req.params.runId;
    const runId = parseRunId(raw);
    await serve(req, res, `run|${raw}`, (state) => json(runBody(state, runId)));
  });

  router.get('/openapi.json', async (req, res) => {
    await serve(req, res, 'openapi', () => json(openApiDocument()), false);
  });

  return router;
}
