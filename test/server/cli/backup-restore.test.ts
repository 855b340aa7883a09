// `kelisim backup` and `kelisim restore` as real processes against a real running server: a
// backup taken during a stream of completions holds every answer acknowledged before it began, and
// a server started on the restored copy serves it; bad usage and bad files get one line each.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAnswers } from '../../helpers/answers';
import { MINI_SURVEYS_DIR } from '../../helpers/app';
import { freePort, runCli, runServerExpectingFailure, startServerProcess } from '../../helpers/spawn';

let dir: string;
const children: ChildProcess[] = [];
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-backup-')); });
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

async function startServer(dbFile: string): Promise<{ child: ChildProcess; base: string; slug: string; env: Record<string, string> }> {
  const port = await freePort();
  const env = { PORT: String(port), HOST: '127.0.0.1', KELISIM_DB: dbFile, KELISIM_SURVEYS_DIR: MINI_SURVEYS_DIR, KELISIM_STATIC_DIR: path.join(dir, 'no-client'),
    // Many completions from one address without a proof of work, under load: a durability test (docs/decisions/021).
    KELISIM_ANTIBOT: 'off' };
  const started = await startServerProcess(env);
  children.push(started.child);
  return { child: started.child, base: `http://127.0.0.1:${port}`, slug: started.link.split('/s/')[1]!, env };
}

function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

function completedIds(dbFile: string): Set<string> {
  const db = new Database(dbFile, { readonly: true });
  try {
    return new Set((db.prepare("SELECT id FROM responses WHERE status = 'complete'").all() as { id: string }[]).map((r) => r.id));
  } finally { db.close(); }
}

function integrity(dbFile: string): string {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  } finally { db.close(); }
}

function expectOneLine(res: { code: number; stderr: string; stdout: string }, code: number, message: string | RegExp): void {
  expect(res.code, res.stderr).toBe(code);
  expect(res.stderr.split('\n')[0]).toMatch(message);
  expect(res.stderr).not.toMatch(/\n\s+at /);
  expect(res.stdout).toBe('');
}

describe('kelisim backup and restore', () => {
  const liveDb = () => path.join(dir, 'live/kelisim.db');
  const backupFile = () => path.join(dir, 'backups/kelisim-1.db');
  let ackedBeforeBackup = new Set<string>();

  it('backs up a running server during a stream of completions, which it keeps acknowledging', async () => {
    const server = await startServer(liveDb());
    // The server marks the database as in use (server/db/lock.ts) and a second server is refused.
    expect(fs.readFileSync(`${liveDb()}.lock`, 'utf8').split('\n')[0]).toBe(String(server.child.pid));
    const second = await runServerExpectingFailure({ ...server.env, PORT: '0' });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`${liveDb()} is in use by a Kelisim server (process ${server.child.pid}); stop it first (KELISIM_DB)`);

    const state = await (await fetch(`${server.base}/api/links/${server.slug}`)).json() as { survey: { versionId: number; json: Record<string, unknown> } };
    const acked: string[] = [];
    let seed = 1;
    let running = true;
    const client = async () => {
      while (running) {
        const id = randomUUID();
        const res = await fetch(`${server.base}/api/links/${server.slug}/responses/${id}/complete`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ surveyVersionId: state.survey.versionId, locale: 'kk', data: generateAnswers(state.survey.json, seed++), durationMs: 60_000 }),
        });
        expect(res.status).toBe(201);
        await res.body?.cancel();
        acked.push(id);
      }
    };
    const clients = Array.from({ length: 6 }, client);
    while (acked.length < 40) await new Promise((r) => setTimeout(r, 10));

    ackedBeforeBackup = new Set(acked);
    const countAtStart = acked.length;
    const backup = await runCli(['backup', '--out', backupFile()], { KELISIM_DB: liveDb() });
    const acknowledgedDuring = acked.length - countAtStart;
    running = false;
    await Promise.all(clients);

    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(new RegExp(`^backed up ${liveDb()} to ${backupFile()} \\(\\d+\\.\\d MB in \\d+\\.\\d\\d s\\)\\n$`));
    expect(acknowledgedDuring, 'answers acknowledged while the backup command ran').toBeGreaterThan(0);
    // Only the finished backup is there: no partial file beside it.
    expect(fs.readdirSync(path.dirname(backupFile()))).toEqual([path.basename(backupFile())]);
    expect(integrity(backupFile())).toBe('ok');
    const inBackup = completedIds(backupFile());
    for (const id of ackedBeforeBackup) expect(inBackup.has(id), `response ${id} acknowledged before the backup began`).toBe(true);

    // Refused while the server uses the database; nothing changed.
    const refused = await runCli(['restore', '--from', backupFile()], { KELISIM_DB: liveDb() });
    expectOneLine(refused, 1, `kelisim restore: refusing to restore: ${liveDb()} is in use by a Kelisim server (process ${server.child.pid}); stop it first`);
    expect(fs.readdirSync(path.dirname(liveDb())).filter((f) => f.includes('before-restore') || f.includes('restoring'))).toEqual([]);

    expect(await stop(server.child)).toBe(0);
    expect(fs.existsSync(`${liveDb()}.lock`)).toBe(false);
  }, 90_000);

  it('restores into a fresh location, where a server starts and has every acknowledged answer', async () => {
    const fresh = path.join(dir, 'fresh/kelisim.db');
    const restored = await runCli(['restore', '--from', backupFile()], { KELISIM_DB: fresh });
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toBe(`restored ${fresh} from ${backupFile()}\n`);
    expect(fs.readdirSync(path.dirname(fresh))).toEqual(['kelisim.db']);

    const server = await startServer(fresh);
    const res = await fetch(`${server.base}/api/links/${server.slug}`);
    expect(res.status).toBe(200);
    expect(await stop(server.child)).toBe(0);
    expect(integrity(fresh)).toBe('ok');
    const ids = completedIds(fresh);
    for (const id of ackedBeforeBackup) expect(ids.has(id), `response ${id}`).toBe(true);

    // Restoring over an existing database keeps it, whole, beside the new one.
    const again = await runCli(['restore', '--from', backupFile()], { KELISIM_DB: fresh });
    expect(again.code, again.stderr).toBe(0);
    const kept = fs.readdirSync(path.dirname(fresh)).filter((f) => f.startsWith('kelisim.db.before-restore-'));
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/^kelisim\.db\.before-restore-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/);
    expect(again.stdout).toContain(`the previous database is kept as ${path.join(path.dirname(fresh), kept[0]!)}`);
    expect(integrity(path.join(path.dirname(fresh), kept[0]!))).toBe('ok');
    expect(completedIds(path.join(path.dirname(fresh), kept[0]!)).size).toBe(ids.size);
  }, 60_000);

  it('refuses bad usage (exit 2) and bad files (exit 1) with one line, leaving the database as it was', async () => {
    const target = path.join(dir, 'target/kelisim.db');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(backupFile(), target);
    const before = fs.readFileSync(target);
    const env = { KELISIM_DB: target };
    const file = (name: string, content: Buffer | string) => { const f = path.join(dir, name); fs.writeFileSync(f, content); return f; };

    expectOneLine(await runCli(['backup'], env), 2, /^kelisim backup: backup needs --out FILE$/);
    expectOneLine(await runCli(['backup', '--out', backupFile()], env), 2, `kelisim backup: ${backupFile()} exists already; give a new file name (a backup never overwrites)`);
    expectOneLine(await runCli(['backup', '--out', path.join(dir, 'x.db')], { KELISIM_DB: path.join(dir, 'none.db') }), 2, `kelisim backup: no database at ${path.join(dir, 'none.db')}`);
    expectOneLine(await runCli(['restore'], env), 2, /^kelisim restore: restore needs --from FILE$/);
    expectOneLine(await runCli(['restore', '--form', 'x'], env), 2, /^kelisim restore: Unknown option '--form'/);
    expectOneLine(await runCli(['restore', '--from', path.join(dir, 'missing.db')], env), 2, `kelisim restore: no file at ${path.join(dir, 'missing.db')}`);
    expectOneLine(await runCli(['restore', '--from', target], env), 2, `kelisim restore: ${target} is the database itself; restore from a backup file`);

    const text = file('notes.db', 'these are not the answers\n'.repeat(200));
    expectOneLine(await runCli(['restore', '--from', text], env), 1, `kelisim restore: ${text} is not an SQLite database`);

    const other = path.join(dir, 'other.db');
    const o = new Database(other);
    o.exec('CREATE TABLE t (x)');
    o.close();
    expectOneLine(await runCli(['restore', '--from', other], env), 1, `kelisim restore: ${other} is an SQLite database but not a Kelisim one (it has no __drizzle_migrations table)`);

    const newer = path.join(dir, 'newer.db');
    fs.copyFileSync(backupFile(), newer);
    const n = new Database(newer);
    const known = (n.prepare('SELECT count(*) AS c FROM __drizzle_migrations').get() as { c: number }).c;
    n.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('f'.repeat(64), Date.UTC(2030, 0, 1));
    n.close();
    expectOneLine(await runCli(['restore', '--from', newer], env), 1, `kelisim restore: ${newer} was made by a newer Kelisim: it has ${known + 1} schema migrations, this version knows ${known}; restore it with that version or newer`);

    // Damage inside the file (past the header page): SQLite's integrity check must catch it.
    const damaged = path.join(dir, 'damaged.db');
    const bytes = fs.readFileSync(backupFile());
    const pageSize = bytes.readUInt16BE(16);
    for (let i = pageSize * 2; i < Math.min(bytes.length, pageSize * 6); i++) bytes[i] = (i * 7919) & 0xff;
    fs.writeFileSync(damaged, bytes);
    expectOneLine(await runCli(['restore', '--from', damaged], env), 1, new RegExp(`^kelisim restore: ${damaged} (is damaged|fails SQLite's integrity check)`));

    // A PostgreSQL deployment has no file to copy: both commands refuse, naming PostgreSQL's own tools.
    const pgEnv = { ...env, KELISIM_DATABASE_URL: 'postgres://kelisim@127.0.0.1:1/kelisim' };
    for (const [command, flag] of [['backup', '--out'], ['restore', '--from']] as const) {
      expectOneLine(await runCli([command, flag, path.join(dir, `pg-${command}.db`)], pgEnv), 2,
        `kelisim ${command}: ${command} works on the SQLite file KELISIM_DB names, and KELISIM_DATABASE_URL points this deployment at PostgreSQL: back PostgreSQL up with its own tools (pg_dump, pg_basebackup, or your managed service's backups); unset KELISIM_DATABASE_URL to ${command} a SQLite file`);
    }
    expect(fs.existsSync(path.join(dir, 'pg-backup.db'))).toBe(false);

    expect(fs.readFileSync(target).equals(before)).toBe(true);
    expect(fs.readdirSync(path.dirname(target))).toEqual(['kelisim.db']);
  }, 60_000);
});
