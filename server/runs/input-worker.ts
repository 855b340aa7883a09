// Worker-thread entry of the helper that reads part of a run's input (input.ts, readRunInput). Its
// own connection: begin a read transaction and take the snapshot (a count), say so, then wait to be
// told what to do (or to be dismissed): run the packed read's block queries and post each block
// (the calling thread decodes them), or read the upper rowid range row by row and post the part —
// all inside that one transaction, so what it posts is of the snapshot the calling thread checked.
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { lowerThisThreadPriority } from './thread-priority';
import { BLOCKS_AHEAD, blockQuery, GO, partBuffers, readPart, SLOT, type HelperJob, type HelperReply } from './input';

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
  if (Atomics.load(flags, SLOT.go) === GO.blocks) {
    // The packed read's blocks, in order, at most BLOCKS_AHEAD ahead of the calling thread's decoding;
    // it stops as readPacked does (an empty or short block), or when dismissed.
    const blocks = blockQuery(sqlite, job.waveId, job.blockRows);
    let last: string | null = null;
    for (let k = 0; ; k++) {
      for (;;) {
        const taken = Atomics.load(flags, SLOT.taken);
        if (k - taken < BLOCKS_AHEAD || Atomics.load(flags, SLOT.go) === GO.cancel) break;
        Atomics.wait(flags, SLOT.taken, taken, 1000);
      }
      if (Atomics.load(flags, SLOT.go) === GO.cancel) break;
      const [count, max, data] = blocks.next(last);
      // Its own ArrayBuffer moves to the other thread; a slice of a shared one is copied.
      const own = data !== null && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
      port.postMessage({ ok: true, block: [count, max, data] } satisfies HelperReply, own ? [data.buffer as ArrayBuffer] : []);
      Atomics.add(flags, SLOT.posted, 1);
      Atomics.notify(flags, SLOT.posted);
      if (count < blocks.rows) break;
      last = max;
    }
  } else if (Atomics.load(flags, SLOT.go) === GO.read) {
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
