// A stand-in for /api/admin answering with fixtures that the contract's own schemas check
// (contract/admin-api.ts), in front of the built client. It exists so the console's pages can be
// driven in a real Chromium, screenshotted and checked with axe in every state (a viewer, an
// overshoot, a refused import, a suppressed domain…) independently of a database. The researcher's
// day against the real server is test/e2e/admin.test.ts. It checks what the contract requires of
// the client: the CSRF header on every state-changing request, JSON bodies, the session cookie.
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ADMIN_ROUTES, CSRF_HEADER, type Role } from '../../contract/admin-api';

type Json = Record<string, unknown>;
const now = '2026-11-29T10:00:00.000Z';

export interface FixtureState {
  signedIn: boolean;
  role: Role;
  mustChangePassword: boolean;
  /** Every state-changing request the client made: method, path, its CSRF header and body. */
  writes: { method: string; path: string; csrf: string | undefined; body: unknown }[];
}

const CSRF = 'fixture-csrf-token';

function user(state: FixtureState) {
  return { id: 1, email: 'aigerim@example.kz', role: state.role, disabled: false, mustChangePassword: state.mustChangePassword, createdAt: now, lastLoginAt: now };
}

const wave = (id: number, status: 'open' | 'closed', period: string, started: number) => ({
  id, surveyId: 'official', status, period, openedAt: now, closedAt: status === 'closed' ? now : null, openPath: `/s/wave${id}slug`,
  title: { kk: `${period} толқыны`, ru: `Волна ${period}`, en: `Wave ${period}` },
  counts: { started, partial: Math.round(started * 0.1), completed: Math.round(started * 0.8), screenedOut: Math.round(started * 0.1), byMode: { web: started - 40, capi: 40, papi: 0, cati: 0 } },
  invitations: { total: 500, used: 312, completed: 290 },
});
const WAVES = [wave(2, 'open', '2026-Q4', 1240), wave(1, 'closed', '2026-Q3', 1603)];

const QR = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29" shape-rendering="crispEdges"><path fill="#fff" d="M0 0h29v29H0z"/><path d="M2 2h7v7H2zM20 2h7v7h-7zM2 20h7v7H2zM12 12h5v5h-5z"/></svg>';

const QUOTAS = {
  waveId: 2,
  cells: [
    { region: 'KZ-71', sex: 'f', ageBand: '18-29', target: 25, filled: 25, overshoot: 0 },
    { region: 'KZ-71', sex: 'm', ageBand: '18-29', target: 25, filled: 12, overshoot: 0 },
    { region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 30, filled: 34, overshoot: 4 },
    { region: 'KZ-10', sex: 'm', ageBand: '60+', target: 10, filled: 3, overshoot: 0 },
  ],
};

const summary = (i: number, flags: string[] = []) => ({
  id: `0f8fad5b-d9cb-469f-a165-70867728950${i}`, waveId: 2, status: i % 3 === 0 ? 'partial' : 'complete', mode: i === 4 ? 'capi' : 'web', locale: 'ru',
  region: ['KZ-71', 'KZ-75', 'KZ-10', 'KZ-63'][i % 4], startedAt: now, updatedAt: `2026-11-29T0${9 - i}:00:00.000Z`, completedAt: i % 3 === 0 ? null : now, durationMs: 754_000 - i * 1000, flags,
});

const DETAIL = {
  ...summary(1, ['speeder']),
  interviewer: null, surveyVersionId: 1,
  scores: { consensus: 81.25, tolerance: 76.5, mood: null },
  answers: [
    { name: 'region', question: 'Где вы живёте?', value: 'KZ-75', answer: 'Алматы (город)' },
    { name: 'a1', question: 'Как вы оцениваете уровень согласия в обществе?', value: 4, answer: 'Скорее высокий' },
  ],
  flagStates: [
    { flag: 'speeder', reason: 'run 7: completed in 190 s, under 0.3 × the wave\'s median of 820 s (246 s)', runId: 7, speeder: { durationMs: 190_000, medianMs: 820_000, thresholdMs: 246_000 }, overruled: null },
  ],
  flagsRun: { runId: 7, createdAt: now },
};

const FRAMES = { items: [{ id: 1, name: 'kz-census-2021', source: 'BNS, 2021 census', referenceDate: '2021-01-01', illustrative: true, contentHash: 'ab'.repeat(32), margins: 46, createdBy: 'cli:root', createdAt: now }] };

const RUN_SUMMARY = { id: 7, waveId: 1, period: '2026-Q3', frameId: 1, frameName: 'kz-census-2021', createdBy: 'user:1', createdAt: now, completes: 1603, used: 1571, published: false, everPublished: false };
const RUN = {
  ...RUN_SUMMARY,
  frame: { id: 1, name: 'kz-census-2021', source: 'BNS, 2021 census', referenceDate: '2021-01-01', illustrative: true },
  options: { minCellSize: 20, bounds: [0.3, 5], exclude: ['speeder', 'straightliner'] },
  indicators: [
    { id: 'consensus', n: 1571, estimate: 80.614, se: 0.52, lower: 79.591, upper: 81.634 },
    { id: 'tolerance', n: 1568, estimate: 76.2, se: 0.61, lower: 75.0, upper: 77.4 },
    { id: 'mood', n: 1560, estimate: 69.9, se: 0.7, lower: 68.5, upper: 71.3 },
  ],
  diagnostics: { converged: true, iterations: 9, maxMarginError: 0.000004, kishN: 1320.4, designEffect: 1.19, weightMin: 0.41, weightMax: 3.2, merged: [{ margin: 'region', from: ['KZ-62', 'KZ-35'], into: 'KZ-35' }] },
  marginCells: [
    { margin: 'region', level: 'KZ-71', members: ['KZ-71'], n: 120, populationShare: 0.0768, weightedShare: 0.0768 },
    { margin: 'region', level: 'KZ-35', members: ['KZ-35', 'KZ-62'], n: 95, populationShare: 0.0701, weightedShare: 0.0689 },
    { margin: 'sex', level: 'f', members: ['f'], n: 860, populationShare: 0.52, weightedShare: 0.52 },
  ],
  exclusions: { completes: 1603, used: 1571, excluded: 36, overruled: 4, excludedBy: { speeder: 21, straightliner: 15, incomplete: 3 } },
  domains: [
    { indicator: 'consensus', by: 'region', level: 'KZ-71', n: 120, suppressed: false, estimate: 82.1, lower: 79.9, upper: 84.3 },
    { indicator: 'consensus', by: 'region', level: 'KZ-62', n: 12, suppressed: true, estimate: null, lower: null, upper: null },
    { indicator: 'mood', by: 'sex', level: 'f', n: 860, suppressed: false, estimate: 70.2, lower: 68.9, upper: 71.5 },
  ],
  publications: [],
};

const AUDIT = {
  items: [
    { id: 3, at: now, actor: 'user:1', action: 'wave.close', subjectType: 'wave', subjectId: '1', before: { status: 'open' }, after: { status: 'closed' }, reason: null },
    { id: 2, at: now, actor: 'user:1', action: 'flag.overrule', subjectType: 'response', subjectId: 'abc', before: null, after: { flag: 'speeder' }, reason: 'Interviewer confirmed the respondent read every question.' },
    { id: 1, at: now, actor: 'cli:root', action: 'user.create', subjectType: 'user', subjectId: '1', before: null, after: { role: 'admin' }, reason: null },
  ],
  nextCursor: null,
};

const USERS = (state: FixtureState) => ({ items: [user(state), { id: 2, email: 'daniyar@example.kz', role: 'viewer', disabled: false, mustChangePassword: true, createdAt: now, lastLoginAt: null }] });

/** Checks a fixture answer with the route's contract schema, so the fixtures cannot drift from it. */
function checked(route: { response: unknown }, body: unknown): unknown {
  const schema = route.response as { safeParse?: (v: unknown) => { success: boolean; error?: unknown } };
  if (!schema.safeParse) return body;
  const result = schema.safeParse(body);
  if (!result.success) throw new Error(`fixture does not match the contract: ${JSON.stringify(result.error)}`);
  return body;
}

export async function startAdminFixtures(clientDir: string): Promise<{ baseUrl: string; state: FixtureState; close: () => Promise<void> }> {
  const state: FixtureState = { signedIn: false, role: 'researcher', mustChangePassword: false, writes: [] };
  const app = express();
  app.use('/api/admin', express.json(), express.text({ type: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], limit: '64mb' }));
  const R = ADMIN_ROUTES;
  const ok = (res: express.Response, route: { response: unknown }, body: unknown, status = 200) => res.status(status).json(checked(route, body));
  const fail = (res: express.Response, status: number, code: string, message: string, details?: unknown) => res.status(status).json({ error: { code, message, ...(details === undefined ? {} : { details }) } });

  app.use('/api/admin', (req, res, next) => {
    if (req.method !== 'GET') {
      state.writes.push({ method: req.method, path: req.path, csrf: req.get(CSRF_HEADER), body: req.body });
      if (!(req.method === 'POST' && req.path === '/session') && req.get(CSRF_HEADER) !== CSRF) return fail(res, 403, 'csrf_failed', 'Missing or wrong X-CSRF-Token.');
    }
    if (req.path === '/session' && req.method === 'POST') return next();
    if (!state.signedIn) return fail(res, 401, 'unauthenticated', 'Sign in first.');
    const writer = state.role !== 'viewer';
    if (req.method !== 'GET' && !writer && !(req.path === '/session' || req.path === '/password')) return fail(res, 403, 'forbidden', 'Role too low.');
    next();
  });

  const session = () => ({ user: user(state), csrfToken: CSRF, expiresAt: '2026-11-29T22:00:00.000Z' });
  app.post('/api/admin/session', (req, res) => {
    const body = req.body as { email?: string; password?: string };
    if (body.password !== 'correct horse battery') return fail(res, 401, 'invalid_credentials', 'Wrong e-mail or password.');
    state.signedIn = true;
    ok(res, R.login, session());
  });
  app.get('/api/admin/session', (_req, res) => ok(res, R.me, session()));
  app.delete('/api/admin/session', (_req, res) => {
    state.signedIn = false;
    res.status(204).end();
  });
  app.post('/api/admin/password', (req, res) => {
    const body = req.body as { newPassword?: string };
    if (body.newPassword === 'password1234') return fail(res, 422, 'weak_password', 'Too common.');
    state.mustChangePassword = false;
    ok(res, R.changePassword, session());
  });
  app.get('/api/admin/users', (_req, res) => (state.role === 'admin' ? ok(res, R.listUsers, USERS(state)) : fail(res, 403, 'forbidden', 'Admins only.')));
  app.post('/api/admin/users', (req, res) => ok(res, R.createUser, { user: { ...user(state), id: 3, email: (req.body as Json).email, role: (req.body as Json).role, mustChangePassword: true }, oneTimePassword: 'tZ4k-9PqX-2mWv' }, 201));

  app.get('/api/admin/waves', (_req, res) => ok(res, R.listWaves, { items: WAVES }));
  app.get('/api/admin/waves/:id', (req, res) => {
    const w = WAVES.find((x) => String(x.id) === req.params.id);
    return w ? ok(res, R.getWave, w) : fail(res, 404, 'not_found', `There is no wave ${req.params.id}.`);
  });
  app.post('/api/admin/waves', (req, res) => fail(res, 409, 'period_taken', `A wave for ${(req.body as Json).period} already exists (wave 1): import into it instead.`));
  app.get('/api/admin/waves/:id/link', (req, res) => ok(res, R.waveLink, { url: `http://127.0.0.1/s/wave${req.params.id}slug`, qrSvg: QR }));
  app.get('/api/admin/waves/:id/invitations', (req, res) => ok(res, R.invitationCounts, { waveId: Number(req.params.id), total: 500, used: 312, completed: 290, unused: 188 }));
  app.post('/api/admin/waves/:id/invitations', (req, res) => {
    const n = (req.body as { count: number }).count;
    res.status(201).setHeader('Content-Disposition', `attachment; filename="kelisim-wave-${req.params.id}-invitations.csv"`);
    res.type('text/csv').send(`invitation_id,link\n${Array.from({ length: n }, (_, i) => `${i + 1},http://127.0.0.1/i/tok${i}`).join('\n')}\n`);
  });
  app.get('/api/admin/waves/:id/quotas', (_req, res) => ok(res, R.getQuotas, QUOTAS));
  app.put('/api/admin/waves/:id/quotas', (_req, res) => ok(res, R.putQuotas, QUOTAS));
  app.post('/api/admin/waves/:id/imports', (_req, res) =>
    fail(res, 422, 'invalid_import', 'field.csv: 2 rows are invalid; nothing was imported.', { file: 'field.csv', total: 2, errors: [{ line: 3, column: 'region', reason: 'KZ-99 is not a region code' }, { line: 7, column: 'a1', reason: 'value 9 is not an answer of a1' }] }));

  app.get('/api/admin/responses', (req, res) => {
    if (!req.query.wave) return fail(res, 422, 'invalid_request', 'wave: the list is per wave; give ?wave=<id>.');
    const second = req.query.cursor === 'page2';
    const items = second ? [summary(4)] : [summary(1, ['speeder']), summary(2), summary(3, ['straightliner'])];
    ok(res, R.listResponses, { items, nextCursor: second ? null : 'page2', flagsRun: { runId: 7, createdAt: now } });
  });
  let overruled: { reason: string; by: string; at: string } | null = null;
  const detail = () => ({ ...DETAIL, flagStates: [{ ...DETAIL.flagStates[0]!, overruled }] });
  app.get('/api/admin/responses/:id', (_req, res) => ok(res, R.getResponse, detail()));
  app.post('/api/admin/responses/:id/flags/:flag/overrule', (req, res) => {
    overruled = { reason: String((req.body as Json).reason), by: 'user:1', at: now };
    ok(res, R.overruleFlag, detail());
  });

  app.get('/api/admin/frames', (_req, res) => ok(res, R.listFrames, FRAMES));
  app.get('/api/admin/jobs', (_req, res) => ok(res, R.listJobs, { items: [{ id: 4, kind: 'estimate', status: 'running', progress: 0.4, stage: 'weighting', waveId: 2, frameId: 1, runId: null, error: null, createdBy: 'user:1', createdAt: now, finishedAt: null }] }));
  app.get('/api/admin/runs', (_req, res) => ok(res, R.listRuns, { items: [RUN_SUMMARY], nextCursor: null }));
  app.get('/api/admin/runs/:id', (_req, res) => ok(res, R.getRun, RUN));
  app.get('/api/admin/audit', (_req, res) => ok(res, R.audit, AUDIT));
  app.use('/api/admin', (req, res) => fail(res, 404, 'not_found', `No fixture for ${req.method} ${req.path}.`));

  app.use(express.static(clientDir, { index: false }));
  app.get(['/admin', '/admin/*splat'], (_req, res) => res.sendFile(path.join(clientDir, 'index.html')));

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
