// Configuration is parsed once; a bad value stops the start with a message naming it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config';
import { runServerExpectingFailure } from '../helpers/spawn';

describe('loadConfig', () => {
  it('has defaults that serve on port 3000 with data/kelisim.db', () => {
    const c = loadConfig({}, '/srv/kelisim');
    expect(c).toEqual({
      port: 3000, host: undefined, dbFile: '/srv/kelisim/data/kelisim.db', databaseUrl: undefined, dbSynchronous: 'full', bodyLimitBytes: 256 * 1024,
      staticDir: '/srv/kelisim/dist/client', surveysDir: '/srv/kelisim/surveys', baseUrl: undefined,
      headersTimeoutMs: 20_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 10_000, antibot: true,
    });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '8080', HOST: '127.0.0.1', KELISIM_DB: '/var/lib/k.db', KELISIM_DB_SYNC: 'normal', KELISIM_BODY_LIMIT: '1mb',
      KELISIM_STATIC_DIR: 'web', KELISIM_SURVEYS_DIR: '../s', KELISIM_BASE_URL: 'https://survey.example.kz/',
      KELISIM_HEADERS_TIMEOUT: '500ms', KELISIM_REQUEST_TIMEOUT: '2m', KELISIM_KEEP_ALIVE_TIMEOUT: '5', KELISIM_ANTIBOT: 'off',
    }, '/srv/kelisim');
    expect(c).toEqual({
      port: 8080, host: '127.0.0.1', dbFile: '/var/lib/k.db', databaseUrl: undefined, dbSynchronous: 'normal', bodyLimitBytes: 1024 * 1024,
      staticDir: '/srv/kelisim/web', surveysDir: path.resolve('/srv/kelisim', '../s'), baseUrl: 'https://survey.example.kz',
      headersTimeoutMs: 500, requestTimeoutMs: 120_000, keepAliveTimeoutMs: 5000, antibot: false,
    });
    expect(loadConfig({ KELISIM_ANTIBOT: 'on' }).antibot).toBe(true);
    expect(loadConfig({ KELISIM_BODY_LIMIT: '512kb' }).bodyLimitBytes).toBe(512 * 1024);
    expect(loadConfig({ KELISIM_BODY_LIMIT: '2048' }).bodyLimitBytes).toBe(2048);
  });

  it.each([
    ['PORT', 'abc'], ['PORT', '70000'], ['PORT', '-1'], ['PORT', '80.5'],
    ['KELISIM_BODY_LIMIT', 'lots'], ['KELISIM_BODY_LIMIT', '0'], ['KELISIM_BODY_LIMIT', '5gb'],
    ['KELISIM_REQUEST_TIMEOUT', 'soon'], ['KELISIM_REQUEST_TIMEOUT', '0'], ['KELISIM_HEADERS_TIMEOUT', '2h'], ['KELISIM_KEEP_ALIVE_TIMEOUT', '-5s'],
    ['KELISIM_DB_SYNC', 'off'], ['KELISIM_BASE_URL', 'ftp://x'], ['KELISIM_BASE_URL', 'not a url'], ['HOST', 'a b'], ['KELISIM_ANTIBOT', 'false'],
  ])('refuses %s=%s naming the variable and the value', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(`${name}="${value}"`);
  });

  it('reads KELISIM_DATABASE_URL as a PostgreSQL database and refuses anything else without showing its password', () => {
    expect(loadConfig({ KELISIM_DATABASE_URL: 'postgres://k:secret@db:5432/kelisim' }, '/srv').databaseUrl).toBe('postgres://k:secret@db:5432/kelisim');
    expect(loadConfig({ KELISIM_DATABASE_URL: 'postgresql://db/kelisim' }, '/srv').databaseUrl).toBe('postgresql://db/kelisim');
    let message = '';
    try {
      loadConfig({ KELISIM_DATABASE_URL: 'mysql://k:secret@db/kelisim' }, '/srv');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/KELISIM_DATABASE_URL="mysql:\/\/k:\*\*\*@db\/kelisim" is not a PostgreSQL URL/);
    expect(message).not.toContain('secret');
  });

  it('refuses a header timeout longer than the request timeout (Node would not start)', () => {
    expect(() => loadConfig({ KELISIM_HEADERS_TIMEOUT: '90s' })).toThrow(/KELISIM_HEADERS_TIMEOUT \(90000 ms\) must not be longer than KELISIM_REQUEST_TIMEOUT \(60000 ms\)/);
  });

  it('reports every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', KELISIM_BODY_LIMIT: 'y' })).toThrow(/PORT="x"[\s\S]*KELISIM_BODY_LIMIT="y"/);
  });
});

describe('server start', () => {
  it('stops with a one-line reason, not a stack trace, on a bad variable', async () => {
    const res = await runServerExpectingFailure({ PORT: 'eighty' });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('PORT="eighty" is not a TCP port');
    expect(res.stderr).not.toMatch(/\bat .*:\d+:\d+/);
  });

  it('stops naming the database when it cannot be opened', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-start-'));
    try {
      // A folder where the database file should be.
      fs.mkdirSync(path.join(dir, 'k.db'));
      const res = await runServerExpectingFailure({ PORT: '0', KELISIM_DB: path.join(dir, 'k.db') });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`cannot open or migrate the database ${path.join(dir, 'k.db')} (KELISIM_DB)`);
      expect(res.stderr).not.toMatch(/\bat .*:\d+:\d+/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops naming the file when the questionnaire cannot be loaded', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-start-'));
    try {
      const res = await runServerExpectingFailure({ PORT: '0', KELISIM_SURVEYS_DIR: '/nonexistent/surveys', KELISIM_DB: path.join(dir, 'k.db') });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('/nonexistent/surveys/official/survey.json');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
