// A pass-through HTTP proxy in front of the test app whose API can be "unplugged": while offline,
// every /api/ connection is dropped without an answer, as on a phone that lost its signal. Done on
// the wire rather than in the browser because Chromium sends a closing tab's keepalive request
// from the browser process, past page.route and context.setOffline.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NetworkSwitch {
  baseUrl: string;
  offline: boolean;
  /** API requests dropped while offline. */
  dropped: number;
  close: () => Promise<void>;
}

export async function startNetworkSwitch(target: string): Promise<NetworkSwitch> {
  const upstream = new URL(target);
  const state = { offline: false, dropped: 0 };
  const server = http.createServer((req, res) => {
    if (state.offline && req.url?.startsWith('/api/')) {
      state.dropped += 1;
      req.socket.destroy();
      return;
    }
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get offline() {
      return state.offline;
    },
    set offline(value: boolean) {
      state.offline = value;
    },
    get dropped() {
      return state.dropped;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
