// The respondent page on a 360 × 740 phone in kk/ru/en (issue 12): the first question on the first
// screen, whole answer rows tappable, targets of at least 44 × 44 px, focus on the new page's first
// question after Next (and on the first error after a failed Next), an honest progress bar, and the
// regions sorted in the page's language with the three cities first. Real Chromium, real server,
// the real questionnaire (surveys/official).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { OFFICIAL_SURVEYS_DIR, REPO_ROOT, startTestApp, type TestApp } from '../helpers/app';
import { openBrowser, type Browser } from './browser';
import { journeyLanguages } from './engine-pass';

const CLIENT_DIR = process.env.KELISIM_E2E_CLIENT_DIR ?? path.join(REPO_ROOT, 'dist/client');
const SCREENSHOTS = process.env.KELISIM_SCREENSHOTS; // a folder, to look at the pages by eye

const LANGUAGES = {
  kk: {
    browser: 'kk-KZ',
    adult: 'Сіз 18 жасқа толдыңыз ба?',
    resident: 'Сіз Қазақстан Республикасында тұрақты тұрасыз ба?',
    consent: /келісесіз бе/,
    yes: 'Иә',
    next: 'Келесі',
    region: 'Қай облыста немесе республикалық маңызы бар қалада тұрасыз?',
    cities: ['Астана (қала)', 'Алматы (қала)', 'Шымкент (қала)'],
  },
  ru: {
    browser: 'ru-RU',
    adult: 'Вам исполнилось 18 лет?',
    resident: 'Вы постоянно проживаете в Республике Казахстан?',
    consent: /Согласны ли вы/,
    yes: 'Да',
    next: 'Далее',
    region: 'В какой области или городе республиканского значения вы живёте?',
    cities: ['Астана (город)', 'Алматы (город)', 'Шымкент (город)'],
  },
  en: {
    browser: 'en-GB',
    adult: 'Are you 18 years of age or older?',
    resident: 'Do you live permanently in the Republic of Kazakhstan?',
    consent: /agree to take part/,
    yes: 'Yes',
    next: 'Next',
    region: 'In which region or city of republican significance do you live?',
    cities: ['Astana (city)', 'Almaty (city)', 'Shymkent (city)'],
  },
} as const;
type Lang = keyof typeof LANGUAGES;

let app: TestApp;

beforeAll(async () => {
  if (!fs.existsSync(path.join(CLIENT_DIR, 'index.html'))) {
    throw new Error(`The client is not built (${CLIENT_DIR}/index.html missing): run \`npx vite build\` (npm test does).`);
  }
  app = await startTestApp({ surveysDir: OFFICIAL_SURVEYS_DIR, staticDir: CLIENT_DIR });
});

afterAll(async () => {
  await app?.close();
});

async function withBrowser(lang: Lang, width: number, height: number, run: (b: Browser) => Promise<void>): Promise<void> {
  const b = await openBrowser({ locale: LANGUAGES[lang].browser, width, height });
  try {
    await run(b);
  } finally {
    await b.close();
  }
}

/** The box of the question whose title is `title`, in viewport pixels. */
/**
 * Taps `option` of the dropdown that has the keyboard focus, opening its list with ArrowDown when
 * it is not open. The list can close again before the tap on a slow machine (SurveyJS closes it
 * when the page scrolls under it): a respondent would open it again, and so does this.
 */
async function pickOption(page: Browser['page'], option: ReturnType<Browser['page']['getByRole']>): Promise<void> {
  await vi.waitFor(async () => {
    if (!(await option.isVisible())) await page.keyboard.press('ArrowDown');
    await option.click({ timeout: 1000 });
  }, { timeout: 10_000, interval: 200 });
}

async function questionBox(page: Browser['page'], title: string | RegExp) {
  const q = page.locator('.sd-question').filter({ has: page.getByText(title, { exact: typeof title === 'string' }) });
  const box = await q.boundingBox();
  if (!box) throw new Error(`question "${title}" has no box`);
  return box;
}

/** The title of the question that holds the focused element ('' if none). */
const focusedQuestionTitle = (page: Browser['page']) =>
  page.evaluate(() => document.activeElement?.closest('.sd-question')?.querySelector('.sd-question__title')?.textContent?.trim() ?? '');

/** Width × height of every visible element matching `selector` smaller than 44 × 44 px. */
const smallTargets = (page: Browser['page'], selector: string) =>
  page.evaluate((sel) => {
    return Array.from(document.querySelectorAll<HTMLElement>(sel))
      .map((e) => ({ e, r: e.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && r.height > 0 && (r.width < 44 || r.height < 44))
      .map(({ e, r }) => `${e.className || e.tagName} "${e.textContent?.trim().slice(0, 20)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
  }, selector);

/** Width of the progress bar's filled part as a share of the whole (0 … 1), and its text. */
const progress = (page: Browser['page']) =>
  page.evaluate(() => {
    const bar = document.querySelector<HTMLElement>('[role=progressbar]');
    const fill = bar?.querySelector<HTMLElement>('.respond-progress__fill');
    if (!bar || !fill) return { share: -1, text: '', fontPx: 0 };
    const text = document.querySelector<HTMLElement>('.respond-progress__text');
    return {
      share: fill.getBoundingClientRect().width / bar.getBoundingClientRect().width,
      text: text?.textContent ?? '',
      fontPx: text ? parseFloat(getComputedStyle(text).fontSize) : 0,
    };
  });

/** The regions in `lang`'s alphabetical order by name: a leading generic word in lower case («область Абай») does not count. */
const byName = (lang: string) => {
  const collator = new Intl.Collator(lang);
  const name = (s: string) => s.replace(/^область /, '');
  return (a: string, b: string) => collator.compare(name(a), name(b));
};

describe('respondent page on a 360 × 740 phone', () => {
  for (const lang of journeyLanguages(Object.keys(LANGUAGES) as Lang[])) {
    const L = LANGUAGES[lang];

    test(`${lang}: first question on the first screen, 44-px targets, row taps, focus after Next, honest progress`, async () => {
      const link = (await app.openWave()).openSlug;
      await withBrowser(lang, 360, 740, async ({ page }) => {
        await page.goto(`${app.baseUrl}/s/${link}`);
        await page.getByText(L.adult, { exact: true }).waitFor();
        if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `phone-${lang}-360.png`) });

        // The whole first question (title and both answers) is on the first screen.
        const first = await questionBox(page, L.adult);
        expect(first.y).toBeGreaterThanOrEqual(0);
        expect(first.y + first.height).toBeLessThanOrEqual(740);

        // The introduction's terms are one tap away (and fold away again).
        const more = page.locator('.respond-intro__more > summary');
        expect(await page.locator('.respond-intro__more li').first().isVisible()).toBe(false);
        await more.click();
        await page.locator('.respond-intro__more li').first().waitFor();
        expect(await page.locator('.respond-intro__more li').count()).toBe(4); // anonymous, voluntary, summary form, the address not stored (decision 021)
        await more.click();
        await page.locator('.respond-intro__more li').first().waitFor({ state: 'hidden' });

        // Targets: the brand link, the language buttons, the answer rows, Next.
        expect(await smallTargets(page, '.shell__brand, .language-switch__button, .respond-intro__more > summary, .sd-item, .sd-navigation__next-btn')).toEqual([]);

        // Progress on page 1 of 5: a fifth of the bar, readable text.
        const p1 = await progress(page);
        expect(p1.share).toBeGreaterThan(0.15);
        expect(p1.share).toBeLessThan(0.25);
        expect(p1.fontPx).toBeGreaterThanOrEqual(16);

        // A failed Next puts the focus on the first unanswered question.
        await page.getByRole('button', { name: L.next }).click();
        await page.locator('.sd-question--error').first().waitFor();
        await expect.poll(() => focusedQuestionTitle(page)).toContain(L.adult);

        // A tap at the right edge of each answer row (beside the label's text) selects it.
        for (const title of [L.adult, L.resident, L.consent]) {
          const q = page.locator('.sd-question').filter({ has: page.getByText(title, { exact: typeof title === 'string' }) });
          const row = q.locator('.sd-item').first();
          await row.scrollIntoViewIfNeeded();
          const box = await row.boundingBox();
          if (!box) throw new Error(`no answer row in "${title}"`);
          await page.mouse.click(box.x + box.width - 3, box.y + box.height / 2);
          await expect.poll(() => q.getByRole('radio').first().isChecked()).toBe(true);
        }

        // After Next the focus is on the new page's first question, and that question is on screen.
        await page.getByRole('button', { name: L.next }).click();
        await page.getByText(L.region, { exact: true }).waitFor();
        await expect.poll(() => focusedQuestionTitle(page)).toContain(L.region);
        const region = await questionBox(page, L.region);
        expect(region.y).toBeGreaterThanOrEqual(0);
        expect(region.y).toBeLessThan(740);
        const p2 = await progress(page);
        expect(p2.share).toBeGreaterThan(0.35);
        expect(p2.share).toBeLessThan(0.45);

        // The region list: the three cities first, then the regions in this language's order.
        await page.keyboard.press('ArrowDown');
        await page.getByRole('option').first().waitFor();
        const options = (await page.getByRole('option').allTextContents()).map((t) => t.trim()).filter(Boolean);
        expect(options.slice(0, 3)).toEqual(L.cities);
        const regions = options.slice(3);
        expect(regions).toHaveLength(17);
        expect(regions).toEqual([...regions].sort(byName(lang)));
        if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `phone-${lang}-360-regions.png`) });
        await pickOption(page, page.getByRole('option').nth(4));
        // The dropdown's clear button, once there is a value to clear, is a 44-px target too.
        await page.locator('.sd-editor-clean-button').first().waitFor();
        expect(await smallTargets(page, '.sd-editor-clean-button, .sd-editor-clean-button :is(button, [role=button], .sd-action)')).toEqual([]);
      });
    });
  }

  test('switching the language re-labels the folded introduction and re-sorts the regions', async () => {
    const link = (await app.openWave()).openSlug;
    await withBrowser('kk', 360, 740, async ({ page }) => {
      await page.goto(`${app.baseUrl}/s/${link}`);
      await page.getByText(LANGUAGES.kk.adult, { exact: true }).waitFor();
      const summary = page.locator('.respond-intro__more > summary');
      expect(await summary.textContent()).toBe('Сауалнама туралы толығырақ: анонимдік, ерікті қатысу');
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByText(LANGUAGES.en.adult, { exact: true }).waitFor();
      await expect.poll(() => summary.textContent()).toBe('More about the survey: anonymity, taking part voluntarily');
      for (const title of [LANGUAGES.en.adult, LANGUAGES.en.resident, LANGUAGES.en.consent]) {
        await page.locator('.sd-question').filter({ has: page.getByText(title, { exact: typeof title === 'string' }) }).locator('.sd-item').first().click();
      }
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText(LANGUAGES.en.region, { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Русский' }).click();
      await page.getByText(LANGUAGES.ru.region, { exact: true }).waitFor();
      await page.getByRole('combobox', { name: LANGUAGES.ru.region }).focus();
      await page.keyboard.press('ArrowDown');
      await page.getByRole('option').first().waitFor();
      const options = (await page.getByRole('option').allTextContents()).map((t) => t.trim()).filter(Boolean);
      expect(options.slice(0, 3)).toEqual(LANGUAGES.ru.cities);
      // Russian order, not the questionnaire's Kazakh one (where «Западно-Казахстанская» follows «Атырауская»).
      expect(options.slice(3)).toEqual([...options.slice(3)].sort(byName('ru')));
      expect(options[3]).toBe('область Абай'); // under А, not under О
      expect(options.indexOf('Западно-Казахстанская область')).toBeGreaterThan(options.indexOf('Жамбылская область'));
    });
  });

  test('the last page fills the progress bar', async () => {
    const link = (await app.openWave()).openSlug;
    await withBrowser('en', 360, 740, async ({ page }) => {
      await page.goto(`${app.baseUrl}/s/${link}`);
      await page.getByText(LANGUAGES.en.adult, { exact: true }).waitFor();
      // Answer the required questions of pages 1 and 2 as a respondent does, then walk to page 5.
      for (const title of [LANGUAGES.en.adult, LANGUAGES.en.resident, LANGUAGES.en.consent]) {
        await page.locator('.sd-question').filter({ has: page.getByText(title, { exact: typeof title === 'string' }) }).locator('.sd-item').first().click();
      }
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText(LANGUAGES.en.region, { exact: true }).waitFor();
      await page.getByRole('combobox', { name: LANGUAGES.en.region }).focus();
      await pickOption(page, page.getByRole('option', { name: 'Astana (city)' }));
      for (const [title, answer] of [[/town or city, or in a rural area/, 'In a town or city'], ['Your sex', 'Male']] as const) {
        await page.locator('.sd-question').filter({ has: page.getByText(title) }).getByText(answer, { exact: true }).click();
      }
      await page.locator('.sd-question').filter({ has: page.getByText(/How old are you/) }).getByRole('spinbutton').fill('40');
      await page.keyboard.press('Tab');
      await page.getByRole('combobox', { name: /ethnic group/ }).focus();
      await pickOption(page, page.getByRole('option').first());
      for (let pageNo = 3; pageNo <= 5; pageNo++) {
        await page.getByRole('button', { name: 'Next' }).click();
        await expect.poll(async () => (await progress(page)).text).toMatch(new RegExp(`${pageNo}.*5`));
      }
      const last = await progress(page);
      expect(last.share).toBeGreaterThan(0.99);
      if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'phone-en-360-last.png'), fullPage: true });
    });
  });

  for (const lang of journeyLanguages(Object.keys(LANGUAGES) as Lang[])) {
    test(`${lang}: at 1280 px the first question is on the first screen and nothing overflows`, async () => {
      const link = (await app.openWave()).openSlug;
      await withBrowser(lang, 1280, 800, async ({ page }) => {
        await page.goto(`${app.baseUrl}/s/${link}`);
        await page.getByText(LANGUAGES[lang].adult, { exact: true }).waitFor();
        if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `desktop-${lang}-1280.png`) });
        const first = await questionBox(page, LANGUAGES[lang].adult);
        expect(first.y + first.height).toBeLessThanOrEqual(800);
        expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
      });
    });
  }
});
