// Debian's Chromium driven by playwright-core: a real browser, a fresh profile per context.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { describeMachine, locateTool, TOOLS } from '../../scripts/tools';

// `npm test` finds (or installs) the browser and sets CHROMIUM_PATH; run directly, the same finder
// looks in the usual places.
const found = locateTool(TOOLS.find((t) => t.env === 'CHROMIUM_PATH')!, describeMachine());
export const CHROMIUM = found.status === 'found' ? found.path : process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  close: () => Promise<void>;
}

/** A new browser with its own empty profile (so no localStorage is shared between tests). */
/**
 * `bypassCSP` (default true): the page's Content-Security-Policy does not apply to scripts the test
 * itself injects (test/e2e/axe.ts evaluates axe-core, which works either way).
 * test/e2e/security-headers.test.ts sets it false to see the policy as a user's browser does.
 */
export async function openBrowser(options: { locale: string; width?: number; height?: number; bypassCSP?: boolean }): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH; npm test does this for you.`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    locale: options.locale,
    viewport: { width: options.width ?? 360, height: options.height ?? 740 },
    bypassCSP: options.bypassCSP ?? true,
  });
  // Fail on a missing element with a message naming it, well before the test's own timeout.
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A survey question, found by its visible title. */
export function question(page: Page, title: string | RegExp): Locator {
  return page.locator('.sd-question').filter({ has: page.getByText(title, { exact: typeof title === 'string' }) });
}

/** Picks an option of a radio question the way a user does: by clicking its label. */
export async function choose(page: Page, title: string | RegExp, option: string): Promise<void> {
  const q = question(page, title);
  await q.getByText(option, { exact: true }).click();
  const radio = q.getByRole('radio', { name: option, exact: true });
  // The page redraws the choice after the click's event, on its own render: give it up to 2 s (one
  // click only — a tap that is lost still fails here).
  const deadline = Date.now() + 2_000;
  while (!(await radio.isChecked())) {
    if (Date.now() > deadline) throw new Error(`"${option}" did not get checked in "${title}" within 2 s of the click`);
    await page.waitForTimeout(50);
  }
}

/** Picks from a SurveyJS dropdown (a combobox named by the question title), opening it from the
 *  keyboard, which is also how a screen-reader user gets there. */
export async function pick(page: Page, title: string, option: string): Promise<void> {
  const combobox = page.getByRole('combobox', { name: title });
  await combobox.focus();
  await page.keyboard.press('ArrowDown');
  await page.getByRole('option', { name: option, exact: true }).click();
  await page.waitForFunction(
    ([name, text]) => Array.from(document.querySelectorAll<HTMLElement>('[role=combobox]')).some((e) => e.getAttribute('aria-labelledby') && document.getElementById(e.getAttribute('aria-labelledby') ?? '')?.textContent?.includes(name) && (e.closest('.sd-dropdown')?.textContent ?? '').includes(text)),
    [title, option],
  );
}

/** Width the document overflows the viewport by (0 = no horizontal scroll). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
