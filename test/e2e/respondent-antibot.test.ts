// The open link's protection as a respondent meets it (issue 14, docs/decisions/021), in a real
// Chromium on a 360-px phone against the real server app with the protection ON: the proof of work
// is solved in the background and the survey completes (the time it took and the time anyone
// waited for it are printed); opening the link again says "you have already taken part"; over the
// limit, the respondent gets a polite message and keeps the answers. kk/ru/en, 360 and 1280 px.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { sql as q } from 'drizzle-orm';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { responses, responseSignals } from '../../server/db/schema';
import { agentFrom, requestFrom, solvedPow } from '../helpers/antibot';
import { OFFICIAL_SURVEYS_DIR, REPO_ROOT, startTestApp, type TestApp } from '../helpers/app';
import { choose, horizontalOverflow, openBrowser, pick, question, type Browser } from './browser';
import { journeyLanguages, SCREEN_CHECKS } from './engine-pass';

const CLIENT_DIR = process.env.KELISIM_E2E_CLIENT_DIR ?? path.join(REPO_ROOT, 'dist/client');
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'antibot');

const TOOK_PART = { kk: 'Сіз сауалнамаға қатысып қойдыңыз — рақмет!', ru: 'Вы уже приняли участие — спасибо!', en: 'You have already taken part — thank you!' } as const;
const TOO_MANY = { kk: 'Соңғы бірнеше минутта сіздің желіңізден', ru: 'За последние минуты из вашей сети', en: 'Very many answers have been sent from your network' } as const;
const LANGUAGE_BUTTON = { kk: 'Қазақша', ru: 'Русский', en: 'English' } as const;
type Lang = keyof typeof TOOK_PART;

let app: TestApp | undefined;
let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await app?.close();
  app = undefined;
});
afterAll(() => undefined);

async function start(options: Parameters<typeof startTestApp>[0] = {}): Promise<TestApp> {
  if (!fs.existsSync(path.join(CLIENT_DIR, 'index.html'))) {
    throw new Error(`The client is not built (${CLIENT_DIR}/index.html missing): run \`npx vite build\` (npm test does).`);
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  app = await startTestApp({ surveysDir: OFFICIAL_SURVEYS_DIR, staticDir: CLIENT_DIR, antibot: true, ...options });
  return app;
}

/** The whole official questionnaire in Russian, as a respondent taps it, up to the Complete button. */
async function answerEverything(page: Browser['page']): Promise<void> {
  await choose(page, 'Вам исполнилось 18 лет?', 'Да');
  await choose(page, 'Вы постоянно проживаете в Республике Казахстан?', 'Да');
  await choose(page, 'Согласны ли вы принять участие в опросе на изложенных выше условиях?', 'Да, согласен(-на)');
  await page.getByRole('button', { name: 'Далее' }).click();
  await pick(page, 'В какой области или городе республиканского значения вы живёте?', 'Алматинская область');
  await choose(page, 'Вы живёте в городе или в сельской местности?', 'В сельской местности');
  await choose(page, 'Ваш пол', 'Женский');
  await question(page, 'Сколько вам полных лет?').getByRole('spinbutton').fill('34');
  await page.keyboard.press('Tab');
  await pick(page, 'К какой национальности (этносу) вы себя относите?', 'Узбек / узбечка');
  await page.getByRole('button', { name: 'Далее' }).click();
  await choose(page, 'Как вы оцениваете межэтнические отношения в вашем городе или селе?', 'Очень хорошие');
  await choose(page, /едины как один народ/, 'Скорее согласен(-на)');
  await choose(page, /вероятны межэтнические конфликты/, 'Скорее не согласен(-на)');
  await page.getByRole('button', { name: 'Далее' }).click();
  await choose(page, 'Готовы ли вы принять человека другой национальности как жителя вашего региона?', 'Да');
  await choose(page, 'Готовы ли вы принять человека другой национальности как своего соседа?', 'Да');
  await choose(page, 'Готовы ли вы принять человека другой национальности как коллегу по работе?', 'Нет');
  await page.getByRole('button', { name: 'Далее' }).click();
  await choose(page, 'Каким было ваше настроение в последние недели?', 'Хорошее');
  await choose(page, 'Как часто вы испытываете тревогу за будущее?', 'Затрудняюсь ответить');
  await choose(page, 'В целом, насколько вы удовлетворены своей жизнью?', '7');
}

/**
 * Screenshots of the current screen in kk/ru/en at 360 and 1280 px, each language checked by
 * `expectText` (in the PostgreSQL pass: kk only, no screenshots; decision 031).
 */
async function shootLanguages(b: Browser, name: string, expectText: (lang: Lang) => string, prepare: () => Promise<void> = async () => {}): Promise<void> {
  for (const lang of journeyLanguages(['kk', 'ru', 'en'] as const)) {
    await b.page.getByRole('button', { name: LANGUAGE_BUTTON[lang] }).click();
    await prepare();
    await b.page.getByText(expectText(lang)).first().waitFor();
    for (const width of [360, 1280]) {
      await b.page.setViewportSize({ width, height: width === 360 ? 740 : 800 });
      expect(await horizontalOverflow(b.page)).toBe(0);
      if (SCREEN_CHECKS) await b.page.screenshot({ path: path.join(ARTIFACTS, `${name}-${lang}-${width}.png`), fullPage: true });
    }
    await b.page.setViewportSize({ width: 360, height: 740 });
  }
}

describe('the open link with its protection on, on a phone', () => {
  test('a respondent completes with the proof of work solved in the background, and cannot take the same wave twice on this device', async () => {
    const t = await start();
    browser = await openBrowser({ locale: 'ru-RU', width: 360, height: 740 });
    const { page } = browser;
    const powHeaders: string[] = [];
    page.on('request', (r) => {
      const h = r.headers()['x-kelisim-pow'];
      if (h) powHeaders.push(`${r.method()} ${h}`);
    });
    const loadStart = Date.now();
    await page.goto(`${t.baseUrl}/s/${t.wave.openSlug}`);
    await page.getByText('Вам исполнилось 18 лет?', { exact: true }).waitFor();
    const firstQuestionMs = Date.now() - loadStart;
    await answerEverything(page);
    await page.getByRole('button', { name: 'Завершить' }).click();
    await page.getByRole('heading', { name: 'Спасибо!' }).waitFor();

    const measures = await page.evaluate(() => performance.getEntriesByType('measure').map((m) => ({ name: m.name, duration: m.duration })));
    const solve = measures.filter((m) => m.name === 'kelisim-pow-solve');
    const waited = measures.filter((m) => m.name === 'kelisim-pow-wait').reduce((s, m) => s + m.duration, 0);
    expect(solve).toHaveLength(1);
    console.info(`[antibot phone] Chromium 360 px: first question shown ${firstQuestionMs} ms after navigation; proof of work solved in the background in ${solve[0]!.duration.toFixed(0)} ms; ` +
      `time the respondent waited for it: ${waited.toFixed(0)} ms`);
    // Exactly one write carried the proof: the one that created the response.
    expect(powHeaders).toHaveLength(1);

    // What the server stored, read through the store of the database it writes (SQLite or PostgreSQL).
    const rows = await t.store.sql.all<Record<string, unknown>>(q`SELECT ${responses.status} AS "status", ${responseSignals.powOk} AS "powOk",
      ${responseSignals.addressHash} AS "addressHash", ${responseSignals.answersHash} AS "answersHash"
      FROM ${responses} JOIN ${responseSignals} ON ${responseSignals.responseId} = ${responses.id} WHERE ${responses.waveId} = ${t.wave.id}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'complete', powOk: 1 });
    expect(String(rows[0]!.addressHash)).toMatch(/^[0-9a-f]{32}$/);
    expect(String(rows[0]!.answersHash)).toMatch(/^[0-9a-f]{64}$/);

    // Opening the link again on this device: already taken part, in every language.
    await page.reload();
    await page.getByRole('heading', { name: TOOK_PART.ru }).waitFor();
    await shootLanguages(browser, 'took-part', (lang) => TOOK_PART[lang]);
    // The memory is per wave: a new wave's link starts a questionnaire on the same device.
    const next = (await t.openWave()).openSlug;
    await page.goto(`${t.baseUrl}/s/${next}`);
    await page.getByText('Сіз 18 жасқа толдыңыз ба?', { exact: true }).or(page.getByText('Are you 18 years of age or older?', { exact: true })).or(page.getByText('Вам исполнилось 18 лет?', { exact: true })).first().waitFor();
  }, 180_000);

  test('over the per-address limit, the respondent is told politely and keeps the answers', async () => {
    const one = { points: 1, durationSeconds: 600 };
    const t = await start({ antibot: { enforce: true, limits: { newPerAddress: one, completePerAddress: one, newPerWave: { points: 600, durationSeconds: 600 } } } });
    // Another interview from this address (127.0.0.1) has just used its one allowance.
    const a = agentFrom('127.0.0.1');
    const used = await requestFrom(a, t.baseUrl, 'POST', `/api/links/${t.wave.openSlug}/responses/${randomUUID()}/complete`,
      { surveyVersionId: t.version.id, locale: 'ru', data: { adult: false }, durationMs: 60_000 }, await solvedPow(a, t.baseUrl, t.wave.openSlug));
    a.destroy();
    expect(used.status).toBe(201);

    browser = await openBrowser({ locale: 'ru-RU', width: 360, height: 740 });
    const { page } = browser;
    await page.goto(`${t.baseUrl}/s/${t.wave.openSlug}`);
    await page.getByText('Вам исполнилось 18 лет?', { exact: true }).waitFor();
    const refused = page.waitForResponse((r) => r.url().includes('/complete') && r.status() === 429);
    await answerEverything(page);
    await page.getByRole('button', { name: 'Завершить' }).click();
    expect(Number((await refused).headers()['retry-after'])).toBeGreaterThan(0);
    await page.getByRole('alert').filter({ hasText: TOO_MANY.ru }).waitFor();
    // The answers are still on the page.
    expect(await question(page, 'В целом, насколько вы удовлетворены своей жизнью?').getByRole('radio', { name: '7', exact: true }).isChecked()).toBe(true);
    await shootLanguages(browser, 'too-many', (lang) => TOO_MANY[lang]);
  }, 180_000);

  test('the introduction tells the respondent that the address is not stored, in kk/ru/en', async () => {
    const t = await start();
    browser = await openBrowser({ locale: 'kk-KZ', width: 360, height: 740 });
    const { page } = browser;
    await page.goto(`${t.baseUrl}/s/${t.wave.openSlug}`);
    // The terms fold away behind "more" (and again after a language switch): opened each time.
    const open = async () => {
      const details = page.locator('.respond-intro__more');
      await details.waitFor();
      if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await page.locator('.respond-intro__more > summary').click();
    };
    await open();
    const PRIVACY = { kk: 'Интернет-мекенжайыңыз сақталмайды.', ru: 'Ваш интернет-адрес не сохраняется.', en: 'Your internet address is not stored.' } as const;
    await page.locator('.respond-intro__more li').filter({ hasText: PRIVACY.kk }).waitFor();
    await shootLanguages(browser, 'intro-privacy', (lang) => PRIVACY[lang], open);
  }, 120_000);
});
