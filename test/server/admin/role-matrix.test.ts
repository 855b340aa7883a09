// The role matrix of issue 8: every /api/admin route × (anonymous, viewer, researcher, admin) → the
// status expected, over real HTTP. A route in the router without a row here fails the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ROUTES, type AdminRouteName } from '../../../contract/admin-api';
import { buildAdminRouter } from '../../../server/admin/index';
import { startAdminApp, type AdminTestApp, type Session } from './helpers';

type Who = 'anonymous' | 'viewer' | 'researcher' | 'admin';
interface Row { method: string; path: string; body?: unknown; contentType?: string; expect: Record<Who, number> }

const all = (anonymous: number, viewer: number, researcher: number, admin: number) => ({ anonymous, viewer, researcher, admin });
const REASON = { reason: 'checked by phone with the interviewer' };

/**
 * One row per route. 401: anonymous; 403: the role is too low; otherwise what the route answers
 * to this request (a 404 for an id that does not exist or a 422 for a body that is incomplete
 * proves the guards let the request through).
 */
const MATRIX: Record<AdminRouteName, Row> = {
  login: { method: 'POST', path: '/session', body: {}, expect: all(422, 422, 422, 422) },
  me: { method: 'GET', path: '/session', expect: all(401, 200, 200, 200) },
  changePassword: { method: 'POST', path: '/password', body: { currentPassword: 'not the password', newPassword: 'a long new pass phrase 42' }, expect: all(401, 400, 400, 400) },
  listUsers: { method: 'GET', path: '/users', expect: all(401, 403, 403, 200) },
  createUser: { method: 'POST', path: '/users', body: { email: 'new.person@example.kz', role: 'viewer' }, expect: all(401, 403, 403, 201) },
  updateUser: { method: 'PATCH', path: '/users/9999', body: { role: 'viewer' }, expect: all(401, 403, 403, 404) },
  resetPassword: { method: 'POST', path: '/users/9999/reset-password', expect: all(401, 403, 403, 404) },
  listWaves: { method: 'GET', path: '/waves', expect: all(401, 200, 200, 200) },
  createWave: { method: 'POST', path: '/waves', body: {}, expect: all(401, 403, 422, 422) },
  openWave: { method: 'POST', path: '/waves/open', body: {}, expect: all(401, 403, 409, 409) },
  getWave: { method: 'GET', path: '/waves/9999', expect: all(401, 404, 404, 404) },
  closeWave: { method: 'POST', path: '/waves/9999/close', expect: all(401, 403, 404, 404) },
  waveLink: { method: 'GET', path: '/waves/:wave/link', expect: all(401, 200, 200, 200) },
  createInvitations: { method: 'POST', path: '/waves/9999/invitations', body: { count: 1 }, expect: all(401, 403, 404, 404) },
  invitationCounts: { method: 'GET', path: '/waves/:wave/invitations', expect: all(401, 200, 200, 200) },
  getQuotas: { method: 'GET', path: '/waves/9999/quotas', expect: all(401, 404, 404, 404) },
  putQuotas: { method: 'PUT', path: '/waves/9999/quotas', body: { cells: [] }, expect: all(401, 403, 404, 404) },
  importQuotas: { method: 'POST', path: '/waves/9999/quotas/import', body: 'region,sex,age_band,target\n', contentType: 'text/csv', expect: all(401, 403, 404, 404) },
  importResponses: { method: 'POST', path: '/waves/9999/imports', body: 'response_id\n', contentType: 'text/csv', expect: all(401, 403, 404, 404) },
  exportWave: { method: 'GET', path: '/waves/9999/export?format=csv', expect: all(401, 404, 404, 404) },
  listResponses: { method: 'GET', path: '/responses?wave=:wave', expect: all(401, 200, 200, 200) },
  getResponse: { method: 'GET', path: '/responses/no-such-response', expect: all(401, 404, 404, 404) },
  overruleFlag: { method: 'POST', path: '/responses/no-such-response/flags/speeder/overrule', body: REASON, expect: all(401, 403, 404, 404) },
  listFrames: { method: 'GET', path: '/frames', expect: all(401, 200, 200, 200) },
  uploadFrame: { method: 'POST', path: '/frames', body: 'margin,level,population\n', contentType: 'text/csv', expect: all(401, 403, 422, 422) },
  computeRun: { method: 'POST', path: '/runs', body: {}, expect: all(401, 403, 422, 422) },
  listJobs: { method: 'GET', path: '/jobs', expect: all(401, 200, 200, 200) },
  getJob: { method: 'GET', path: '/jobs/9999', expect: all(401, 404, 404, 404) },
  listRuns: { method: 'GET', path: '/runs', expect: all(401, 200, 200, 200) },
  getRun: { method: 'GET', path: '/runs/9999', expect: all(401, 404, 404, 404) },
  publishRun: { method: 'POST', path: '/runs/9999/publish', body: {}, expect: all(401, 403, 404, 404) },
  withdrawRun: { method: 'POST', path: '/runs/9999/withdraw', body: REASON, expect: all(401, 403, 404, 404) },
  exportRun: { method: 'GET', path: '/runs/9999/export?format=csv', expect: all(401, 404, 404, 404) },
  audit: { method: 'GET', path: '/audit', expect: all(401, 200, 200, 200) },
  // Last: it ends the session.
  logout: { method: 'DELETE', path: '/session', expect: all(401, 204, 204, 204) },
};

/** Every route the express router really has, as "METHOD path". */
function routerRoutes(): string[] {
  const t = { db: undefined as never, store: undefined as never, writes: undefined as never };
  const router = buildAdminRouter({ ...t, jobs: { startEstimate: () => { throw new Error('unused'); }, idle: async () => {} } }) as unknown as { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  return router.stack.filter((l) => l.route).flatMap((l) => Object.keys(l.route!.methods).filter((m) => l.route!.methods[m]).map((m) => `${m.toUpperCase()} ${l.route!.path}`));
}

describe('the role matrix of /api/admin', () => {
  let t: AdminTestApp;
  const sessions: Partial<Record<Who, Session>> = {};
  beforeAll(async () => {
    t = await startAdminApp();
    sessions.viewer = await t.signIn('viewer');
    sessions.researcher = await t.signIn('researcher');
    sessions.admin = await t.signIn('admin');
  }, 60_000);
  afterAll(async () => { await t?.close(); });

  it('has a row for every route of the router, and the router has every route of the contract', () => {
    const rows = Object.entries(MATRIX).map(([name, row]) => `${row.method} ${ADMIN_ROUTES[name as AdminRouteName].path}`).sort();
    const real = routerRoutes().sort();
    expect(real.length).toBeGreaterThan(30);
    expect(real).toEqual(rows);
    for (const [name, row] of Object.entries(MATRIX)) expect(row.method, name).toBe(ADMIN_ROUTES[name as AdminRouteName].method);
  });

  for (const [name, row] of Object.entries(MATRIX)) {
    it(`${row.method} ${ADMIN_ROUTES[name as AdminRouteName].path} (${name})`, async () => {
      const got: Record<string, number> = {};
      for (const who of ['anonymous', 'viewer', 'researcher', 'admin'] as Who[]) {
        const path = row.path.replace(':wave', String(t.wave.id));
        const res = await t.call(row.method, path, { session: sessions[who], body: row.body, headers: row.contentType ? { 'content-type': row.contentType } : {} });
        got[who] = res.status;
        if (res.status === 401) expect(res.body.error.code).toBe('unauthenticated');
        if (res.status === 403) expect(res.body.error.code).toBe('forbidden');
      }
      expect(got).toEqual(row.expect);
    });
  }
});
