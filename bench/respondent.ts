// `npm run bench:respondent`: what a respondent waits for on a slow phone (issue 12, decision 023).
//
// Opens an open-wave link of the real questionnaire in Debian's Chromium at 360 × 740, with the
// network and the CPU throttled through the DevTools protocol (Network.emulateNetworkConditions,
// Emulation.setCPUThrottlingRate), and prints for each link profile three visits in one profile:
//   - cold: a new profile (empty HTTP cache, no service worker);
//   - warm: the same link opened again once the service worker controls the page and holds the
//     link's questionnaire (decision 023): the shell and the survey code come from it; the worker's
//     own requests (the link's GETs, network first) get the same delay and bandwidth through
//     Playwright's context.route, since the page's DevTools throttling does not cover the worker;
//   - offline: the same again with the network off (context.setOffline).
// For each: bytes transferred (encoded sizes of the responses that came over the network, the
// worker's included; none served from the worker's cache), first contentful paint (how long the
// screen stays blank) and the time to the first question visible (the first question's title laid
// out), from navigation start. Figures are medians of ROUNDS runs (default 3). DevTools throttling
// delays each request inside the browser (it is not a packet-level link emulation), so treat the
// figures as comparable with each other and with the issue's, not as field measurements. Needs the
// built client (`npx vite build`).
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { BrowserContext, CDPSession, Page, Route } from 'playwright-core';
import { createApp } from '../server/app';
import { openDb } from '../server/db/open';
import { loadOfficialSurvey } from '../server/surveys/bootstrap';
import { OFFICIAL_SURVEY_ID } from '../server/surveys/service';
import { ensureOpenWave } from '../server/waves/service';
import { openBrowser } from '../test/e2e/browser';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLIENT_DIR = path.join(ROOT, 'dist/client');
const ROUNDS = Number(process.env.ROUNDS ?? 3);

interface Profile {
  name: string;
  /** Round-trip time added to every request, ms (DevTools' "latency"). */
  rttMs: number;
  downMbps: number;
  upMbps: number;
  cpuSlowdown: number;
}

// 3G as issue 12 states it (1.6 Mbps, 300 ms RTT, 4× slower CPU); 4G a typical good mobile link
// (9 Mbps down, 1.5 Mbps up, 60 ms RTT) on the same slow phone; loopback for reference.
const PROFILES: Profile[] = [
  { name: 'loopback, CPU 1×', rttMs: 0, downMbps: 0, upMbps: 0, cpuSlowdown: 1 },
  { name: '4G (9 Mbps, 60 ms RTT), CPU 4×', rttMs: 60, downMbps: 9, upMbps: 1.5, cpuSlowdown: 4 },
  { name: '3G (1.6 Mbps, 300 ms RTT), CPU 4×', rttMs: 300, downMbps: 1.6, upMbps: 0.75, cpuSlowdown: 4 },
];

interface Sample {
  bytes: number;
  fcpMs: number;
  firstQuestionMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function throttle(cdp: CDPSession, p: Profile): Promise<void> {
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: p.rttMs,
    // bytes per second; -1 switches throttling off
    downloadThroughput: p.downMbps > 0 ? (p.downMbps * 1e6) / 8 : -1,
    uploadThroughput: p.upMbps > 0 ? (p.upMbps * 1e6) / 8 : -1,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: p.cpuSlowdown });
}

/** One visit: navigate and wait for the first question's title to be laid out. */
async function visit(page: Page, cdp: CDPSession, url: string, workerBytes: { n: number }): Promise<Sample> {
  let bytes = 0;
  const fromWorker = new Set<string>();
  const onResponse = (e: { requestId: string; response: { fromServiceWorker?: boolean } }) => {
    if (e.response.fromServiceWorker) fromWorker.add(e.requestId);
  };
  const onFinished = (e: { requestId: string; encodedDataLength: number }) => {
    if (!fromWorker.has(e.requestId)) bytes += e.encodedDataLength;
  };
  cdp.on('Network.responseReceived', onResponse);
  cdp.on('Network.loadingFinished', onFinished);
  workerBytes.n = 0;
  try {
    await page.goto(url, { waitUntil: 'commit', timeout: 60_000 });
    const handle = await page.waitForFunction(
      () => {
        const title = document.querySelector('.sd-question .sd-question__title');
        return title && title.getBoundingClientRect().height > 0 ? performance.now() : false;
      },
      undefined,
      { polling: 'raf', timeout: 60_000 },
    );
    const firstQuestionMs = (await handle.jsonValue()) as number;
    const fcpMs = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1);
    return { bytes: bytes + workerBytes.n, fcpMs, firstQuestionMs };
  } finally {
    cdp.off('Network.responseReceived', onResponse);
    cdp.off('Network.loadingFinished', onFinished);
  }
}

/**
 * The service worker's own network requests, delayed as DevTools delays the page's: one round trip,
 * plus the body at the profile's download rate. Counts the bytes into `workerBytes`.
 */
async function throttleWorker(context: BrowserContext, p: Profile, workerBytes: { n: number }): Promise<void> {
  await context.route('**/*', async (route: Route) => {
    if (!route.request().serviceWorker()) return route.fallback();
    let response;
    try {
      response = await route.fetch();
    } catch {
      return route.abort('internetdisconnected');
    }
    const body = await response.body();
    workerBytes.n += body.length;
    const ms = p.rttMs + (p.downMbps > 0 ? (body.length * 8) / (p.downMbps * 1e3) : 0);
    await new Promise((resolve) => setTimeout(resolve, ms));
    await route.fulfill({ response, body });
  });
}

/** Until the service worker controls the page and holds the link's questionnaire. */
async function workerReady(page: Page, url: string): Promise<void> {
  const linkPath = `/api/links/${new URL(url).pathname.split('/')[2]}`;
  await page.waitForFunction(
    async (p) => {
      if (!navigator.serviceWorker.controller) return false;
      for (const name of await caches.keys()) if (await (await caches.open(name)).match(p)) return true;
      return false;
    },
    linkPath,
    { timeout: 60_000, polling: 200 },
  );
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(CLIENT_DIR, 'index.html'))) {
    console.error(`bench:respondent: the client is not built (${CLIENT_DIR}/index.html missing): run \`npx vite build\` first.`);
    process.exit(2);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-bench-respondent-'));
  const db = openDb(path.join(dir, 'kelisim.db'), { migrateSchema: true });
  loadOfficialSurvey(db, path.join(ROOT, 'surveys'));
  const { wave } = ensureOpenWave(db, OFFICIAL_SURVEY_ID);
  const app = createApp({ db, config: { bodyLimitBytes: 64 * 1024, staticDir: CLIENT_DIR }, logError: (m, err) => console.error(m, err) });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/s/${wave.openSlug}`;

  try {
    console.log(`Respondent page, 360 × 740, Chromium; medians of ${ROUNDS} runs; ${url.replace(/\/s\/.*/, '/s/<open link>')}`);
    console.log('profile                                 visit   transferred   first paint   first question');
    for (const profile of PROFILES) {
      const samples: Record<'cold' | 'warm' | 'offline', Sample[]> = { cold: [], warm: [], offline: [] };
      for (let round = 0; round < ROUNDS; round++) {
        const b = await openBrowser({ locale: 'kk-KZ', width: 360, height: 740 });
        try {
          const workerBytes = { n: 0 };
          const cdp = await b.context.newCDPSession(b.page);
          await throttle(cdp, profile);
          samples.cold.push(await visit(b.page, cdp, url, workerBytes));
          await workerReady(b.page, url);
          await throttleWorker(b.context, profile, workerBytes);
          samples.warm.push(await visit(b.page, cdp, url, workerBytes));
          await b.context.setOffline(true);
          samples.offline.push(await visit(b.page, cdp, url, workerBytes));
        } finally {
          await b.close();
        }
      }
      for (const name of ['cold', 'warm', 'offline'] as const) {
        const kb = median(samples[name].map((s) => s.bytes)) / 1024;
        const fcp = median(samples[name].map((s) => s.fcpMs)) / 1000;
        const fq = median(samples[name].map((s) => s.firstQuestionMs)) / 1000;
        console.log(`${profile.name.padEnd(39)} ${name.padEnd(7)} ${`${kb.toFixed(0)} KB`.padStart(10)} ${`${fcp.toFixed(2)} s`.padStart(13)} ${`${fq.toFixed(2)} s`.padStart(16)}`);
      }
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
    db.$client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
