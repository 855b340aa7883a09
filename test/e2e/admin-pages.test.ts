// The console's pages in a real Chromium over contract-checked fixtures (admin-fixtures.ts): every
// page in kk/ru/en at 360 and 1280 px, screenshotted into test-artifacts/admin-screenshots and
// checked with axe (0 serious/critical), with no sideways scroll on a phone; the sign-in, the
// first-login password, a viewer's read-only console, keyboard navigation, the CSRF header on every
// write, a refused import's report and the one-time invitations download. The researcher's day
// against the real server and database is test/e2e/admin.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { adminEn } from '../../client/admin/messages-en';
import { adminKk } from '../../client/admin/messages-kk';
import { adminRu } from '../../client/admin/messages-ru';
import { CSRF_HEADER } from '../../contract/admin-api';
import { REPO_ROOT } from '../helpers/app';
import { startAdminFixtures, type FixtureState } from './admin-fixtures';
import { axeProblems } from './axe';
import { horizontalOverflow, openBrowser, type Browser } from './browser';

const CLIENT_DIR = process.env.KELISIM_E2E_CLIENT_DIR ?? path.join(REPO_ROOT, 'dist/client');
const SCREENSHOTS = process.env.KELISIM_SCREENSHOTS ?? path.join(REPO_ROOT, 'test-artifacts/admin-screenshots');
const T = { kk: adminKk, ru: adminRu, en: adminEn } as const;
type Lang = keyof typeof T;
const BROWSER_LOCALE: Record<Lang, string> = { kk: 'kk-KZ', ru: 'ru-RU', en: 'en-GB' };
const PASSWORD = 'correct horse battery';

let fixtures: Awaited<ReturnType<typeof startAdminFixtures>>;
let state: FixtureState;
let browser: Browser | undefined;

beforeAll(async () => {
  if (!fs.existsSync(path.join(CLIENT_DIR, 'index.html'))) throw new Error(`The client is not built (${CLIENT_DIR}/index.html missing): run \`npx vite build\` (npm test does).`);
  fixtures = await startAdminFixtures(CLIENT_DIR);
  state = fixtures.state;
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  console.log(`console screenshots: ${SCREENSHOTS}`);
});

afterAll(async () => {
  await browser?.close();
  await fixtures?.close();
});

async function open(lang: Lang, width: number): Promise<Page> {
  await browser?.close();
  browser = await openBrowser({ locale: BROWSER_LOCALE[lang], width, height: 900 });
  return browser.page;
}

async function signIn(page: Page, lang: Lang): Promise<void> {
  await page.goto(`${fixtures.baseUrl}/admin`);
  await page.getByRole('heading', { name: T[lang].loginTitle }).waitFor();
  await page.getByLabel(T[lang].fieldEmail).fill('aigerim@example.kz');
  await page.getByLabel(T[lang].fieldPassword).fill(PASSWORD);
  await page.getByRole('button', { name: T[lang].signIn, exact: true }).click();
  await page.getByRole('heading', { name: T[lang].wavesTitle, level: 1 }).waitFor();
}

/** Each page: its path and the heading that says it has loaded. */
const PAGES: { name: string; path: string; heading: (t: (typeof T)[Lang]) => string | RegExp }[] = [
  { name: 'waves', path: '/admin', heading: (t) => t.wavesTitle },
  { name: 'wave', path: '/admin/waves/2', heading: (t) => new RegExp(t.waveTitle.replace('{name}', '.*')) },
  { name: 'quotas', path: '/admin/quotas?wave=2', heading: (t) => t.quotasTitle },
  { name: 'responses', path: '/admin/responses', heading: (t) => t.responsesTitle },
  { name: 'response', path: '/admin/responses/0f8fad5b-d9cb-469f-a165-708677289501', heading: (t) => new RegExp(t.responseTitle.replace('{id}', '0f8fad5b')) },
  { name: 'imports', path: '/admin/imports', heading: (t) => t.importsTitle },
  { name: 'runs', path: '/admin/runs', heading: (t) => t.runsTitle },
  { name: 'run', path: '/admin/runs/7', heading: (t) => new RegExp(t.runTitle.replace('{id}', '7').replace('{period}', '2026-Q3')) },
  { name: 'audit', path: '/admin/audit', heading: (t) => t.auditTitle },
  { name: 'users', path: '/admin/users', heading: (t) => t.usersTitle },
];

describe('console pages over the contract fixtures', () => {
  const VIEWS = (['kk', 'ru', 'en'] as const).flatMap((lang) => [360, 1280].map((width) => ({ lang, width })));
  test.each(VIEWS)('every page: axe 0 serious/critical, no sideways scroll, screenshot ($lang, $width px)', { timeout: 180_000 }, async ({ lang, width }) => {
    state.signedIn = false;
    state.role = 'admin';
    state.mustChangePassword = false;
    const page = await open(lang, width);
    await page.goto(`${fixtures.baseUrl}/admin`);
    await page.getByRole('heading', { name: T[lang].loginTitle }).waitFor();
    expect(await axeProblems(page), `login ${lang} ${width}`).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, `login-${lang}-${width}.png`), fullPage: true });
    await signIn(page, lang);
    for (const p of PAGES) {
      await page.goto(fixtures.baseUrl + p.path);
      await page.getByRole('heading', { name: p.heading(T[lang]), level: 1 }).waitFor();
      await page.getByText(T[lang].loading, { exact: true }).first().waitFor({ state: 'detached' }).catch(() => undefined);
      expect(await axeProblems(page), `${p.name} ${lang} ${width}`).toEqual([]);
      if (width === 360) expect(await horizontalOverflow(page), `${p.name} scrolls sideways at 360 px`).toBe(0);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${p.name}-${lang}-${width}.png`), fullPage: true });
    }
  });
});

describe('sign-in and accounts', () => {
  test('a wrong password is said in the page language; the right one opens the console; sign-out ends it', async () => {
    state.signedIn = false;
    state.role = 'researcher';
    const page = await open('ru', 1280);
    await page.goto(`${fixtures.baseUrl}/admin/runs`);
    await page.getByLabel(adminRu.fieldEmail).fill('aigerim@example.kz');
    await page.getByLabel(adminRu.fieldPassword).fill('wrong password here');
    await page.getByRole('button', { name: adminRu.signIn, exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain(adminRu.error_invalid_credentials);
    await page.getByLabel(adminRu.fieldPassword).fill(PASSWORD);
    await page.getByRole('button', { name: adminRu.signIn, exact: true }).click();
    // The address asked for is kept: the runs page opens, not the default.
    await page.getByRole('heading', { name: adminRu.runsTitle, level: 1 }).waitFor();
    await page.getByRole('button', { name: adminRu.signOut }).click();
    await page.getByRole('heading', { name: adminRu.loginTitle }).waitFor();
    expect(state.signedIn).toBe(false);
  });

  test('the form checks with the contract schema before sending: an e-mail without @ is refused on the page', async () => {
    state.signedIn = false;
    const page = await open('kk', 360);
    await page.goto(`${fixtures.baseUrl}/admin`);
    const writes = state.writes.length;
    await page.getByLabel(adminKk.fieldEmail).fill('aigerim');
    await page.getByRole('button', { name: adminKk.signIn, exact: true }).click();
    await page.getByText(adminKk.issueEmail).waitFor();
    expect(await page.getByLabel(adminKk.fieldEmail).getAttribute('aria-invalid')).toBe('true');
    expect(state.writes.length).toBe(writes);
  });

  test('first sign-in with a one-time password: the console asks for a new one first (a weak one is refused in words)', async () => {
    state.signedIn = true;
    state.mustChangePassword = true;
    const page = await open('en', 1280);
    await page.goto(`${fixtures.baseUrl}/admin`);
    await page.getByRole('heading', { name: adminEn.firstLoginTitle }).waitFor();
    await page.getByLabel(adminEn.fieldOneTimePassword).fill('tZ4k-9PqX-2mWv');
    await page.getByLabel(adminEn.fieldNewPassword, { exact: true }).fill('short');
    await page.getByLabel(adminEn.fieldRepeatPassword).fill('short');
    await page.getByRole('button', { name: adminEn.savePassword }).click();
    await page.getByText(adminEn.issueMinLength.replace('{n}', '12')).waitFor();
    await page.getByLabel(adminEn.fieldNewPassword, { exact: true }).fill('password1234');
    await page.getByLabel(adminEn.fieldRepeatPassword).fill('password1234');
    await page.getByRole('button', { name: adminEn.savePassword }).click();
    await page.getByText(adminEn.error_weak_password).waitFor();
    expect(await axeProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'first-login-en-1280.png'), fullPage: true });
    await page.getByLabel(adminEn.fieldNewPassword, { exact: true }).fill('a long river in the steppe');
    await page.getByLabel(adminEn.fieldRepeatPassword).fill('a long river in the steppe');
    await page.getByRole('button', { name: adminEn.savePassword }).click();
    await page.getByRole('heading', { name: adminEn.wavesTitle, level: 1 }).waitFor();
    const change = state.writes.at(-1)!;
    expect(change.path).toBe('/password');
    expect(change.csrf).toBe('fixture-csrf-token');
  });
});

describe('roles and keyboard', () => {
  test('a viewer sees everything and no control that changes anything', async () => {
    state.signedIn = true;
    state.mustChangePassword = false;
    state.role = 'viewer';
    const page = await open('en', 1280);
    await page.goto(`${fixtures.baseUrl}/admin`);
    await page.getByRole('heading', { name: adminEn.wavesTitle, level: 1 }).waitFor();
    await page.getByRole('cell', { name: 'Wave 2026-Q4' }).waitFor();
    expect(await page.getByRole('button', { name: adminEn.openWave }).count()).toBe(0);
    expect(await page.getByRole('link', { name: adminEn.navUsers }).count()).toBe(0);
    await page.goto(`${fixtures.baseUrl}/admin/waves/2`);
    await page.getByText(/312/).first().waitFor();
    expect(await page.getByRole('button', { name: adminEn.closeWave }).count()).toBe(0);
    expect(await page.getByRole('button', { name: adminEn.createInvitations }).count()).toBe(0);
    await page.goto(`${fixtures.baseUrl}/admin/quotas?wave=2`);
    await page.getByText('25/25').waitFor();
    expect(await page.getByRole('textbox').count()).toBe(0);
    await page.goto(`${fixtures.baseUrl}/admin/responses/0f8fad5b-d9cb-469f-a165-708677289501`);
    await page.getByText(adminEn.flagWhy_speeder).waitFor();
    expect(await page.getByRole('button', { name: adminEn.overrule }).count()).toBe(0);
    await page.goto(`${fixtures.baseUrl}/admin/runs/7`);
    await page.getByRole('heading', { name: adminEn.indicatorsTitle }).waitFor();
    expect(await page.getByRole('button', { name: adminEn.publish }).count()).toBe(0);
    expect(await page.getByRole('button', { name: adminEn.compute }).count()).toBe(0);
    // A viewer may download the run's results and the data with its weights (GET /runs/:id/export, run=).
    expect(await page.getByRole('link', { name: adminEn.exportRunEstimates }).getAttribute('href')).toBe('/api/admin/runs/7/export?format=csv&lang=en&part=estimates');
    expect(await page.getByRole('link', { name: adminEn.exportRunXlsx }).getAttribute('href')).toBe('/api/admin/runs/7/export?format=xlsx&lang=en');
    expect(await page.getByRole('link', { name: 'SPSS' }).getAttribute('href')).toMatch(/^\/api\/admin\/waves\/\d+\/export\?format=sav&.*&run=7$/);
  });

  test('the console is usable from the keyboard: the navigation, a filter, the pager', async () => {
    Object.assign(state, { signedIn: true, role: 'researcher', mustChangePassword: false });
    const page = await open('en', 1280);
    await page.goto(`${fixtures.baseUrl}/admin`);
    await page.getByRole('heading', { name: adminEn.wavesTitle, level: 1 }).waitFor();
    // Tab from the top of the page to "Responses" in the navigation and follow it with Enter.
    let reached = false;
    for (let i = 0; i < 15 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate((name) => document.activeElement?.textContent === name, adminEn.navResponses);
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: adminEn.responsesTitle, level: 1 }).waitFor();
    await page.getByRole('link', { name: '0f8fad5b' }).first().waitFor();
    await page.getByLabel(adminEn.colStatus).focus();
    await page.keyboard.press('ArrowDown'); // Chromium's <select> changes its value with the arrow keys
    await expect.poll(() => new URL(page.url()).searchParams.get('status')).toBe('partial');
    await page.getByRole('button', { name: adminEn.pagerNext }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('cursor')).toBe('page2');
    await page.getByRole('button', { name: adminEn.pagerPrevious }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('cursor')).toBe(null);
    expect(new URL(page.url()).searchParams.get('status')).toBe('partial');
  });
});

describe('actions', () => {
  test('invitations: created with the CSRF header, downloaded once as CSV, with the warning shown first', async () => {
    Object.assign(state, { signedIn: true, role: 'researcher', mustChangePassword: false });
    const page = await open('kk', 360);
    await page.goto(`${fixtures.baseUrl}/admin/waves/2`);
    await page.getByText(adminKk.invitationsWarning).waitFor();
    await page.getByLabel(adminKk.fieldInvitationCount).fill('0');
    await page.getByRole('button', { name: adminKk.createInvitations }).click();
    await page.getByText(adminKk.issueMin.replace('{n}', '1')).waitFor();
    await page.getByLabel(adminKk.fieldInvitationCount).fill('25');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: adminKk.createInvitations }).click()]);
    expect(download.suggestedFilename()).toBe('kelisim-wave-2-invitations.csv');
    const file = await download.path();
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('invitation_id,link');
    expect(lines).toHaveLength(26);
    const write = state.writes.find((w) => w.path === '/waves/2/invitations')!;
    expect(write.csrf).toBe('fixture-csrf-token');
    expect(write.body).toEqual({ count: 25 });
    await page.getByRole('status').filter({ hasText: 'kelisim-wave-2-invitations.csv' }).waitFor();
  });

  test('a refused import lists every row at fault; nothing is said to be stored', async () => {
    Object.assign(state, { signedIn: true, role: 'researcher', mustChangePassword: false });
    const page = await open('ru', 1280);
    await page.goto(`${fixtures.baseUrl}/admin/imports?wave=1`);
    await page.getByLabel(adminRu.fieldCsvFile).setInputFiles({ name: 'field.csv', mimeType: 'text/csv', buffer: Buffer.from('id,region\n1,KZ-99\n') });
    await page.getByRole('button', { name: adminRu.importInterviews, exact: true }).click();
    const report = page.getByRole('table', { name: adminRu.importRefused.replace('{n}', '2') });
    await report.waitFor();
    expect(await report.getByRole('row').count()).toBe(3);
    await report.getByRole('cell', { name: 'KZ-99 is not a region code' }).waitFor();
    const write = state.writes.find((w) => w.path === '/waves/1/imports')!;
    expect(write.csrf).toBe('fixture-csrf-token');
    expect(write.body).toBe('id,region\n1,KZ-99\n');
    expect(await axeProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'import-refused-ru-1280.png'), fullPage: true });
  });

  test('overruling a flag needs a written reason, sent with the CSRF header', async () => {
    Object.assign(state, { signedIn: true, role: 'researcher', mustChangePassword: false });
    const page = await open('en', 1280);
    await page.goto(`${fixtures.baseUrl}/admin/responses/0f8fad5b-d9cb-469f-a165-708677289501`);
    await page.getByRole('button', { name: adminEn.overrule }).click();
    await page.getByRole('button', { name: adminEn.overruleSave }).click();
    await page.getByText(adminEn.issueMinLength.replace('{n}', '5')).waitFor();
    await page.getByLabel(adminEn.fieldOverruleReason).fill('The interviewer confirmed the respondent read every question.');
    await page.getByRole('button', { name: adminEn.overruleSave }).click();
    await page.getByText(/Overruled by user:1/).waitFor();
    const write = state.writes.find((w) => w.path.endsWith('/flags/speeder/overrule'))!;
    expect(write.csrf).toBe('fixture-csrf-token');
    expect(write.body).toEqual({ reason: 'The interviewer confirmed the respondent read every question.' });
  });

  test('a server refusal names what to fix (a past wave whose period exists)', async () => {
    Object.assign(state, { signedIn: true, role: 'researcher', mustChangePassword: false });
    const page = await open('en', 1280);
    await page.goto(`${fixtures.baseUrl}/admin`);
    await page.getByLabel(adminEn.fieldPeriod, { exact: true }).fill('2026-3');
    await page.getByRole('button', { name: adminEn.createWave }).click();
    await page.getByText(adminEn.issueFormat).waitFor();
    await page.getByLabel(adminEn.fieldPeriod, { exact: true }).fill('2026-Q3');
    await page.getByRole('button', { name: adminEn.createWave }).click();
    await page.getByRole('alert').filter({ hasText: 'already exists (wave 1): import into it instead' }).waitFor();
  });

  test('a computation still running is shown with its progress when the runs page is opened again', async () => {
    Object.assign(state, { signedIn: true, role: 'researcher', mustChangePassword: false });
    const page = await open('kk', 1280);
    await page.goto(`${fixtures.baseUrl}/admin/runs`);
    const bar = page.getByRole('progressbar', { name: /4-есептеу/ });
    await bar.waitFor();
    expect(await bar.evaluate((el: HTMLProgressElement) => el.value)).toBeCloseTo(0.4);
    await page.getByText(/40,0%/).waitFor();
  });

  test('a running computation shows its stage and a progress bar with the percentage, in the page language', async () => {
    Object.assign(state, { signedIn: true, role: 'researcher', mustChangePassword: false });
    const page = await open('kk', 360);
    await page.goto(`${fixtures.baseUrl}/admin/runs`);
    await page.getByRole('heading', { name: adminKk.runsTitle, level: 1 }).waitFor();
    // The fixture's job: running, stage 'weighting', progress 0.4.
    const bar = page.getByRole('progressbar', { name: new RegExp(adminKk.jobStage_weighting) });
    await bar.waitFor();
    expect(await bar.getAttribute('value')).toBe('0.4');
    expect(await page.locator('label[for="job-4"]').textContent()).toMatch(/40[,.]0\s?%/);
  });

  test('a session that ends (401) brings the sign-in page back, on any page', async () => {
    Object.assign(state, { signedIn: true, role: 'researcher', mustChangePassword: false });
    const page = await open('en', 1280);
    await page.goto(`${fixtures.baseUrl}/admin/audit`);
    await page.getByRole('heading', { name: adminEn.auditTitle, level: 1 }).waitFor();
    state.signedIn = false;
    await page.getByLabel(adminEn.colAction).fill('wave.close');
    await page.getByRole('button', { name: adminEn.applyFilters }).click();
    await page.getByRole('heading', { name: adminEn.loginTitle }).waitFor();
    expect(new URL(page.url()).searchParams.get('action')).toBe('wave.close');
    expect(CSRF_HEADER).toBe('X-CSRF-Token');
  });
});
