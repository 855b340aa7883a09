// `npm run bench:ingest`: how close does a full completion (strict validation, scoring, a durable
// SQLite transaction) come to a bare Express endpoint that only parses JSON and answers 201?
//
// Both servers run as child processes (the real one is server/main.ts on a temporary database,
// on loopback, port 0); this process is the load generator. Both get the same bodies: completed
// interviews of the official questionnaire with varied, realistic answers and a unique response
// id each, at the same concurrency, after the same warm-up. A benchmark, not a test: it prints
// figures and fails only if a request is not answered 201 or a bound is exceeded.
//
// Options: --requests N (per measured run, default 4000), --concurrency C (default 32: the server
// group-commits the writes that arrive together, one fsync per group, so its throughput depends on
// how many completions are in flight; 32 concurrent submitters is a modest national-survey peak),
// --rounds R (alternating bare/server runs, default 3), --cpu-prof (profile the real server; the
// .cpuprofile lands in a temporary folder that is printed and kept), --db postgres (issue 11: also
// the same server on PostgreSQL — a throw-away cluster from Debian's postgresql package with its
// fsyncs on, as in production — printed next to SQLite and the bare baseline of the same rounds),
// --servers N (with --db postgres: N app servers on that one database, the load spread over them
// round-robin). Internal: --bare-server (this file acting as the bare endpoint).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// Seeded (the tests' generator), so runs draw the same answers and are comparable.
import { rng as makeRng } from '../test/helpers/random';
import { startPgCluster, type PgCluster } from '../test/helpers/pg-cluster';
import { agent, percentile, request } from './http-client';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BODY_LIMIT = 256 * 1024; // the server's default KELISIM_BODY_LIMIT, for the bare app too
const MAX_RUN_MS = 120_000; // bound on any one measured run
const READY_MS = 60_000; // bound on a child becoming ready

// --- the bare endpoint (child mode) --------------------------------------------------------------

async function bareServer(): Promise<void> {
  const { default: express } = await import('express');
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: BODY_LIMIT }));
  app.post('/api/links/:link/responses/:id/complete', (req, res) => {
    res.status(201).json({ id: req.params.id, status: 'complete', completedAt: new Date().toISOString() });
  });
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`bare listening on http://127.0.0.1:${port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

// --- children ----------------------------------------------------------------------------------

interface Child { proc: ChildProcess; port: number; stdout: string }

function startChild(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not start within ${READY_MS} ms\n${out}${err}`));
    }, READY_MS);
    proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, port: Number(m[1]), stdout: out });
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with code ${code} before it was ready\n${out}${err}`));
    });
  });
}

function stopChild(child: Child): Promise<void> {
  return new Promise((resolve) => {
    if (child.proc.exitCode !== null) return resolve();
    child.proc.removeAllListeners('exit');
    child.proc.on('exit', () => resolve());
    child.proc.kill('SIGTERM');
    setTimeout(() => child.proc.kill('SIGKILL'), 10_000).unref();
  });
}

// --- realistic answers -----------------------------------------------------------------------

type Json = Record<string, unknown>;

interface Q { name: string; type: string; json: Json }

function questionsOf(survey: Json): Q[] {
  const out: Q[] = [];
  const walk = (els: unknown): void => {
    for (const e of (els as Json[] | undefined) ?? []) {
      if (e.type === 'panel') walk(e.elements);
      else if (e.type !== 'html' && e.type !== 'image') out.push({ name: String(e.name), type: String(e.type), json: e });
    }
  };
  for (const p of (survey.pages as Json[] | undefined) ?? []) walk(p.elements);
  return out;
}

const valueOf = (c: unknown): unknown => (typeof c === 'object' && c !== null ? (c as Json).value : c);

/**
 * A completed interview drawn from the questionnaire's own choices: eligible respondents answer
 * every block (a few optional questions skipped, "hard to say" now and then); about 5% are
 * screened out at one of the three screener questions.
 */
function interview(rng: () => number, qs: Q[]): Json {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rng() * xs.length)];
  const r = rng();
  if (r < 0.02) return { adult: false };
  if (r < 0.035) return { adult: true, resident: false };
  if (r < 0.05) return { adult: true, resident: true, consent: false };
  const data: Json = { adult: true, resident: true, consent: true };
  for (const q of qs) {
    if (q.name in data) continue;
    if (!q.json.isRequired && rng() < 0.1) continue;
    switch (q.type) {
      case 'radiogroup':
      case 'dropdown': data[q.name] = valueOf(pick(q.json.choices as unknown[])); break;
      case 'boolean': data[q.name] = rng() < 0.5; break;
      case 'rating': {
        const min = Number(q.json.rateMin ?? 1);
        const max = Number(q.json.rateMax ?? 5);
        data[q.name] = min + Math.floor(rng() * (max - min + 1));
        break;
      }
      case 'text':
        if (q.json.inputType === 'number') data[q.name] = Math.floor(18 + rng() * rng() * 70);
        else data[q.name] = 'ok';
        break;
      default: break;
    }
  }
  return data;
}

// --- load ----------------------------------------------------------------------------------------

interface RunResult { requests: number; seconds: number; rps: number; p50: number; p99: number }

/** Sends `bodies` with `concurrency` clients, request i to ports[i mod ports.length]. */
async function run(ports: number | number[], bodies: { path: string; body: string }[], concurrency: number): Promise<RunResult> {
  const targets = Array.isArray(ports) ? ports : [ports];
  const latencies = new Array<number>(bodies.length);
  let next = 0;
  const deadline = Date.now() + MAX_RUN_MS;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      if (Date.now() > deadline) throw new Error(`a run took longer than ${MAX_RUN_MS} ms`);
      const i = next++;
      const t0 = process.hrtime.bigint();
      const res = await request(targets[i % targets.length]!, 'POST', bodies[i].path, bodies[i].body);
      latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
      if (res.status !== 201) throw new Error(`request ${i} got ${res.status}: ${res.body.slice(0, 500)}`);
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const sorted = [...latencies].sort((a, b) => a - b);
  return { requests: bodies.length, seconds, rps: bodies.length / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

function argValue(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} needs a positive integer, got "${argv[i + 1]}"`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const requests = argValue(argv, '--requests', 4000);
  const concurrency = argValue(argv, '--concurrency', 32);
  const rounds = argValue(argv, '--rounds', 3);
  // A warm-up as long as a measured run for each target: with 1000 the first round's bare run was
  // still ~30% slower than the later ones (JIT, heap growth), which flattered that round's ratio.
  const warmup = requests;
  const profile = argv.includes('--cpu-prof');
  const dbIndex = argv.indexOf('--db');
  const engine = dbIndex < 0 ? 'sqlite' : argv[dbIndex + 1];
  if (engine !== 'sqlite' && engine !== 'postgres') throw new Error(`--db needs sqlite or postgres, got "${engine}"`);
  const servers = argValue(argv, '--servers', 1);
  if (servers > 1 && engine !== 'postgres') throw new Error('--servers N needs --db postgres: several app servers share one PostgreSQL database (one SQLite file has one server)');

  const dir = mkdtempSync(path.join(tmpdir(), 'kelisim-bench-'));
  const profileDir = profile ? mkdtempSync(path.join(tmpdir(), 'kelisim-cpu-prof-')) : '';
  const children: Child[] = [];
  let cluster: PgCluster | undefined;
  try {
    // KELISIM_ANTIBOT=off: the benchmark is one address sending thousands of completions without a
    // proof of work, which the open link's protection exists to refuse (docs/decisions/021).
    const env = { ...process.env, PORT: '0', HOST: '127.0.0.1', KELISIM_DB: path.join(dir, 'bench.db'), KELISIM_ANTIBOT: 'off' };
    // The compiled server, as `npm start` runs it (decision 008).
    const serverArgs = profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir, 'scripts/run.mjs', 'main'] : ['scripts/run.mjs', 'main'];
    const server = await startChild(serverArgs, env, /running on http:\/\/localhost:(\d+)/);
    children.push(server);
    const bare = await startChild(['bench/ingest.ts', '--bare-server'], process.env, /bare listening on http:\/\/127\.0\.0\.1:(\d+)/);
    children.push(bare);
    // The same server on PostgreSQL, `servers` of them on one database, each as `npm start` runs it.
    const pgPorts: number[] = [];
    let pgSlug: string | undefined;
    if (engine === 'postgres') {
      cluster = await startPgCluster({ durable: true });
      const pgEnv = { ...env, KELISIM_DATABASE_URL: cluster.url };
      for (let i = 0; i < servers; i++) {
        const s = await startChild(['scripts/run.mjs', 'main'], pgEnv, /running on http:\/\/localhost:(\d+)/);
        children.push(s);
        pgPorts.push(s.port);
        pgSlug ??= /\/s\/([A-Za-z0-9_-]+)/.exec(s.stdout)?.[1];
      }
    }

    // Wait for the link line (printed in the same write as the port, but be safe).
    const slug = /\/s\/([A-Za-z0-9_-]+)/.exec(server.stdout)?.[1];
    if (!slug) throw new Error(`the server did not print a respondent link:\n${server.stdout}`);
    const linkRes = await request(server.port, 'GET', `/api/links/${slug}`);
    if (linkRes.status !== 200) throw new Error(`GET /api/links/${slug} → ${linkRes.status}: ${linkRes.body}`);
    const link = JSON.parse(linkRes.body) as { survey: { versionId: number; json: Json } };
    const qs = questionsOf(link.survey.json);

    const rng = makeRng(20260101);
    const locales = ['kk', 'kk', 'ru', 'ru', 'en'] as const;
    const makeBodies = (n: number) => Array.from({ length: n }, () => {
      const id = randomUUID();
      return {
        id,
        path: `/api/links/${slug}/responses/${id}/complete`,
        body: JSON.stringify({
          surveyVersionId: link.survey.versionId,
          locale: locales[Math.floor(rng() * locales.length)],
          data: interview(rng, qs),
          durationMs: Math.floor(240_000 + rng() * 900_000),
        }),
      };
    });
    // The measured path must include full validation: a hostile answer set has to be refused.
    const probe = makeBodies(1)[0];
    const hostile = JSON.parse(probe.body) as { data: Json };
    hostile.data = { ...hostile.data, adult: true, resident: true, consent: true, c5: 99, zz: 1 };
    const refused = await request(server.port, 'POST', probe.path, JSON.stringify(hostile));
    if (refused.status !== 422) throw new Error(`a hostile completion got ${refused.status}, not 422: is the completion validator wired? ${refused.body.slice(0, 300)}`);
    const avgBytes = (b: { body: string }[]) => Math.round(b.reduce((s, x) => s + x.body.length, 0) / b.length);

    // The PostgreSQL servers' own link (their wave) for the same bodies.
    const onPg = (bodies: { id: string; path: string; body: string }[]) => bodies.map((b) => ({ ...b, path: `/api/links/${pgSlug}/responses/${b.id}/complete` }));
    process.stdout.write(`ingest benchmark: ${rounds} rounds × ${requests} completions per target, concurrency ${concurrency}, warm-up ${warmup}; loopback; Node ${process.version}${engine === 'postgres' ? `; PostgreSQL ${servers} server(s), fsync on` : ''}\n`);
    await run(bare.port, makeBodies(warmup), concurrency);
    await run(server.port, makeBodies(warmup), concurrency);
    if (pgPorts.length > 0) await run(pgPorts, onPg(makeBodies(warmup)), concurrency);

    const results: { bare: RunResult[]; server: RunResult[]; pg: RunResult[] } = { bare: [], server: [], pg: [] };
    for (let r = 0; r < rounds; r++) {
      const bodies = makeBodies(requests);
      // The same bodies for all, so body sizes and answers are identical; fresh ids each round.
      results.bare.push(await run(bare.port, bodies, concurrency));
      results.server.push(await run(server.port, bodies, concurrency));
      if (pgPorts.length > 0) results.pg.push(await run(pgPorts, onPg(bodies), concurrency));
      const ratio = results.server[r].rps / results.bare[r].rps;
      const pgPart = pgPorts.length > 0 ? `, PostgreSQL ×${servers} ${results.pg[r]!.rps.toFixed(0)} req/s (ratio ${(results.pg[r]!.rps / results.bare[r].rps).toFixed(2)})` : '';
      process.stdout.write(`  round ${r + 1}: bare ${results.bare[r].rps.toFixed(0)} req/s, server ${results.server[r].rps.toFixed(0)} req/s, ratio ${ratio.toFixed(2)}${pgPart} (avg body ${avgBytes(bodies)} B)\n`);
    }
    // The round with the median paired ratio: each round measures both targets back to back, so
    // its ratio is the least disturbed by other load on the machine; the median resists outliers.
    const order = results.bare.map((_, i) => i).sort((i, j) => results.server[i].rps / results.bare[i].rps - results.server[j].rps / results.bare[j].rps);
    const m = order[Math.floor((order.length - 1) / 2)];
    const b = results.bare[m];
    const s = results.server[m];
    const fmt = (name: string, x: RunResult) => `${name.padEnd(34)} ${x.rps.toFixed(0).padStart(6)} req/s   p50 ${x.p50.toFixed(2)} ms   p99 ${x.p99.toFixed(2)} ms`;
    process.stdout.write([
      '',
      `median round (${m + 1} of ${rounds}):`,
      fmt('bare Express (parse JSON, 201)', b),
      fmt('Kelisim complete (validate+store)', s),
      `ratio (server / bare throughput)    ${(s.rps / b.rps).toFixed(2)}   (goal ≥ 0.60)`,
      ...(results.pg.length > 0 ? [
        fmt(`Kelisim on PostgreSQL, ${servers} server(s)`, results.pg[m]!),
        `ratio (PostgreSQL / bare throughput) ${(results.pg[m]!.rps / b.rps).toFixed(2)}`,
      ] : []),
      '',
    ].join('\n'));
    return 0;
  } finally {
    agent.destroy();
    for (const c of children) await stopChild(c);
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
    if (profile) process.stdout.write(`server CPU profile (open in Chrome DevTools → Performance): ${profileDir}\n`);
  }
}

if (process.argv.includes('--bare-server')) {
  void bareServer();
} else {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      process.stderr.write(`bench:ingest: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
