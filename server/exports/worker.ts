// Worker-thread entry of an export download (see server/runs/worker-pool.ts and download.ts): its
// own connection to the database — the SQLite file, or one pooled connection to the PostgreSQL URL
// — then exactly what `kelisim export` does — the file written into the caller's temporary folder —
// and its path, row count and download name sent back.
import { workerData } from 'node:worker_threads';
import { openDb } from '../db/open';
import pg from 'pg';
import { replyFromWorker } from '../runs/worker-reply';
import { writeExportFile, type DownloadRequest } from './download';

interface Job { dbFile?: string; databaseUrl?: string; req: DownloadRequest; dir: string }

const job = workerData as Job;
if (job.databaseUrl !== undefined) {
  // The URL as the server's pool was opened with it; the export only reads.
  const pool = new pg.Pool({ connectionString: job.databaseUrl, max: 1 });
  pool.on('error', () => undefined);
  void replyFromWorker(() => writeExportFile({ pool }, job.req, job.dir)).finally(() => pool.end());
} else {
  const db = openDb(job.dbFile!, { migrateSchema: false });
  void replyFromWorker(() => writeExportFile(db, job.req, job.dir)).finally(() => db.$client.close());
}
