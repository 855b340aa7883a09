// `npm run bench:respondent`: what a respondent waits for on a slow phone (issue 12, decision 023).
//
// Opens an open-wave link of the real questionnaire in Debian's Chromium at 360 × 740, with the
// network and the CPU throttled through the DevTools protocol (Network.emulateNetworkConditions,
// Emulation.setCPUThrottlingRate), and prints for each link profile three visits in one profile:
//   - cold: a new profile (empty HTTP cache, no service worker);
//   - warm: the same link opened again once the service worker controls the page and holds the
//     link's questionnaire (decision 023): the shell and the survey code come from it; the worker's
//     own requests (the link's GETs, network first) get the same delay and bandwidth on the server
//     (workerLinkDelay), since the page's DevTools throttling does not cover the worker;
//   - offline: the same again with the network off (context.setOffline).
// For each: bytes transferred (encoded sizes of the responses that came over the network, the
// worker's included; none served from the worker's cache), first contentful paint (how long the
// screen stays blank) and the time to the first question visible (the first question's title laid
// out: the light first page's or survey-core's, whichever comes first), from navigation start; then
// the bytes and the time until survey-core's own first question is laid out (the full questionnaire
// running). Figures are medians of ROUNDS runs (default 3). DevTools throttling
// delays each request inside the browser (it is not a packet-level link emulation), so treat the
// figures as comparable with each other and with the issue's, not as field measurements. Needs the
// built client (`npx vite build`).
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { CDPSession, Page } from 'playwright-core';
import express, { type Response } from 'express';
import { createApp } from '../server/app';
import { openDb } from '../server/db/open';
import { loadOfficialSurvey } from '../server/surveys/sqlite-sync';
import { OFFICIAL_SURVEY_ID } from '../server/surveys/service';
import { ensureOpenWave } from '../server/waves/sqlite-sync';
import { openBrowser } from '../test/e2e/browser';

const ROOT = path.resolve(import.meta.dirname, '..');
// KELISIM_BENCH_CLIENT_DIR: another build, e.g. an older one for a before/after comparison on the same
// machine; a build without a service worker is measured cold only.
const CLIENT_DIR = process.env.KELISIM_BENCH_CLIENT_DIR ?? path.join(ROOT, 'dist/client');
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
const ALL_PROFILES: Profile[] = [
  { name: 'loopback, CPU 1×', rttMs: 0, downMbps: 0, upMbps: 0, cpuSlowdown: 1 },
  { name: '4G (9 Mbps, 60 ms RTT), CPU 4×', rttMs: 60, downMbps: 9, upMbps: 1.5, cpuSlowdown: 4 },
  { name: '3G (1.6 Mbps, 300 ms RTT), CPU 4×', rttMs: 300, downMbps: 1.6, upMbps: 0.75, cpuSlowdown: 4 },
];

// KELISIM_BENCH_PROFILES: only the profiles whose name contains one of these comma-separated words
// (e.g. "3G,4G"), for a quicker run.
const only = (process.env.KELISIM_BENCH_PROFILES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const PROFILES = only.length ? ALL_PROFILES.filter((p) => only.some((o) => p.name.includes(o))) : ALL_PROFILES;

interface Sample {
  /** Bytes transferred until the first question was visible. */
  bytes: number;
  fcpMs: number;
  firstQuestionMs: number;
  /** Bytes transferred until the full questionnaire was ready. */
  totalBytes: number;
  /** Time to survey-core's first question (the full questionnaire running). */
  readyMs: number;
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
async function visit(page: Page, cdp: CDPSession, url: string, worker: WorkerLink, expectWorker: boolean): Promise<Sample> {
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
  worker.bytes = 0;
  try {
    await page.goto(url, { waitUntil: 'commit', timeout: 60_000 });
    const handle = await page.waitForFunction(
      () => {
        // The light first page's question (decision 023) or survey-core's, whichever is drawn first.
        const title = document.querySelector('.preview__question .preview__title, .sd-question .sd-question__title');
        return title && title.getBoundingClientRect().height > 0 ? performance.now() : false;
      },
      undefined,
      { polling: 'raf', timeout: 60_000 },
    );
    const firstQuestionMs = (await handle.jsonValue()) as number;
    if (expectWorker && !(await page.evaluate(() => navigator.serviceWorker.controller !== null))) {
      throw new Error(`${url} was not served by the service worker on a warm visit.`);
    }
    const firstBytes = bytes + worker.bytes;
    // The full questionnaire (survey-core's question) ready, which the light first page stands in for.
    const ready = await page.waitForFunction(
      () => {
        const title = document.querySelector('.sd-question .sd-question__title');
        return title && title.getBoundingClientRect().height > 0 ? performance.now() : false;
      },
      undefined,
      { polling: 'raf', timeout: 60_000 },
    );
    const readyMs = (await ready.jsonValue()) as number;
    const fcpMs = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1);
    return { bytes: firstBytes, fcpMs, firstQuestionMs, totalBytes: bytes + worker.bytes, readyMs };
  } finally {
    cdp.off('Network.responseReceived', onResponse);
    cdp.off('Network.loadingFinished', onFinished);
  }
}

/**
 * The service worker's own network requests (the link's GETs on a warm visit) delayed on the server
 * as DevTools delays the page's: one round trip plus the answer at the profile's download rate. Done
 * on the server because the page's throttling does not cover the worker, and Playwright's request
 * interception would make the page bypass the worker. Only switched on for warm visits, when every
 * GET /api/links/... comes from the worker (the page's are answered by it). Counts the bytes sent.
 */
interface WorkerLink {
  profile: Profile | null;
  bytes: number;
}
function workerLinkDelay(state: WorkerLink): express.RequestHandler {
  return (req, res, next) => {
    const profile = state.profile;
    if (!profile || req.method !== 'GET' || !req.path.startsWith('/api/links/')) return next();
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
    const end = res.end.bind(res) as (chunk?: unknown, ...rest: unknown[]) => Response;
    // Hold the answer back, then send it after the link's delay.
    res.write = ((chunk: unknown) => {
      if (chunk) chunks.push(Buffer.from(chunk as Buffer));
      return true;
    }) as typeof res.write;
    res.end = ((chunk?: unknown) => {
      if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as Buffer));
      const body = Buffer.concat(chunks);
      state.bytes += body.length;
      const ms = profile.rttMs + (profile.downMbps > 0 ? (body.length * 8) / (profile.downMbps * 1e3) : 0);
      setTimeout(() => {
        if (body.length) write(body);
        end();
      }, ms);
      return res;
    }) as typeof res.end;
    next();
  };
}

/** Until the service worker controls the page and holds the link's questionnaire (60 s at most). */
async function workerReady(page: Page, url: string): Promise<void> {
  const linkPath = `/api/links/${new URL(url).pathname.split('/')[2]}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await page.evaluate(async (p) => {
      const registration = await navigator.serviceWorker.getRegistration();
      if (!navigator.serviceWorker.controller || registration?.active?.state !== 'activated') return false;
      for (const name of await caches.keys()) if (await (await caches.open(name)).match(p)) return true;
      return false;
    }, linkPath);
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`The service worker did not take over ${url} within 60 s.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(CLIENT_DIR, 'index.html'))) {
    console.error(`bench:respondent: the client is not built (${CLIENT_DIR}/index.html missing): run \`npx vite build\` first.`);
    process.exit(2);
  }
  const withWorker = fs.existsSync(path.join(CLIENT_DIR, 'sw.js'));
  if (!withWorker) console.log(`${CLIENT_DIR} has no service worker (sw.js): cold visits only.`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-bench-respondent-'));
  const db = openDb(path.join(dir, 'kelisim.db'), { migrateSchema: true });
  loadOfficialSurvey(db, path.join(ROOT, 'surveys'));
  const { wave } = ensureOpenWave(db, OFFICIAL_SURVEY_ID);
  const worker: WorkerLink = { profile: null, bytes: 0 };
  const app = express();
  app.use(workerLinkDelay(worker));
  app.use(createApp({ db, config: { bodyLimitBytes: 64 * 1024, staticDir: CLIENT_DIR }, logError: (m, err) => console.error(m, err) }));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/s/${wave.openSlug}`;

  try {
    console.log(`Respondent page, 360 × 740, Chromium; medians of ${ROUNDS} runs; ${url.replace(/\/s\/.*/, '/s/<open link>')}`);
    console.log('                                            until the first question       until survey-core is running');
    console.log('profile                             visit   transferred  paint  question   transferred    ready');
    for (const profile of PROFILES) {
      const samples: Record<'cold' | 'warm' | 'offline', Sample[]> = { cold: [], warm: [], offline: [] };
      for (let round = 0; round < ROUNDS; round++) {
        const b = await openBrowser({ locale: 'kk-KZ', width: 360, height: 740 });
        try {
          const cdp = await b.context.newCDPSession(b.page);
          await throttle(cdp, profile);
          worker.profile = null; // the cold visit: no worker yet, the page's own throttling covers all
          samples.cold.push(await visit(b.page, cdp, url, worker, false));
          if (!withWorker) continue;
          await workerReady(b.page, url);
          worker.profile = profile;
          samples.warm.push(await visit(b.page, cdp, url, worker, true));
          // Offline on the page's own DevTools session (where its throttling is), and for the worker.
          await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
          await b.context.setOffline(true);
          samples.offline.push(await visit(b.page, cdp, url, worker, true));
          worker.profile = null;
        } finally {
          await b.close();
        }
      }
      for (const name of withWorker ? (['cold', 'warm', 'offline'] as const) : (['cold'] as const)) {
        const kb = (f: (x: Sample) => number) => `${(median(samples[name].map(f)) / 1024).toFixed(0)} KB`;
        const sec = (f: (x: Sample) => number) => `${(median(samples[name].map(f)) / 1000).toFixed(2)} s`;
        console.log(
          `${profile.name.padEnd(35)} ${name.padEnd(7)} ${kb((x) => x.bytes).padStart(8)} ${sec((x) => x.fcpMs).padStart(8)} ${sec((x) => x.firstQuestionMs).padStart(9)}   ${kb((x) => x.totalBytes).padStart(8)} ${sec((x) => x.readyMs).padStart(8)}`,
        );
      }
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
    db.$client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
