// The public dashboard in a real Chromium, served by the real app from the built client over a
// demo database (server/demo/build.ts: 20 quarters of synthetic respondents, published runs) built
// once for this file in a temporary folder. Expected figures are read from the real API's answers
// and formatted by an oracle independent of client/public/format.ts. States the demo cannot show
// (nothing published, an API error and its retry, a revised quarter) are answered by the contract
// fixtures (test/fixtures/public-api/) from a small HTTP front of the same app (public-api-fixtures.ts).
// Screenshots at 360 and 1280 px in kk/ru/en go to KELISIM_SCREENSHOTS or test-artifacts/. On the
// engine KELISIM_TEST_DB names: in the PostgreSQL pass the demo is built into a PostgreSQL database,
// and the screen checks and per-language repeats stay in the SQLite pass (test/e2e/engine-pass.ts).
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { publicEn } from '../../client/public/messages-en';
import { publicKk } from '../../client/public/messages-kk';
import { publicRu } from '../../client/public/messages-ru';
import { createApp } from '../../server/app';
import { openDb } from '../../server/db/open';
import { openPg } from '../../server/db/open-pg';
import { createPgStore } from '../../server/db/store-pg';
import { buildDemoDatabase, buildDemoDatabasePg } from '../../server/demo/build';
import { OFFICIAL_SURVEYS_DIR, REPO_ROOT } from '../helpers/app';
import { createTestPgDb } from '../helpers/pg';
import { testEngine } from '../helpers/store';
import { axeProblems } from './axe';
import { horizontalOverflow, openBrowser, type Browser } from './browser';
import { journeyLanguages, SCREEN_CHECKS } from './engine-pass';
import { fixtures, startFixtureFront, type FixtureFront, type PublicApiOptions } from './public-api-fixtures';

const CLIENT_DIR = process.env.KELISIM_E2E_CLIENT_DIR ?? path.join(REPO_ROOT, 'dist/client');
// Kept for review after the run (issue 7), so outside the run's temporary folder: test-artifacts/ is git-ignored.
const SCREENSHOTS = process.env.KELISIM_SCREENSHOTS ?? path.join(REPO_ROOT, 'test-artifacts/dashboard-screenshots');
const CATALOGUES = { kk: publicKk, ru: publicRu, en: publicEn } as const;
type Lang = keyof typeof CATALOGUES;
const LANGS: Lang[] = ['kk', 'ru', 'en'];

// An oracle for the expected text independent of client/public/format.ts: one decimal, with the
// decimal comma of kk and ru and the point of en; a true minus sign for negative gaps.
// (Rounding by Intl's half-expand on the decimal value, as the page does: 80.55 → 80.6.)
const plain = (x: number, digits: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false }).format(x);
const dec = (lang: Lang, x: number, digits = 1) => {
  const s = plain(Math.abs(x), digits);
  return (x < 0 && Number(s) !== 0 ? '\u2212' : '') + (lang === 'en' ? s : s.replace('.', ','));
};
const signed = (lang: Lang, x: number) => (x > 0 && Number(plain(x, 1)) !== 0 ? '+' : '') + dec(lang, x);

type Text = Record<Lang, string>;
interface Headline {
  id: string;
  name: Text;
  latestYear: { year: number; value: number; ci95: [number, number]; target: number; gap: number; status: string; provisional: boolean; waves: number };
  latestWave: { period: string; value: number; n: number; change: { from: string; delta: number; significant: boolean } | null };
  progress: { category: string };
}
interface Level { level: string; label: Text; value: number | null; suppressed: boolean; n: number | null; lowPrecision: boolean }
interface BreakdownBody { period: string; indicators: { id: string; levels: Level[] }[] }
interface SeriesBody { waves: { period: string; value: number; ci95: [number, number]; n: number }[]; years: unknown[] }
interface PeriodsBody { periods: { period: string; kind: string; frame: { name: string; illustrative: boolean } | null }[] }

let demoDir: string;
/** Closes the demo database's connection and drops it (PostgreSQL), last first. */
const closers: (() => Promise<void> | void)[] = [];
let server: Server;
/** The real app on the demo database: the dashboard and its API. */
let baseUrl: string;
let front: FixtureFront;
let browser: Browser | undefined;
const requests: string[] = [];

/** A JSON answer of the real public API (what the page is expected to show). */
async function api<T>(urlPath: string): Promise<T> {
  const res = await fetch(`${baseUrl}/api/public/v1${urlPath}`);
  if (!res.ok) throw new Error(`GET /api/public/v1${urlPath}: ${res.status}`);
  return await res.json() as T;
}
let headlines: Headline[];
let periods: PeriodsBody;
/** The latest published quarter of the demo (the one the dashboard opens on). */
let latestQuarter: string;

beforeAll(async () => {
  if (!fs.existsSync(path.join(CLIENT_DIR, 'index.html'))) {
    throw new Error(`The client is not built (${CLIENT_DIR}/index.html missing): run \`npx vite build\` (npm test does).`);
  }
  demoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-dashboard-'));
  let app: ReturnType<typeof createApp>;
  if (testEngine() === 'sqlite') {
    const file = path.join(demoDir, 'demo.db');
    const built = await buildDemoDatabase({ file, surveysDir: OFFICIAL_SURVEYS_DIR });
    console.log(`demo database: ${built.waves} waves, ${built.respondents} respondents in ${built.seconds.toFixed(1)} s`);
    const db = openDb(file);
    closers.push(() => { if (db.$client.open) db.$client.close(); });
    app = createApp({ db, config: { bodyLimitBytes: 64 * 1024, staticDir: CLIENT_DIR }, logError: (m, e) => console.error(m, e) });
  } else {
    // The same demo built into an empty PostgreSQL database of its own (`npm run demo` with KELISIM_DATABASE_URL).
    const database = await createTestPgDb();
    closers.push(() => database.drop());
    const built = await buildDemoDatabasePg({ url: database.url, surveysDir: OFFICIAL_SURVEYS_DIR });
    console.log(`demo database (PostgreSQL): ${built.waves} waves, ${built.respondents} respondents in ${built.seconds.toFixed(1)} s`);
    const store = createPgStore((await openPg(database.url, { migrateSchema: false })).$client);
    closers.push(() => store.close());
    app = createApp({ store, config: { bodyLimitBytes: 64 * 1024, staticDir: CLIENT_DIR }, logError: (m, e) => console.error(m, e) });
  }
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Requests of the page to the API, seen on the server (a download never reaches page events);
  // first in line, before Express's routing rewrites req.url.
  server.prependListener('request', (req) => {
    if (req.url?.startsWith('/api/public/v1/')) requests.push(req.url);
  });
  front = await startFixtureFront(baseUrl);
  headlines = (await api<{ indicators: Headline[] }>('/indicators')).indicators;
  periods = await api<PeriodsBody>('/periods');
  latestQuarter = periods.periods.filter((p) => p.kind === 'wave').map((p) => p.period).sort().at(-1) as string;
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  console.log(`dashboard screenshots: ${SCREENSHOTS}`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await front?.close();
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  for (const close of closers.reverse()) await close();
  if (demoDir) fs.rmSync(demoDir, { recursive: true, force: true });
});

/**
 * The browser with the given profile: one reused while locale and width stay the same (launching
 * costs about a second), with the stored language choice of the page it is on cleared, so each
 * test starts as a new visitor; a fresh one otherwise or when asked (the fixture front is another
 * origin: its test asks for a fresh browser). Its base URL is the real app, or the fixture front
 * when `fixture` options are given.
 */
async function open(options: { width?: number; locale?: string; fixture?: PublicApiOptions; fresh?: boolean } = {}): Promise<{ page: Page; base: string }> {
  const locale = options.locale ?? 'kk-KZ';
  const width = options.width ?? 1280;
  const key = `${locale}|${width}`;
  if (!browser || options.fresh === true || openKey !== key) {
    await browser?.close();
    browser = await openBrowser({ locale, width, height: 900 });
    openKey = key;
  } else if (browser.page.url().startsWith('http')) {
    await browser.page.evaluate(() => {
      localStorage.clear();
      sessionStorage.clear();
    });
  }
  requests.length = 0;
  front.requests.length = 0;
  front.options = options.fixture ?? {};
  return { page: browser.page, base: options.fixture ? front.baseUrl : baseUrl };
}
let openKey = '';

async function gotoDashboard(page: Page, search = '', base = baseUrl): Promise<void> {
  await page.goto(`${base}/${search}`);
  await page.locator('.card').first().waitFor();
  // Settled: three trend charts and the breakdown drawn, no section still loading.
  await page.waitForFunction(() => document.querySelectorAll('.chart-frame .plot-figure svg').length >= 3 && document.querySelectorAll('.chart-frame').length >= 4 && document.querySelectorAll('.status').length === 0);
}

const card = (page: Page, id: string) => page.locator(`.card[data-indicator="${id}"]`);

describe('public dashboard', () => {
  test('the three cards show the API numbers, formatted per language', async () => {
    const { page } = await open();
    for (const lang of journeyLanguages(LANGS)) {
      await gotoDashboard(page, `?lang=${lang}`);
      const t = CATALOGUES[lang];
      for (const h of headlines) {
        const text = (await card(page, h.id).innerText()).replace(/\s+/g, ' ');
        const y = h.latestYear;
        expect(text).toContain(h.name[lang]);
        expect(await card(page, h.id).getByTestId('annual-value').innerText()).toBe(dec(lang, y.value));
        expect(text).toContain(`${dec(lang, y.ci95[0], 2)}–${dec(lang, y.ci95[1], 2)}`);
        expect(text).toContain(t.targetLine.replace('{year}', String(y.year)).replace('{value}', dec(lang, y.target)));
        expect(text).toContain(t.gapLine.replace('{gap}', signed(lang, y.gap)));
        expect(text).toContain(t[`status_${y.status}` as keyof typeof t]);
        expect(text).toContain(t[`progress_${h.progress.category}` as keyof typeof t]);
        // Provisional: the quarters still missing, or with all four in, that the year is not over.
        if (y.provisional) expect(text).toContain(y.waves >= 4 ? t.provisionalYearOpen : t.provisional.replace('{waves}', String(y.waves)));
        // The latest quarter's own value.
        const [wy, wq] = h.latestWave.period.split('-Q');
        expect(text).toContain(t.latestQuarter.replace('{period}', t.periodQuarter.replace('{year}', wy).replace('{quarter}', wq)).replace('{value}', dec(lang, h.latestWave.value)));
        const change = h.latestWave.change;
        if (change) {
          const [year, quarter] = change.from.split('-Q');
          const from = t.periodQuarter.replace('{year}', year).replace('{quarter}', quarter);
          expect(text).toContain((change.significant ? t.changeSignificant : t.changeNotSignificant).replace('{delta}', signed(lang, change.delta)).replace('{from}', from));
        } else expect(text).toContain(t.noChange);
        // Status is given by an icon too, never by colour alone.
        await expect(card(page, h.id).locator('.card__status svg.status-icon').count()).resolves.toBe(1);
      }
      // The 2026 consensus target shows the alternative value as the document records it.
      expect(await card(page, 'consensus').innerText()).toContain(dec(lang, 80.9));
      // The demo's quarters are weighted to its illustrative frame: said next to the numbers.
      const frame = periods.periods.find((p) => p.period === latestQuarter)?.frame;
      expect(frame?.illustrative).toBe(true);
      expect(await card(page, 'consensus').locator('.illustrative-note').innerText()).toContain(frame?.name);
    }
  });

  test('switching the language changes every label, and the URL keeps it', async () => {
    const { page } = await open();
    await gotoDashboard(page);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('kk');
    // Every fixed (placeholder-free) dashboard string visible in Kazakh…
    const kkText = await page.locator('main').innerText();
    const shown = (Object.keys(publicKk) as (keyof typeof publicKk)[]).filter(
      (k) => !publicKk[k].includes('{') && publicKk[k] !== publicRu[k] && publicKk[k] !== publicEn[k] && kkText.includes(publicKk[k]),
    );
    expect(shown.length).toBeGreaterThan(15);
    for (const [lang, button] of [['ru', 'Русский'], ['en', 'English']] as const) {
      await page.getByRole('button', { name: button }).click();
      await page.waitForFunction((l) => document.documentElement.lang === l && location.search.includes(`lang=${l}`), lang);
      const text = await page.locator('main').innerText();
      // …is gone, replaced by its translation.
      for (const key of shown) {
        expect(text, `"${publicKk[key]}" (${key}) still shown in ${lang}`).not.toContain(publicKk[key]);
        expect(text, `${key} not shown in ${lang}`).toContain(CATALOGUES[lang][key]);
      }
      for (const h of headlines) expect(text).toContain(h.name[lang]);
    }
  });

  test('regions: a suppressed unit is hatched and shows no number; the table and CSV carry the same numbers', async () => {
    const { page } = await open();
    await gotoDashboard(page, `?period=${latestQuarter}&by=region`);
    const body = await api<BreakdownBody>(`/breakdowns?period=${latestQuarter}&by=region`);
    const levels = body.indicators[0].levels;
    const suppressed = levels.filter((l) => l.suppressed);
    expect(suppressed.length).toBeGreaterThan(0);
    const tiles = page.locator('.tile');
    expect(await tiles.count()).toBe(20);
    for (const l of suppressed) {
      const tile = page.locator(`.tile[data-region="${l.level}"]`);
      expect(await tile.getAttribute('class')).toContain('tile--suppressed');
      expect(await tile.evaluate((el) => getComputedStyle(el).backgroundImage)).toContain('repeating-linear-gradient');
      const text = await tile.innerText();
      expect(text).toContain(publicKk.suppressed);
      // No value: the only digits are those of "fewer than 30 respondents".
      expect(text.replace(publicKk.suppressed, '')).not.toMatch(/\d/);
    }
    for (const l of levels.filter((x) => !x.suppressed)) {
      expect(await page.locator(`.tile[data-region="${l.level}"] .tile__value`).innerText()).toContain(dec('kk', l.value as number));
    }
    // Low precision is marked (wherever the API says so; the demo's quarter may have none).
    for (const l of levels.filter((x) => !x.suppressed)) {
      const tile = await page.locator(`.tile[data-region="${l.level}"]`).innerText();
      if (l.lowPrecision) expect(tile).toContain(publicKk.lowPrecision);
      else expect(tile).not.toContain(publicKk.lowPrecision);
    }

    // Table toggle: the same numbers as an HTML table; the suppressed row has none.
    const who = page.locator('section[aria-labelledby="who-title"]');
    await who.getByRole('button', { name: publicKk.showTable }).click();
    const table = who.locator('table');
    await table.waitFor();
    expect(await who.locator('.tiles').isVisible()).toBe(false);
    expect(await table.locator('tbody tr').count()).toBe(levels.length);
    for (const l of suppressed) {
      const row = table.locator('tbody tr', { hasText: publicKk.suppressed });
      expect(await row.count()).toBe(suppressed.length);
      expect((await row.first().innerText()).replace(publicKk.suppressed, '')).not.toMatch(/\d/);
      void l;
    }
    const tableText = await table.innerText();
    for (const l of levels.filter((x) => !x.suppressed)) expect(tableText).toContain(dec('kk', l.value as number));
    await who.getByRole('button', { name: publicKk.showTable }).click();
    await who.locator('.tiles').waitFor();

    // Download CSV: the API's CSV form, in the page language.
    const [download] = await Promise.all([page.waitForEvent('download'), who.getByRole('link', { name: publicKk.downloadCsv }).click()]);
    const file = await download.path();
    const csv = fs.readFileSync(file, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    for (const l of levels) expect(csv).toContain(l.label.kk);
    const csvPath = `/api/public/v1/breakdowns?period=${latestQuarter}&by=region&format=csv&lang=kk`;
    expect(requests).toContain(csvPath);
    // The file is the API's CSV byte for byte (decoded keeping the BOM, which fetch's text() drops),
    // under the name the API gives it (its Content-Disposition wins over the link's download name).
    const res = await fetch(baseUrl + csvPath);
    expect(csv).toBe(new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer()));
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${download.suggestedFilename()}"`);
    expect(download.suggestedFilename()).toBe(`kelisim-${latestQuarter}-region-kk.csv`);
  });

  test('groups: dot-and-whisker rows sorted, with the national value; a suppressed group is listed without a number', async () => {
    const { page } = await open();
    await gotoDashboard(page, `?period=${latestQuarter}&by=ethnicity&lang=en`);
    const who = page.locator('section[aria-labelledby="who-title"]');
    await who.locator('svg').first().waitFor();
    const svgLabels = await who.locator('svg [aria-label="y-axis tick label"] text').allTextContents();
    const body = await api<BreakdownBody>(`/breakdowns?period=${latestQuarter}&by=ethnicity`);
    const expected = body.indicators[0].levels.filter((l) => !l.suppressed).sort((a, b) => (b.value as number) - (a.value as number)).map((l) => l.label.en);
    expect(svgLabels.map((s) => s.replace(/ \(.*\)$/, ''))).toEqual(expected);
    const national = (await api<SeriesBody>('/indicators/consensus/series')).waves.find((w) => w.period === latestQuarter)?.value as number;
    expect(await who.innerText()).toContain(publicEn.nationalValue.replace('{value}', dec('en', national)));
    const hidden = body.indicators[0].levels.filter((l) => l.suppressed);
    expect(hidden.length).toBeGreaterThan(0);
    const list = await who.locator('.suppressed-list').innerText();
    for (const l of hidden) expect(list).toContain(`${l.label.en}`);
    expect(list).toContain(publicEn.suppressed);
    expect(list.replaceAll(publicEn.suppressed, '')).not.toMatch(/\d/);
  });

  test('a permalink restores indicator, period, breakdown and language; changing a choice updates the link', async () => {
    const { page } = await open();
    await gotoDashboard(page, '?indicator=mood&period=2026&by=sex&lang=ru');
    const who = page.locator('section[aria-labelledby="who-title"]');
    expect(await who.getByRole('combobox', { name: publicRu.pickIndicator, exact: true }).inputValue()).toBe('mood');
    expect(await who.getByRole('combobox', { name: publicRu.pickPeriod, exact: true }).inputValue()).toBe('2026');
    expect(await who.getByRole('combobox', { name: publicRu.pickBreakdown, exact: true }).inputValue()).toBe('sex');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ru');
    expect(await who.locator('h3').innerText()).toContain(headlines[2].name.ru);
    await who.getByRole('combobox', { name: publicRu.pickBreakdown, exact: true }).selectOption('age');
    await page.waitForFunction(() => location.search.includes('by=age'));
    const link = await page.evaluate(() => location.href);
    const second = await open({ locale: 'en-GB', fresh: true });
    await second.page.goto(link);
    const who2 = second.page.locator('section[aria-labelledby="who-title"]');
    await who2.locator('svg').first().waitFor();
    expect(await who2.getByRole('combobox', { name: publicRu.pickBreakdown, exact: true }).inputValue()).toBe('age');
    expect(await who2.getByRole('combobox', { name: publicRu.pickIndicator, exact: true }).inputValue()).toBe('mood');
    expect(await second.page.evaluate(() => document.documentElement.lang)).toBe('ru');
  });

  test('the trend chart: keyboard reaches every point (value, CI, n); its table and CSV', async () => {
    const { page } = await open({ locale: 'en-GB' });
    await gotoDashboard(page, '?lang=en');
    const series = await api<SeriesBody>('/indicators/consensus/series');
    const chart = page.locator('.chart-focus').first();
    await chart.focus();
    const readout = page.getByTestId('trend-readout').first();
    const seen: string[] = [];
    for (let i = 0; i < series.waves.length + series.years.length; i++) {
      await page.keyboard.press('ArrowRight');
      seen.push(await readout.innerText());
    }
    for (const w of series.waves) {
      const [, q] = w.period.split('-Q');
      const label = `Q${q} ${w.period.slice(0, 4)}: ${dec('en', w.value)} (95 % CI ${dec('en', w.ci95[0], 2)}–${dec('en', w.ci95[1], 2)}), n = ${w.n.toLocaleString('en-GB')}`;
      expect(seen.some((s) => s.startsWith(label)), `${label} in ${seen.join(' / ')}`).toBe(true);
    }
    expect(seen.filter((s) => s.startsWith('Year ')).length).toBe(series.years.length);
    // The keyboard tip is drawn by Plot in the chart.
    expect(await chart.locator('svg').innerHTML()).toContain('tip');
    await page.keyboard.press('Escape');

    // The pointer reaches a point too: hovering the last quarter's dot shows its value, CI and n.
    const dots = chart.locator('svg g[aria-label="dot"][fill="#3a179e"] circle');
    expect(await dots.count()).toBe(series.waves.length);
    const box = await dots.last().boundingBox();
    if (!box) throw new Error('the last quarter has no dot on screen');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const last = series.waves[series.waves.length - 1];
    const tip = chart.locator('svg g[aria-label="tip"]');
    // (Plot puts the tip on two lines; textContent joins them without the line break.)
    await expect.poll(() => tip.last().textContent()).toContain(`${dec('en', last.value)}\u200b(95 % CI ${dec('en', last.ci95[0], 2)}–${dec('en', last.ci95[1], 2)}), n = ${last.n.toLocaleString('en-GB')}`);
    if (SCREEN_CHECKS) await chart.screenshot({ path: path.join(SCREENSHOTS, 'trend-tip-en-1280.png') });

    const frame = page.locator('figure.chart-frame').first();
    await frame.getByRole('button', { name: 'Table' }).click();
    const rows = frame.locator('table').first().locator('tbody tr');
    expect(await rows.count()).toBe(series.waves.length);
    const [download] = await Promise.all([page.waitForEvent('download'), frame.getByRole('link', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('kelisim-consensus-series-en.csv');
    expect(requests).toContain('/api/public/v1/indicators/consensus/series?format=csv&lang=en');
  });

  test('the demo says so on every page', async () => {
    const { page } = await open();
    await gotoDashboard(page, '?lang=kk');
    expect(await page.locator('.demo-banner').innerText()).toBe(publicKk.demoBanner);
    await page.getByRole('link', { name: publicKk.methodLink }).click();
    await page.locator('#method-title').waitFor();
    expect(await page.locator('.demo-banner').innerText()).toBe(publicKk.demoBanner);
  });

  // Served by the contract fixtures, not the database: checked in the SQLite pass only (decision 031).
  if (SCREEN_CHECKS) {
    // States the demo database cannot show, from the contract fixtures.
    test('fixtures: nothing published, an API error with retry, a revised quarter', async () => {
      let failing = false;
      const { page, base } = await open({ fixture: { empty: true }, fresh: true });
      await page.goto(`${base}/?lang=en`);
      await page.getByTestId('empty-state').waitFor();
      expect(await page.getByTestId('empty-state').innerText()).toContain(publicEn.emptyTitle);
      expect(await page.locator('.chart-frame').count()).toBe(0);
      expect(await page.locator('.card').count()).toBe(0);
      expect(await axeProblems(page)).toEqual([]);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'empty-en-1280.png'), fullPage: true });

      failing = true;
      front.options = { failing: () => failing };
      await page.goto(`${base}/?lang=ru`);
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.innerText()).toContain(publicRu.errorTitle);
      expect(await axeProblems(page)).toEqual([]);
      failing = false;
      await alert.getByRole('button', { name: publicRu.retry }).click();
      await page.locator('.card').first().waitFor();
      expect(await page.locator('.card').count()).toBe(3);

      // The revised quarter (fixtures: 2026-Q2) is marked in the trend's keyboard readout.
      await gotoDashboard(page, '?lang=en', base);
      await page.locator('.chart-focus').first().focus();
      const readout = page.getByTestId('trend-readout').first();
      const waves = (fixtures.series.consensus as { waves: unknown[]; years: unknown[] });
      let q2 = '';
      for (let i = 0; i < waves.waves.length + waves.years.length && !q2; i++) {
        await page.keyboard.press('ArrowRight');
        const text = await readout.innerText();
        if (text.startsWith('Q2 2026')) q2 = text;
      }
      expect(q2).toContain(publicEn.revised);
    });
  }

  test('"How it is measured": questions from the questionnaire, the document status, provenance of a period', async () => {
    const { page } = await open();
    const doc = (await api<{ document: { statusNote: Text } }>('/indicators')).document;
    for (const lang of LANGS) {
      await page.goto(`${baseUrl}/?page=method&lang=${lang}`);
      await page.locator('#method-title').waitFor();
      const text = await page.locator('main').innerText();
      expect(text).toContain(CATALOGUES[lang].methodScoringTitle);
      expect(text).toContain(doc.statusNote[lang]);
      const items = page.locator('.questions li');
      expect(await items.count()).toBe(16);
    }
    // en: the questions are the questionnaire's own English wording.
    expect(await page.locator('main').innerText()).toContain('How proud are you to be a citizen of Kazakhstan?');
    const summary = page.locator('.provenance summary').first();
    const [answer] = await Promise.all([page.waitForResponse((r) => /\/api\/public\/v1\/runs\/\d+$/.test(new URL(r.url()).pathname)), summary.click()]);
    const details = page.locator('.provenance details').first();
    await details.locator('> dl').waitFor();
    const run = await api<{ frame: { name: string }; sample: { completes: number } }>(new URL(answer.url()).pathname.replace('/api/public/v1', ''));
    expect(await details.innerText()).toContain(run.frame.name);
    expect(await details.innerText()).toContain(run.sample.completes.toLocaleString('en-GB'));
  });

  // Engine-independent (the built client's scripts, the screens in every language and width, print):
  // checked in the SQLite pass only (decision 031).
  if (SCREEN_CHECKS) {
    test('the dashboard does not load the survey code', async () => {
      const { page } = await open();
      const scripts: string[] = [];
      page.on('request', (r) => {
        if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
      });
      await gotoDashboard(page);
      expect(scripts.length).toBeGreaterThan(0);
      expect(scripts.filter((s) => s.includes('respond'))).toEqual([]);
    });

    const VIEWS = [360, 1280].flatMap((width) => LANGS.map((lang) => ({ width, lang })));
    test.each(VIEWS)('axe: 0 serious/critical on every view; screenshots; no sideways scroll at 360 ($lang, $width px)', { timeout: 90_000 }, async ({ width, lang }) => {
      {
        const { page } = await open({ width });
        {
          const t = CATALOGUES[lang];
          await gotoDashboard(page, `?lang=${lang}`);
          expect(await axeProblems(page), `dashboard ${lang} ${width}`).toEqual([]);
          if (width === 360) expect(await horizontalOverflow(page)).toBe(0);
          await page.screenshot({ path: path.join(SCREENSHOTS, `dashboard-${lang}-${width}.png`), fullPage: true });
          // Axe's full pass over the other views once per language, at desktop width (the phone
          // layout is the same markup; its checks are the main view's axe run and the overflow).
          if (width === 1280) {
            // Every table toggled on.
            for (const button of await page.getByRole('button', { name: t.showTable }).all()) await button.click();
            expect(await axeProblems(page), `tables ${lang} ${width}`).toEqual([]);
          }
          // A group breakdown.
          await gotoDashboard(page, `?lang=${lang}&by=age&period=2026`);
          await page.locator('section[aria-labelledby="who-title"] svg').first().waitFor();
          if (width === 1280) expect(await axeProblems(page), `groups ${lang} ${width}`).toEqual([]);
          await page.locator('section[aria-labelledby="who-title"]').screenshot({ path: path.join(SCREENSHOTS, `groups-${lang}-${width}.png`) });
          // The method page, with a provenance opened.
          await page.goto(`${baseUrl}/?page=method&lang=${lang}`);
          await page.locator('#method-title').waitFor();
          await page.locator('.provenance summary').first().click();
          await page.locator('.provenance dl').first().waitFor();
          if (width === 1280) expect(await axeProblems(page), `method ${lang} ${width}`).toEqual([]);
          if (width === 360) expect(await horizontalOverflow(page)).toBe(0);
          await page.screenshot({ path: path.join(SCREENSHOTS, `method-${lang}-${width}.png`), fullPage: true });
        }
      }
    });

    test('print: A4, no navigation chrome or controls', async () => {
      const { page } = await open();
      await gotoDashboard(page, '?lang=en');
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('.shell__header').isVisible()).toBe(false);
      expect(await page.locator('.controls').isVisible()).toBe(false);
      await page.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi, to look at
      await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-en-print.png'), fullPage: true });
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      fs.writeFileSync(path.join(SCREENSHOTS, 'dashboard-en-a4.pdf'), pdf);
      expect(pdf.length).toBeGreaterThan(10_000);
    });
  }
});
