// The OpenAPI 3.1 document of the public results API, generated from the zod schemas the service's
// types come from (schemas.ts), so it describes exactly what is served. OpenAPI 3.1 schemas are
// JSON Schema 2020-12, which zod emits directly.
import { z } from 'zod';
import { LOCALES } from '../../contract/locales';
import { BREAKDOWNS, INDICATOR_IDS } from '../runs/result';
import { registry } from './schemas';

export const PUBLIC_API_BASE = '/api/public/v1';

type Json = Record<string, unknown>;

const ref = (id: string): Json => ({ $ref: `#/components/schemas/${id}` });

function jsonOk(id: string, description: string): Json {
  return { description, headers: { ETag: { $ref: '#/components/headers/ETag' }, 'Cache-Control': { $ref: '#/components/headers/CacheControl' } }, content: { 'application/json': { schema: ref(id) } } };
}

const notModified = { description: 'Not modified: the If-None-Match ETag is still current.' };
const errorResponse = (description: string): Json => ({ description, content: { 'application/json': { schema: ref('ErrorBody') } } });
const ifNoneMatch = { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'An ETag from an earlier answer: 304 when nothing was published since.' };
const formatParam = { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'csv'], default: 'json' }, description: 'csv: the same rows as CSV (UTF-8 with BOM, header row).' };
const langParam = { name: 'lang', in: 'query', required: false, schema: { type: 'string', enum: [...LOCALES], default: 'kk' }, description: 'Language of the CSV label columns.' };
const csvContent = { 'text/csv': { schema: { type: 'string' } } };

let cached: Json | undefined;

/** The document served at /api/public/v1/openapi.json. Built once. */
export function openApiDocument(): Json {
  if (cached) return cached;
  const generated = z.toJSONSchema(registry, { target: 'draft-2020-12', uri: (id) => `#/components/schemas/${id}` });
  const schemas: Record<string, Json> = {};
  for (const [id, s] of Object.entries(generated.schemas)) {
    const { $schema: _schema, $id: _id, ...rest } = s as Json;
    schemas[id] = rest;
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Kelisim public results API',
      version: '1.0.0',
      description: 'Published estimates of the Concept 2022–2026 indicators (consensus, tolerance, mood): never raw responses, never a draft. '
        + 'Numbers are unrounded percentages (0–100). Every JSON body has `demo` at its top level: true when the instance holds synthetic demonstration data. '
        + 'Cache-Control: public, max-age=60; a strong ETag changes with every publication. CORS: Access-Control-Allow-Origin: *. GET only (others: 405). '
        + 'Errors: 400 for a bad query value (the message names it), 404 for an unknown indicator, period or run.',
    },
    servers: [{ url: PUBLIC_API_BASE }],
    paths: {
      '/indicators': {
        get: { summary: 'The headline: every indicator with its targets, latest wave and year, and progress.', operationId: 'getIndicators', parameters: [ifNoneMatch], responses: { 200: jsonOk('IndicatorsBody', 'The indicators.'), 304: notModified } },
      },
      '/indicators/{id}/series': {
        get: {
          summary: 'The trend of one indicator: published waves and years, oldest first.', operationId: 'getSeries',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', enum: [...INDICATOR_IDS] } }, formatParam, langParam, ifNoneMatch],
          responses: {
            200: { ...jsonOk('SeriesBody', 'The series (JSON, or CSV with ?format=csv).'), content: { 'application/json': { schema: ref('SeriesBody') }, ...csvContent } },
            304: notModified, 400: errorResponse('A bad query value.'), 404: errorResponse('Unknown indicator.'),
          },
        },
      },
      '/periods': {
        get: { summary: 'What has been published: waves and years, oldest first.', operationId: 'getPeriods', parameters: [ifNoneMatch], responses: { 200: jsonOk('PeriodsBody', 'The published periods.'), 304: notModified } },
      },
      '/breakdowns': {
        get: {
          summary: 'Domain estimates of every indicator for one period and one domain variable; a year pools its published waves (METHODOLOGY §5).', operationId: 'getBreakdowns',
          parameters: [
            { name: 'period', in: 'query', required: true, schema: { type: 'string', pattern: '^\\d{4}(-Q[1-4])?$' }, description: 'A wave ("2026-Q3") or a year ("2026").' },
            { name: 'by', in: 'query', required: true, schema: { type: 'string', enum: [...BREAKDOWNS] } },
            formatParam, langParam, ifNoneMatch,
          ],
          responses: {
            200: { ...jsonOk('BreakdownsBody', 'The domain estimates; a suppressed level carries no numbers.'), content: { 'application/json': { schema: ref('BreakdownsBody') }, ...csvContent } },
            304: notModified, 400: errorResponse('A missing or bad query value.'), 404: errorResponse('Nothing is published for the period.'),
          },
        },
      },
      '/runs/{runId}': {
        get: {
          summary: 'Provenance of one published run.', operationId: 'getRun',
          parameters: [{ name: 'runId', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }, ifNoneMatch],
          responses: { 200: jsonOk('RunBody', 'The run.'), 304: notModified, 404: errorResponse('No such published run.') },
        },
      },
      '/openapi.json': {
        get: { summary: 'This document.', operationId: 'getOpenApi', responses: { 200: { description: 'The OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } } } },
      },
    },
    components: {
      schemas,
      headers: {
        ETag: { description: 'A strong ETag of the published state.', schema: { type: 'string' } },
        CacheControl: { description: 'public, max-age=60', schema: { type: 'string' } },
      },
    },
  };
  return cached;
}
