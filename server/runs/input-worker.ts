// Worker-thread entry of the helper that reads the upper half of a run's input (input.ts,
// readRunInput). Its own connection: begin a read transaction and take the snapshot (a count), say
// so, wait for the id range (or to be dismissed), read it, post the part, say so — all inside that
// one transaction, so the part is of the snapshot the calling thread checked.
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { lowerThisThreadPriority } from './thread-priority';
import { GO, partBuffers, readPart, SLOT, type HelperJob, type HelperReply } from './input';

const job = workerData as HelperJob;
// As low as the thread that started it (the server's estimate worker), so respondents go first.
if (job.lowPriority) lowerThisThreadPriority();
const { flags, port } = job;
const signal = (slot: number, value = 1): void => { Atomics.store(flags, slot, value); Atomics.notify(flags, slot); };

let sqlite: Database.Database | undefined;
let reply: HelperReply | undefined;
let transfer: ArrayBuffer[] = [];
try {
  sqlite = new Database(job.dbFile, { fileMustExist: true });
  sqlite.pragma('query_only = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.exec('BEGIN');
  // Any read takes the snapshot; the schema table is the cheapest.
  sqlite.prepare('SELECT count(*) FROM sqlite_master').pluck().get();
  signal(SLOT.snapshot);
  Atomics.wait(flags, SLOT.go, 0);
  if (Atomics.load(flags, SLOT.go) === GO.read) {
    // The range was posted before `go` was set.
    const { from, expected } = receiveMessageOnPort(port)!.message as { from: number; expected: number };
    const part = readPart(sqlite, job.waveId, job.itemNames, { from }, expected);
    reply = { ok: true, part };
    transfer = partBuffers(part);
  }
} catch (err) {
  reply = { ok: false, message: err instanceof Error ? err.stack ?? err.message : String(err) };
  // Failed before its snapshot: the calling thread reads alone (2); after: it reports the failure.
  if (Atomics.load(flags, SLOT.snapshot) === 0) signal(SLOT.snapshot, 2);
} finally {
  try { sqlite?.close(); } catch { /* closing ends the read transaction either way */ }
  if (reply) {
    try { port.postMessage(reply, transfer); } catch (err) { port.postMessage({ ok: false, message: String(err) } satisfies HelperReply); }
  }
  signal(SLOT.done);
  port.close();
}
