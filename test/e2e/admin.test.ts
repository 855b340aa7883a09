// A researcher's day in the console, in a real Chromium against the real server (the console API
// of issue 8 over a real SQLite file, the official questionnaire, the built client): the first
// sign-in with the one-time password `kelisim user create` prints, a new password, opening a wave,
// its QR code, invitations downloaded once, quotas, a past wave with field interviews imported, a
// population frame, a run computed as a job, its review checked against the API's numbers,
// publishing (seen by the public API), withdrawing with a reason, and every change in the audit
// log. Each page is checked with axe and screenshotted (test-artifacts/admin-day/).
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { adminEn } from '../../client/admin/messages-en';
import { createApp } from '../../server/app';
import { createUser } from '../../server/auth/service';
import { sql as q } from 'drizzle-orm';
import { waves } from '../../server/db/schema';
import { quotaFill } from '../../server/quotas/service';
import { loadOfficialSurvey, loadTargets } from '../../server/surveys/bootstrap';
import { OFFICIAL_SURVEYS_DIR, REPO_ROOT } from '../helpers/app';
import { createTestStore, type TestStore } from '../helpers/store';
import { REFERENCE_DIR, writeReferenceImport } from '../server/runs/reference-import';
import { axeProblems } from './axe';
import { horizontalOverflow, openBrowser, type Browser } from './browser';

const CLIENT_DIR = process.env.KELISIM_E2E_CLIENT_DIR ?? path.join(REPO_ROOT, 'dist/client');
const SCREENSHOTS = process.env.KELISIM_SCREENSHOTS ? path.join(process.env.KELISIM_SCREENSHOTS, 'admin-day') : path.join(REPO_ROOT, 'test-artifacts/admin-day');
const t = adminEn;
const EMAIL = 'aigerim@example.kz';
const NEW_PASSWORD = 'steppe wind over the river';

let testStore: TestStore;
let server: Server;
let baseUrl: string;
let browser: Browser;
let page: Page;
let oneTimePassword: string;
let tmp: string;
const internalErrors: unknown[] = [];

beforeAll(async () => {
  if (!fs.existsSync(path.join(CLIENT_DIR, 'index.html'))) throw new Error(`The client is not built (${CLIENT_DIR}/index.html missing): run \`npx vite build\` (npm test does).`);
  // A database of its own on the engine KELISIM_TEST_DB names (SQLite or PostgreSQL).
  testStore = await createTestStore();
  const { store } = testStore;
  await loadOfficialSurvey(store, OFFICIAL_SURVEYS_DIR);
  await loadTargets(store, OFFICIAL_SURVEYS_DIR);
  ({ oneTimePassword } = await createUser(store, EMAIL, 'researcher', 'cli:test'));
  const app = createApp({ db: testStore.db, store, dbFile: testStore.location.file, config: { bodyLimitBytes: 64 * 1024, staticDir: CLIENT_DIR }, logError: (_m, e) => internalErrors.push(e) });
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-admin-day-'));
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await openBrowser({ locale: 'en-GB', width: 1280, height: 900 });
  page = browser.page;
  page.on('pageerror', (err) => internalErrors.push(err));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await testStore?.cleanup();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** axe, then a screenshot at 1280 px and one at 360 px (with no sideways scroll there). */
async function check(name: string): Promise<void> {
  expect(await axeProblems(page), name).toEqual([]);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-en-1280.png`), fullPage: true });
  await page.setViewportSize({ width: 360, height: 740 });
  expect(await horizontalOverflow(page), `${name} scrolls sideways at 360 px`).toBe(0);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-en-360.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** A GET of the console API from the signed-in page (its cookie), as JSON. */
function api<T>(urlPath: string): Promise<T> {
  return page.evaluate(async (p) => (await fetch(`/api/admin${p}`, { headers: { Accept: 'application/json' } })).json(), urlPath) as Promise<T>;
}

const nav = (name: string) => page.getByRole('navigation', { name: t.navLabel }).getByRole('link', { name, exact: true });

describe("a researcher's day in the console", () => {
  let pastWaveId: number;
  let runId: number;

  test('first sign-in with the one-time password, then a password of her own', async () => {
    await page.goto(`${baseUrl}/admin`);
    await page.getByRole('heading', { name: t.loginTitle }).waitFor();
    await page.getByLabel(t.fieldEmail).fill(EMAIL);
    await page.getByLabel(t.fieldPassword).fill('not the password');
    await page.getByRole('button', { name: t.signIn, exact: true }).click();
    await page.getByRole('alert').filter({ hasText: t.error_invalid_credentials }).waitFor();
    await page.getByLabel(t.fieldPassword).fill(oneTimePassword);
    await page.getByRole('button', { name: t.signIn, exact: true }).click();
    await page.getByRole('heading', { name: t.firstLoginTitle }).waitFor();
    await check('first-login');
    await page.getByLabel(t.fieldOneTimePassword).fill(oneTimePassword);
    await page.getByLabel(t.fieldNewPassword, { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel(t.fieldRepeatPassword).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: t.savePassword }).click();
    await page.getByRole('heading', { name: t.wavesTitle, level: 1 }).waitFor();
  });

  test('opens a wave: its link and QR code, live counts; creates invitations downloaded once', async () => {
    await page.getByRole('button', { name: t.openWave }).click();
    await page.getByRole('heading', { name: /^Wave / , level: 1 }).waitFor();
    const waveId = Number(/\/admin\/waves\/(\d+)/.exec(page.url())?.[1]);
    expect(waveId).toBeGreaterThan(0);
    const link = await api<{ url: string }>(`/waves/${waveId}/link`);
    await page.getByRole('link', { name: link.url }).waitFor();
    const qr = page.getByRole('img', { name: /QR code/ });
    await qr.waitFor();
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);

    await page.getByLabel(t.fieldInvitationCount).fill('20');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: t.createInvitations }).click()]);
    const lines = fs.readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
    expect(lines).toHaveLength(21);
    const tokens = lines.slice(1).map((l) => l.split(',').at(-1));
    expect(new Set(tokens).size).toBe(20);
    await page.getByText(/20 created · 0 used/).waitFor();
    expect((await api<{ total: number }>(`/waves/${waveId}/invitations`)).total).toBe(20);
    await check('wave');
    await nav(t.navWaves).click();
    await page.getByRole('cell', { name: t.waveOpen }).waitFor();
    await check('waves');
  });

  test('quotas: the grid of the open wave, a target saved, stored by the quotas service', async () => {
    await nav(t.navQuotas).click();
    await page.getByRole('heading', { name: t.quotasTitle, level: 1 }).waitFor();
    await page.getByLabel('Target: Astana (city), Women, 18-29').fill('25');
    await page.getByRole('button', { name: t.saveQuotas }).click();
    await page.getByText(t.quotasSaved).waitFor();
    await page.getByText('0/25').waitFor();
    const open = (await testStore.store.sql.get<{ id: number }>(q`SELECT ${waves.id} AS "id" FROM ${waves} WHERE ${waves.status} = 'open'`))!.id;
    expect((await quotaFill(testStore.store.sql, open)).cells.filter((c) => c.target > 0)).toEqual([expect.objectContaining({ sex: 'f', ageBand: '18-29', target: 25, reserved: 0, completed: 0 })]);
    await check('quotas');
  });

  test('a past wave with field interviews imported (a wrong file first: nothing stored, rows listed)', async () => {
    await nav(t.navWaves).click();
    await page.getByLabel(t.fieldPeriod, { exact: true }).fill('2025-Q2');
    await page.getByRole('button', { name: t.createWave }).click();
    await page.getByRole('heading', { name: /^Wave / , level: 1 }).waitFor();
    pastWaveId = Number(/\/admin\/waves\/(\d+)/.exec(page.url())?.[1]);
    await page.getByRole('link', { name: t.navImports }).last().click();
    await page.getByRole('heading', { name: t.importsTitle, level: 1 }).waitFor();
    expect(new URL(page.url()).searchParams.get('wave')).toBe(String(pastWaveId));

    const file = path.join(tmp, 'interviews.csv');
    const rows = writeReferenceImport('raking-a', file);
    const bad = path.join(tmp, 'bad.csv');
    fs.writeFileSync(bad, fs.readFileSync(file, 'utf8').replace(/\n([^,\n]+),true,/, '\n$1,maybe,'));
    await page.getByLabel(t.fieldCsvFile).setInputFiles(bad);
    await page.getByRole('button', { name: t.importInterviews, exact: true }).click();
    const report = page.getByRole('table', { name: /^Nothing was stored/ });
    await report.waitFor();
    expect(await report.getByRole('row').count()).toBeGreaterThan(1);
    await check('import-refused');
    expect((await api<{ counts: { started: number } }>(`/waves/${pastWaveId}`)).counts.started).toBe(0);

    await page.getByLabel(t.fieldCsvFile).setInputFiles(file);
    await page.getByRole('button', { name: t.importInterviews, exact: true }).click();
    await page.getByRole('status').filter({ hasText: `Imported: ${rows.toLocaleString('en-GB')} rows read` }).waitFor({ timeout: 60_000 });
    expect((await api<{ counts: { started: number } }>(`/waves/${pastWaveId}`)).counts.started).toBe(rows);
  }, 120_000);

  test('loads a population frame', async () => {
    await page.getByLabel(t.fieldFrameName, { exact: true }).fill('ref-a');
    await page.getByLabel(t.fieldSource, { exact: true }).fill('R reference margins');
    await page.getByLabel(t.fieldReferenceDate, { exact: true }).fill('2021-10-01');
    await page.getByLabel(t.fieldIllustrative).check();
    await page.getByLabel(t.fieldFrameFile).setInputFiles(path.join(REFERENCE_DIR, 'raking-a', 'margins.csv'));
    await page.getByRole('button', { name: t.uploadFrame }).click();
    await page.getByRole('status').filter({ hasText: 'Frame ref-a loaded' }).waitFor({ timeout: 30_000 });
    await page.getByRole('cell', { name: /ref-a/ }).waitFor();
    await check('imports');
  });

  test('computes a run (progress shown), and its review shows the numbers the API computed', async () => {
    await nav(t.navRuns).click();
    await page.getByLabel(t.fieldWave).selectOption(String(pastWaveId));
    await page.getByLabel(t.fieldFrame, { exact: true }).selectOption({ label: `ref-a (${t.illustrative})` });
    for (const flag of [t.flag_speeder, t.flag_straightliner, t.flag_incomplete]) await page.getByLabel(flag).uncheck();
    await page.getByRole('button', { name: t.compute, exact: true }).click();
    await page.waitForURL(/\/admin\/runs\/\d+$/, { timeout: 120_000 });
    runId = Number(/\/admin\/runs\/(\d+)/.exec(page.url())?.[1]);
    await page.getByRole('heading', { name: t.indicatorsTitle }).waitFor();
    const run = await api<{ indicators: { id: string; estimate: number; lower: number; upper: number }[]; diagnostics: { kishN: number }; used: number }>(`/runs/${runId}`);
    const table = page.getByRole('table', { name: t.indicatorsCaption });
    for (const i of run.indicators) {
      const row = table.getByRole('row').filter({ hasText: t[`indicator_${i.id}` as keyof typeof t] });
      // An oracle independent of the page's formatting: one decimal, en's point.
      await row.getByRole('cell', { name: i.estimate.toFixed(1), exact: true }).waitFor();
      await row.getByRole('cell', { name: `${i.lower.toFixed(2)}–${i.upper.toFixed(2)}`, exact: true }).waitFor();
    }
    await page.getByText(Math.round(run.diagnostics.kishN).toLocaleString('en-GB'), { exact: true }).waitFor();
    await page.getByText(/converged in \d+ iterations/).waitFor();
    await page.getByRole('table', { name: t.marginCellsCaption }).waitFor();
    await page.getByRole('table', { name: /^Indicators by / }).waitFor();
    await check('run');
  }, 180_000);

  test('publishes it (the public API shows it), then withdraws it with a written reason', async () => {
    await page.getByRole('button', { name: t.publish, exact: true }).click();
    await page.getByRole('button', { name: t.publishYes }).click();
    await page.getByRole('status').filter({ hasText: t.publishedNow }).waitFor();
    const publicRun = await fetch(`${baseUrl}/api/public/v1/runs/${runId}`);
    expect(publicRun.status).toBe(200);
    const periods = (await (await fetch(`${baseUrl}/api/public/v1/periods`)).json()) as { periods: { period: string }[] };
    expect(periods.periods.map((p) => p.period)).toContain('2025-Q2');
    await page.goto(`${baseUrl}/?lang=en`);
    await page.locator('.card').first().waitFor();
    await page.goto(`${baseUrl}/admin/runs/${runId}`);

    await page.getByRole('button', { name: t.withdraw, exact: true }).click();
    await page.getByRole('button', { name: t.withdrawYes }).click();
    await page.getByText(t.issueMinLength.replace('{n}', '5')).waitFor();
    await page.getByLabel(t.fieldWithdrawReason).fill('The frame figures were revised by the statistics bureau.');
    await page.getByRole('button', { name: t.withdrawYes }).click();
    await page.getByRole('status').filter({ hasText: t.withdrawnNow }).waitFor();
    expect((await fetch(`${baseUrl}/api/public/v1/runs/${runId}`)).status).not.toBe(200);
  });

  test('the responses table pages by keyset with filters in the URL; one response with its texts', async () => {
    await nav(t.navResponses).click();
    await page.getByLabel(t.fieldWave).selectOption(String(pastWaveId));
    await page.getByLabel(t.colMode).selectOption('papi');
    await expect.poll(() => new URL(page.url()).searchParams.get('mode')).toBe('papi');
    const first = await page.getByRole('table', { name: t.responsesCaption }).getByRole('link').first().textContent();
    await page.getByRole('button', { name: t.pagerNext }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('cursor')).not.toBe(null);
    await page.getByRole('button', { name: t.pagerPrevious }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('cursor')).toBe(null);
    await check('responses');
    await page.getByRole('link', { name: first ?? '' }).first().click();
    await page.getByRole('heading', { name: t.answersTitle }).waitFor();
    expect(await page.locator('.admin-answers div').count()).toBeGreaterThan(5);
    await check('response');
  });

  test('the audit log lists the day under her name, filterable', async () => {
    await nav(t.navAudit).click();
    await page.getByRole('heading', { name: t.auditTitle, level: 1 }).waitFor();
    await page.getByLabel(t.colAction).fill('run.publish');
    await page.getByRole('button', { name: t.applyFilters }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('action')).toBe('run.publish');
    const table = page.getByRole('table', { name: t.auditCaption });
    await table.getByRole('cell', { name: 'run.publish' }).first().waitFor();
    expect(await table.getByRole('row').count()).toBe(2);
    await check('audit');
    expect(internalErrors).toEqual([]);
  });
});
