// The one error family (docs/decisions/005): a DomainError's kind decides the HTTP status (one table,
// server/http/domain-status.ts) and the command line's exit code (one table, exitCodeOf), and a
// service fault is not a DomainError but a logged 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../server/cli/domain-command';
import { DomainError, type DomainErrorKind } from '../../server/errors';
import { statusOf } from '../../server/http/domain-status';
import { startTestApp, type TestApp } from '../helpers/app';

// The contract CONVENTIONS.md and the API documents fix (404 unknown, 409 conflict, 422 invalid
// content, 400 bad request, 429 over a limit, 403 a check failed; CLI 1 bad data, 2 bad usage or unknown id).
const CONTRACT: Record<DomainErrorKind, { status: number; exit: number }> = {
  not_found: { status: 404, exit: 2 },
  conflict: { status: 409, exit: 1 },
  bad_data: { status: 422, exit: 1 },
  bad_usage: { status: 400, exit: 2 },
  rate_limited: { status: 429, exit: 1 },
  refused: { status: 403, exit: 1 },
};

describe('DomainError mappings', () => {
  it.each(Object.entries(CONTRACT))('%s: HTTP status and exit code', (kind, { status, exit }) => {
    const err = new DomainError(kind as DomainErrorKind, 'invalid_option', 'm');
    expect(statusOf(err)).toBe(status);
    expect(exitCodeOf(err)).toBe(exit);
  });
});

describe('the public results API without targets', () => {
  let app: TestApp;
  beforeAll(async () => { app = await startTestApp(); });
  afterAll(async () => { await app.close(); });

  it('is a server fault: 500 internal_error, the cause logged and not sent', async () => {
    const res = await app.api('GET', '/api/public/v1/indicators');
    expect(res.status).toBe(500);
    expect(res.body.error!.code).toBe('internal_error');
    expect(JSON.stringify(res.body)).not.toContain('targets');
    expect(app.internalErrors).toHaveLength(1);
    expect(app.internalErrors[0]).not.toBeInstanceOf(DomainError);
    expect((app.internalErrors[0] as Error).message).toBe('public results: no targets are loaded (surveys/targets.json is loaded at server start)');
  });
});
