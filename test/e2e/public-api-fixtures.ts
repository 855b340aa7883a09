// Answers /api/public/v1/* with the contract fixtures (test/fixtures/public-api/, written to
// docs/PUBLIC-API.md) in front of the real app, for the dashboard states the demo database cannot
// show (the dashboard's e2e test runs on the demo otherwise). Variants: nothing published, demo
// data, a failing API (and its recovery).
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const DIR = path.resolve(import.meta.dirname, '../fixtures/public-api');
const readJson = (name: string) => JSON.parse(fs.readFileSync(path.join(DIR, name), 'utf8')) as Record<string, unknown>;

export const fixtures = {
  indicators: readJson('indicators.json'),
  series: readJson('series.json'),
  periods: readJson('periods.json'),
  breakdowns: readJson('breakdowns.json'),
  runs: readJson('runs.json'),
  emptyIndicators: readJson('empty-indicators.json'),
  emptyPeriods: readJson('empty-periods.json'),
};

export interface PublicApiOptions {
  /** Nothing published yet. */
  empty?: boolean;
  /** Every body says `demo: true` (synthetic demonstration data). */
  demo?: boolean;
  /** Every request fails with 503 while this returns true. */
  failing?: () => boolean;
}

type Text = { kk: string; ru: string; en: string };
type Lang = keyof Text;

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csv = (rows: unknown[][]) => `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;

/** The CSV form of a series or breakdowns body (docs/PUBLIC-API.md: UTF-8 with BOM, header row, labels in `lang`). */
function toCsv(body: Record<string, unknown>, lang: Lang): string {
  if ('waves' in body) {
    const ind = body.indicator as { id: string; name: Text };
    const waves = body.waves as { period: string; n: number; value: number; se: number; ci95: [number, number] }[];
    return csv([
      ['indicator', 'label', 'period', 'n', 'value', 'se', 'ci95_low', 'ci95_high'],
      ...waves.map((w) => [ind.id, ind.name[lang], w.period, w.n, w.value, w.se, w.ci95[0], w.ci95[1]]),
    ]);
  }
  const inds = body.indicators as { id: string; levels: { level: string; label: Text; n: number | null; value: number | null; se: number | null; ci95: [number, number] | null; suppressed: boolean; lowPrecision: boolean }[] }[];
  return csv([
    ['indicator', 'period', 'by', 'level', 'label', 'n', 'value', 'se', 'ci95_low', 'ci95_high', 'suppressed', 'low_precision'],
    ...inds.flatMap((i) => i.levels.map((l) => [i.id, body.period, body.by, l.level, l.label[lang], l.n, l.value, l.se, l.ci95?.[0], l.ci95?.[1], l.suppressed, l.lowPrecision])),
  ]);
}

/** The fixture API's answer to one GET (path and query under /api/public/v1). */
export function answer(url: URL, options: PublicApiOptions): { status: number; type: string; body: string } {
  const json = (status: number, value: unknown) => ({ status, type: 'application/json; charset=utf-8', body: JSON.stringify(value) });
  if (options.failing?.()) return json(503, { error: { code: 'unavailable', message: 'Service unavailable.' } });
  const rest = url.pathname.replace(/^\/api\/public\/v1/, '');
  let body: Record<string, unknown> | undefined;
  let m: RegExpExecArray | null;
  if (rest === '/indicators') body = options.empty ? fixtures.emptyIndicators : fixtures.indicators;
  else if (rest === '/periods') body = options.empty ? fixtures.emptyPeriods : fixtures.periods;
  else if ((m = /^\/indicators\/([^/]+)\/series$/.exec(rest))) body = fixtures.series[m[1]] as Record<string, unknown> | undefined;
  else if (rest === '/breakdowns') body = fixtures.breakdowns[`${url.searchParams.get('period')}|${url.searchParams.get('by')}`] as Record<string, unknown> | undefined;
  else if ((m = /^\/runs\/(\d+)$/.exec(rest))) body = fixtures.runs[m[1]] as Record<string, unknown> | undefined;
  if (!body) return json(404, { error: { code: 'not_found', message: `Nothing at ${rest}.` } });
  if (options.demo) body = { ...body, demo: true };
  if (url.searchParams.get('format') === 'csv') {
    return { status: 200, type: 'text/csv; charset=utf-8', body: toCsv(body, (url.searchParams.get('lang') ?? 'kk') as Lang) };
  }
  return json(200, body);
}

export interface FixtureFront {
  /** Open the dashboard here: the fixture API, and everything else from the real app. */
  baseUrl: string;
  /** API paths (with query) asked for, in order. */
  requests: string[];
  /** The variant answered from now on. */
  options: PublicApiOptions;
  close: () => Promise<void>;
}

/**
 * The fixture API as a real HTTP front of the real app: /api/public/v1/* from the fixtures, every
 * other request passed through to `appBaseUrl` unchanged. A front rather than playwright's
 * page.route because a download (the "Download CSV" link) goes through Chromium's download
 * manager, which request interception never sees (tried: the download is cancelled).
 */
export async function startFixtureFront(appBaseUrl: string): Promise<FixtureFront> {
  const target = new URL(appBaseUrl);
  const requests: string[] = [];
  const front: FixtureFront = { baseUrl: '', requests, options: {}, close: async () => {} };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front');
    if (url.pathname.startsWith('/api/public/v1/')) {
      requests.push(url.pathname + url.search);
      const a = answer(url, front.options);
      res.writeHead(a.status, { 'content-type': a.type, 'cache-control': 'no-store' });
      res.end(a.body);
      return;
    }
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  front.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return front;
}
