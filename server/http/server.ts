// The HTTP server around the app, with the timeouts that keep slow or silent clients from tying it
// up (issue 10 §4): a request that declares a body and never sends it, headers that never end, an
// idle keep-alive connection. Values come from the configuration (server/config.ts).
import http, { type RequestListener, type Server } from 'node:http';
import type { Config } from '../config';

export type ServerTimeouts = Pick<Config, 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs'>;

/**
 * An http.Server for `app` with the given timeouts. Node checks the header and request timeouts
 * every `connectionsCheckingInterval` (30 s by default), which would let a silent request live up
 * to 30 s past its timeout; here it is a quarter of the shorter timeout (at most 5 s), so a
 * request is closed within 25% of its limit. An idle keep-alive socket is closed 1 s after the
 * `Keep-Alive: timeout=` it announces (Node's own margin, so a client never reuses a socket just as
 * the server closes it).
 */
export function createHttpServer(app: RequestListener, timeouts: ServerTimeouts): Server {
  const server = http.createServer({
    headersTimeout: timeouts.headersTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(10, Math.min(5000, Math.floor(Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs) / 4))),
  }, app);
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  return server;
}
