// Finished answers of the public results API, kept as the exact bytes and headers the full app
// sent, and served again by a lean handler that runs before Express's dispatch (decision 032).
//
// The full path (helmet, the /api middleware, the feature's sub-application, routes.ts) answers a
// URL once per published state and records here, for that URL: the body (plain and gzip), the
// ETag of each, and every header set on the response up to the point the answer was written —
// helmet's security headers included — in the order they were set. The next GET or HEAD of the
// same URL (byte for byte: the raw path and query string as received, so no query parsing or
// zod validation runs on a hit) is answered from here with those headers and bytes, after the one
// small version query (state.ts) that every request makes: a publication, withdrawal, new targets,
// questionnaire, demo marker or calendar year changes the version, by this server or another on
// the same database, and the next request finds the cache stale, empties it and takes the full
// path. Anything the cache cannot answer exactly as the full path would (another method, a
// request body, a URL not recorded yet, a representation or 304 not recorded yet, any error) goes
// down the full path unchanged.
//
// Memory is bounded: at most `maxEntries` URLs and about `maxBytes` of bodies and headers (each
// URL counted in full, even when URLs share one body), least recently used evicted first.
import type { IncomingMessage, OutgoingHttpHeader, ServerResponse } from 'node:http';
import type { Sql } from '../db/sql';
import { stateVersion } from './state';

/** One representation of an answer (plain or gzip) as the full path sent it. */
export interface RecordedRepresentation {
  etag: string;
  body: Buffer;
  /** Headers of the 200 answer, as [name, value, name, value…] in the order they were set. */
  headers200: string[];
  /** Headers of the 304 answer to a matching If-None-Match. */
  headers304: string[];
}

interface CachedAnswer {
  plain: RecordedRepresentation | undefined;
  /** Present when the answer has a gzip representation (then `Vary: Accept-Encoding`). */
  gzip: RecordedRepresentation | undefined;
  hasGzip: boolean;
  bytes: number;
}

export interface AnswerCacheOptions {
  /** Most URLs kept (default 2,000). */
  maxEntries?: number;
  /** About the most bytes of bodies and headers kept (default 32 MiB). */
  maxBytes?: number;
  /** The clock of the version key (the year flips "provisional"); the router must use the same. */
  now?: () => Date;
}

/** Whether an If-None-Match header names `etag` (weak comparison, RFC 9110 §13.1.2). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** The response's headers so far, as [name, value…] with the names as set and in the order set. */
export function headerList(res: ServerResponse): string[] {
  const out: string[] = [];
  // getRawHeaderNames (Node ≥ 15.13) keeps the names' case as set; @types/node lacks it.
  for (const name of (res as ServerResponse & { getRawHeaderNames(): string[] }).getRawHeaderNames()) {
    const value = res.getHeader(name);
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) out.push(name, v);
    else out.push(name, String(value));
  }
  return out;
}

/** Whether the request declares a body (the full path's /api middleware may refuse it). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

const listBytes = (l: readonly string[]): number => l.reduce((s, x) => s + x.length + 4, 0);
const representationBytes = (r: RecordedRepresentation | undefined): number => (r ? r.body.length + listBytes(r.headers200) + listBytes(r.headers304) : 0);

export class PublicAnswerCache {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly now: () => Date;
  /** The version key every entry belongs to ('' before the first record). */
  private version = '';
  /** Map order is recency: a hit moves its URL to the end, eviction takes from the front. */
  private readonly entries = new Map<string, CachedAnswer>();
  private bytes = 0;
  /** Answers served by the lean handler (tests, diagnostics). */
  hits = 0;
  /** Accept-Encoding header → whether gzip is acceptable (a few distinct headers in practice). */
  private readonly gzipOk = new Map<string, boolean>();

  constructor(options: AnswerCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 2000;
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    this.now = options.now ?? (() => new Date());
  }

  /** URLs kept and their bytes (tests, diagnostics). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private clear(version: string): void {
    this.entries.clear();
    this.bytes = 0;
    this.version = version;
  }

  /**
   * Records what the full path has just sent (or is sending) for `url` under `version`:
   * called by routes.ts for every successful answer to a GET or HEAD without a body.
   */
  record(version: string, url: string, hasGzip: boolean, gzip: boolean, rep: RecordedRepresentation): void {
    if (version !== this.version) this.clear(version);
    let entry = this.entries.get(url);
    if (entry) this.delete(url, entry);
    if (!entry || entry.hasGzip !== hasGzip) entry = { plain: undefined, gzip: undefined, hasGzip, bytes: 0 };
    if (gzip) entry.gzip = rep;
    else entry.plain = rep;
    entry.bytes = url.length + representationBytes(entry.plain) + representationBytes(entry.gzip);
    this.entries.set(url, entry);
    this.bytes += entry.bytes;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const [oldest, e] = this.entries.entries().next().value as [string, CachedAnswer];
      this.delete(oldest, e);
    }
  }

  private delete(url: string, e: CachedAnswer): void {
    this.entries.delete(url);
    this.bytes -= e.bytes;
  }

  /**
   * Remembers the full path's own content negotiation (Express's req.acceptsEncodings) for an
   * Accept-Encoding header, so the lean handler decides as it did without negotiating itself.
   */
  noteGzip(header: string | undefined, ok: boolean): void {
    const key = header ?? '';
    if (this.gzipOk.get(key) === ok) return;
    if (this.gzipOk.size >= 256) this.gzipOk.clear();
    this.gzipOk.set(key, ok);
  }

  /**
   * The lean handler: run before the app's dispatch (server/app.ts), it answers a recorded URL of the current version
   * and passes everything else on untouched.
   */
  handler(reader: Sql): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
    return (req, res, next) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || this.entries.size === 0 || hasBody(req)) return next();
      const url = req.url!;
      const entry = this.entries.get(url);
      if (!entry) return next();
      const recordedUnder = this.version;
      stateVersion(reader, this.now()).then((version) => {
        if (version !== recordedUnder) {
          // The published state changed: every answer recorded under another version is stale.
          if (version !== this.version) this.clear('');
          return next();
        }
        let gzip = false;
        if (entry.hasGzip) {
          const ok = this.gzipOk.get(req.headers['accept-encoding'] ?? '');
          if (ok === undefined) return next(); // a header the full path has not negotiated yet
          gzip = ok;
        }
        const rep = gzip ? entry.gzip : entry.plain;
        if (!rep) return next();
        // Most recently used last.
        this.entries.delete(url);
        this.entries.set(url, entry);
        this.hits++;
        if (etagMatches(req.headers['if-none-match'], rep.etag)) {
          res.writeHead(304, rep.headers304 as unknown as OutgoingHttpHeader[]);
          res.end();
          return;
        }
        res.writeHead(200, rep.headers200 as unknown as OutgoingHttpHeader[]);
        res.end(req.method === 'HEAD' ? undefined : rep.body);
      }, () => next()) // the full path meets the same failure and reports it its own way
        // Nothing above should throw; if it does, close this connection rather than leave the request hanging.
        .catch((err: unknown) => { res.destroy(err instanceof Error ? err : new Error(String(err))); });
    };
  }
}
