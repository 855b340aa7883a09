// Worker-thread entry of an export download (see server/runs/worker-pool.ts and download.ts): its
// own connection to the database file, then exactly what `kelisim export` does — the file written
// into the caller's temporary folder — and its path, row count and download name sent back.
import { workerData } from 'node:worker_threads';
import { openDb } from '../db/open';
import { replyFromWorker } from '../runs/worker-reply';
import { writeExportFile, type DownloadRequest } from './download';

interface Job { dbFile: string; req: DownloadRequest; dir: string }

const job = workerData as Job;
const db = openDb(job.dbFile, { migrateSchema: false });
void replyFromWorker(() => writeExportFile(db, job.req, job.dir)).finally(() => db.$client.close());
