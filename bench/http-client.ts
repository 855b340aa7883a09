// What the benchmarks share to load a server over HTTP: one keep-alive agent, a plain request and
// the nearest-rank percentile. node:http rather than fetch: fetch's own overhead would be measured.
import http from 'node:http';

/** Keep-alive, enough sockets for every concurrency the benchmarks use. Destroy it at the end. */
export const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One request on 127.0.0.1:`port`; resolves with the status and the body as text. */
export function request(port: number, method: string, urlPath: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method, path: urlPath, agent,
      headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    // No Nagle delay on the client side either: a small request must leave at once.
    req.on('socket', (socket) => socket.setNoDelay(true));
    req.end(body);
  });
}

/** Nearest-rank percentile `p` (0–100) of ascending `sorted` values. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
