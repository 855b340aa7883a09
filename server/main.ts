// `npm start` (after `vite build`): configure, open and migrate the database, load the official
// questionnaire and targets, make sure a wave is open, serve, and print the respondent link. The
// database is the SQLite file KELISIM_DB, or PostgreSQL when KELISIM_DATABASE_URL is set (decision
// 027: features not moved to the store yet fail there on their first use).
import type { Server } from 'node:http';
import { createApp } from './app';
import { backfillRunInputs } from './runs/backfill-run-input';
import { createAntibot } from './antibot/guard';
import { ConfigError, loadConfig } from './config';
import { startCheckpointer } from './db/checkpointer';
import { claimDatabase, DatabaseLockError } from './db/lock';
import { openDb, syncDbFiles, walSyncer, type Db } from './db/open';
import { openPg, redactUrl } from './db/open-pg';
import type { Store } from './db/store';
import { createPgStore } from './db/store-pg';
import { createSqliteStore } from './db/store-sqlite';
import { createHttpServer } from './http/server';
import { ensureCensusFrame } from './frames/service';
import { DomainError } from './errors';
import { loadOfficialSurvey, loadTargets } from './surveys/bootstrap';
import { completionValidatorFor } from './responses/completion-validator';
import { getSurveyVersion, OFFICIAL_SURVEY_ID, SurveyLoadError } from './surveys/service';
import { ensureOpenWave } from './waves/service';

function fail(message: string): never {
  process.stderr.write(`kelisim: ${message}\n`);
  process.exit(1);
}

async function start(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }

  const logError = (m: string, e: unknown) => console.error(m, e);
  // SQLite: the connection of the features not moved to the store yet, under the store.
  let db: Db | undefined;
  let store: Store;
  let where: string;
  if (config.databaseUrl !== undefined) {
    where = redactUrl(config.databaseUrl);
    try {
      store = createPgStore((await openPg(config.databaseUrl)).$client);
    } catch (err) {
      fail(`cannot open or migrate the PostgreSQL database ${where} (KELISIM_DATABASE_URL): ${(err as Error).message}`);
    }
  } else {
    where = config.dbFile;
    // `<database>.lock` says a server uses this file (kelisim restore refuses meanwhile); removed
    // when the process exits (server/db/lock.ts).
    try {
      claimDatabase(config.dbFile, 'a Kelisim server');
    } catch (err) {
      if (err instanceof DatabaseLockError) fail(`${err.message} (KELISIM_DB)`);
      fail(`cannot create the lock file beside the database ${config.dbFile} (KELISIM_DB): ${(err as Error).message}`);
    }
    try {
      // 'normal' at the SQLite level either way: with KELISIM_DB_SYNC=full the write queue fsyncs
      // the WAL itself before acknowledging (server/db/write-queue.ts).
      db = openDb(config.dbFile, { synchronous: 'normal' });
    } catch (err) {
      fail(`cannot open or migrate the database ${config.dbFile} (KELISIM_DB): ${(err as Error).message}`);
    }
    store = createSqliteStore(db, {
      syncWal: config.dbSynchronous === 'full' ? walSyncer(config.dbFile) : undefined,
      onSyncError: (err) => logError('fsync of the database WAL failed:', err),
    });
  }
  let survey, wave;
  try {
    survey = await loadOfficialSurvey(store, config.surveysDir);
    await loadTargets(store, config.surveysDir);
    // The cited census frame, so a run can be computed without importing one first. A
    // questionnaire whose levels it does not fit (a test stand-in) gets a warning, not a stop.
    try {
      await ensureCensusFrame(store, config.surveysDir);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      process.stderr.write(`kelisim: the census frame was not loaded: ${err.message}\n`);
    }
    wave = await ensureOpenWave(store, OFFICIAL_SURVEY_ID);
    // Build the current version's validator now, not inside the first respondent's request.
    try {
      completionValidatorFor((await getSurveyVersion(store.sql, survey.version.id, store))!);
    } catch (err) {
      throw new SurveyLoadError(`the completion validator cannot be built for ${OFFICIAL_SURVEY_ID} v${survey.version.version}: ${(err as Error).message}`);
    }
  } catch (err) {
    if (err instanceof SurveyLoadError) fail(err.message);
    throw err;
  }

  // What start-up wrote (survey version, wave) is durable before the link is printed.
  if (db && config.dbSynchronous === 'full') syncDbFiles(config.dbFile);
  // The open link's limits and proof of work (docs/decisions/021); KELISIM_ANTIBOT=off only records.
  const antibot = createAntibot(store, { enforce: config.antibot });
  if (!config.antibot) {
    process.stderr.write('kelisim: WARNING: KELISIM_ANTIBOT=off — the open link accepts any number of interviews from one address without a proof of work. For load tests and benchmarks only; never for fieldwork.\n');
  }
  const trustProxy = process.env.KELISIM_TRUST_PROXY?.trim();
  const app = createApp({
    db, store, config, antibot, logError,
    dbFile: db ? config.dbFile : undefined, publicBaseUrl: config.baseUrl,
    // KELISIM_TRUST_PROXY: hops of reverse proxies in front (e.g. 1), so the console's cookie is Secure over HTTPS and throttling sees the client's address.
    ...(trustProxy ? { trustProxy: /^\d+$/.test(trustProxy) ? Number(trustProxy) : trustProxy === 'true' ? true : trustProxy } : {}),
  });
  // WAL checkpoints on a worker thread, not inside commits on the event loop (server/db/checkpointer.ts).
  const checkpointer = db ? startCheckpointer(db, (err) => console.error('the WAL checkpoint worker failed; checkpointing on the main connection again:', err)) : undefined;
  const onListening = (err?: Error) => {
    if (err) fail(`cannot listen on port ${config.port}: ${err.message} (set PORT to another port)`);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const base = config.baseUrl ?? `http://localhost:${port}`;
    process.stdout.write([
      `Kelisim is running on http://localhost:${port}`,
      `  database: ${where}`,
      `  questionnaire: ${OFFICIAL_SURVEY_ID} v${survey.version.version}${survey.created ? ' (new version registered)' : ''}`,
      `  wave ${wave.wave.id}: ${wave.wave.titleEn}${wave.created ? ' (opened now)' : ''}`,
      '',
      `  Respondent link: ${base}/s/${wave.wave.openSlug}`,
      '',
    ].join('\n'));
  };
  // Header, request and keep-alive timeouts from the configuration (server/http/server.ts).
  const server: Server = createHttpServer(app, config);
  let listening = false; // as app.listen: the first of 'listening' or 'error' decides
  const listened = (err?: Error) => {
    if (listening) return;
    listening = true;
    onListening(err);
  };
  server.once('error', listened);
  if (config.host === undefined) server.listen(config.port, () => listened());
  else server.listen(config.port, config.host, () => listened());

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`kelisim: ${signal} received, finishing open requests…\n`);
    // Requests in flight finish (each one is a committed transaction or nothing); idle
    // keep-alive sockets are closed now, busy ones after 5 s at most.
    // Then the checkpoint worker stops and the connection closes, which checkpoints the whole log
    // into the database file: a clean stop leaves one file, not a log to replay.
    server.close(() => {
      void (checkpointer?.stop() ?? Promise.resolve()).finally(() => {
        void store.close().finally(() => process.exit(0));
      });
    });
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 5000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // The packed run input of rows written before it existed (docs/decisions/028), in the background.
  void backfillRunInputs(store).then(
    (n) => { if (n > 0) process.stdout.write(`kelisim: packed the run input of ${n} stored responses\n`); },
    (err: unknown) => { if (!stopping) console.error('kelisim: packing the run input of stored responses failed (runs read their columns instead):', err); },
  );
}

start().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
