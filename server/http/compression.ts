// Compression without a dependency, for the two places it matters to a respondent on a phone:
// the client's assets (the respondent page's script is ~1.6 MB raw, ~0.3 MB compressed) and the
// survey JSON in GET /api/links/:link (~60 KB raw, ~10 KB gzipped).
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Request, RequestHandler, Response } from 'express';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** Text formats worth compressing (images and fonts already are). */
const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.svg', '.json', '.map', '.txt', '.html', '.wasm']);
/** Vite's asset names: no folders, no dot-files. */
const ASSET_NAME = /^\/[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

type Encoded = { br: Buffer; gzip: Buffer };

/**
 * Serves `<dir>/<name>` brotli- or gzip-compressed when the browser accepts it, with year-long
 * immutable caching (Vite fingerprints every asset name). Each file is compressed once — those
 * present at start right away, others on first request — off the event loop (brotli quality 9: within 10% of the maximum at a twentieth of the
 * time, ~0.1 s for the largest file), and kept in memory. Anything else falls through to
 * express.static (identity encoding).
 */
export function compressedAssets(dir: string): RequestHandler {
  const cache = new Map<string, Promise<Encoded | null>>();
  const load = (file: string): Promise<Encoded | null> => {
    let entry = cache.get(file);
    if (!entry) {
      entry = fs.readFile(file).then(
        async (raw) => ({
          br: await brotli(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
          gzip: await gzip(raw, { level: 9 }),
        }),
        () => null, // missing: express.static (then the 404 handler) answers
      );
      cache.set(file, entry);
      // A file that was missing may appear with a new build: do not remember the miss.
      entry.then((e) => { if (e === null) cache.delete(file); }, () => cache.delete(file));
    }
    return entry;
  };

  // Start compressing what is there now, in the background, so the first respondent does not wait.
  fs.readdir(dir).then(
    (names) => names.filter((n) => COMPRESSIBLE.has(path.extname(n).toLowerCase())).forEach((n) => void load(path.join(dir, n))),
    () => undefined, // no build (yet): files are compressed on first request
  );

  return async (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !ASSET_NAME.test(req.path)) return next();
    const ext = path.extname(req.path).toLowerCase();
    if (!COMPRESSIBLE.has(ext)) return next();
    // Brotli whenever acceptable (smaller than gzip by ~15% here), whatever order the header lists.
    const accepted = req.acceptsEncodings();
    const encoding = accepted.includes('br') || accepted.includes('*') ? 'br' : accepted.includes('gzip') ? 'gzip' : undefined;
    if (!encoding) return next();
    const encoded = await load(path.join(dir, req.path));
    if (!encoded) return next();
    const body = encoded[encoding];
    res.type(ext);
    res.setHeader('Content-Encoding', encoding);
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('Content-Length', body.length);
    res.status(200).end(req.method === 'HEAD' ? undefined : body);
  };
}

/** JSON bodies smaller than this are sent as they are: compressing them saves nothing worth a thread-pool trip. */
const MIN_COMPRESS_BYTES = 8 * 1024;

/**
 * Sends `body` as JSON with `status`, gzip-compressed (level 6, off the event loop) when it is
 * large and the client accepts gzip.
 */
export async function sendJson(req: Request, res: Response, status: number, body: unknown): Promise<void> {
  const text = JSON.stringify(body);
  res.status(status).type('application/json');
  res.setHeader('Vary', 'Accept-Encoding');
  if (Buffer.byteLength(text) < MIN_COMPRESS_BYTES || req.acceptsEncodings('gzip') !== 'gzip') {
    res.send(text);
    return;
  }
  const zipped = await gzip(text, { level: 6 });
  res.setHeader('Content-Encoding', 'gzip');
  res.setHeader('Content-Length', zipped.length);
  res.end(zipped);
}
