// helmet's headers (server/http/security-headers.ts) in a real Chromium: the respondent page, the
// dashboard and the console shell load their Vite assets and run without a single Content
// Security Policy violation, while an injected inline script is refused (so the policy is on and
// the check would see a violation).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadTargets } from '../../server/surveys/bootstrap';
import { OFFICIAL_SURVEYS_DIR, REPO_ROOT, startTestApp, type TestApp } from '../helpers/app';
import { openBrowser, type Browser } from './browser';

const CLIENT_DIR = process.env.KELISIM_E2E_CLIENT_DIR ?? path.join(REPO_ROOT, 'dist/client');

let app: TestApp;
let browser: Browser;
beforeAll(async () => {
  app = await startTestApp({ surveysDir: OFFICIAL_SURVEYS_DIR, staticDir: CLIENT_DIR });
  await loadTargets(app.store, OFFICIAL_SURVEYS_DIR);
  browser = await openBrowser({ locale: 'ru', width: 1280, height: 800, bypassCSP: false });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** Opens `url` and returns the CSP violations the page reported, after `ready` is visible. */
async function violationsOn(url: string, ready: string): Promise<string[]> {
  const { page } = browser;
  const seen: string[] = [];
  const onConsole = (m: { type(): string; text(): string }) => { if (/Content Security Policy/i.test(m.text())) seen.push(m.text()); };
  page.on('console', onConsole);
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  const res = await page.goto(app.baseUrl + url);
  expect(res?.status()).toBe(200);
  expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
  await page.locator(ready).first().waitFor({ state: 'visible', timeout: 20_000 });
  await page.waitForTimeout(500);
  page.off('console', onConsole);
  return seen;
}

describe('security headers with the built client', () => {
  test('every page and API answer carries them', async () => {
    for (const url of ['/', `/s/${app.wave.openSlug}`, '/api/public/v1/periods', `/api/links/${app.wave.openSlug}`]) {
      const res = await fetch(app.baseUrl + url);
      expect(res.headers.get('content-security-policy'), url).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
      expect(res.headers.get('x-frame-options'), url).toBe('SAMEORIGIN');
      expect(res.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), url).toBe('same-origin');
      expect(res.headers.get('cross-origin-opener-policy'), url).toBe('same-origin');
    }
  });

  test('the respondent page runs with no CSP violation', async () => {
    expect(await violationsOn(`/s/${app.wave.openSlug}`, '.sd-question')).toEqual([]);
  });

  test('the dashboard runs with no CSP violation', async () => {
    expect(await violationsOn('/', 'h1')).toEqual([]);
  });

  test('an injected inline script is refused and reported', async () => {
    const { page } = browser;
    const seen: string[] = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) seen.push(m.text()); });
    await page.goto(`${app.baseUrl}/`);
    const ran = await page.evaluate(async () => {
      (window as unknown as { injected?: boolean }).injected = false;
      const s = document.createElement('script');
      s.textContent = 'window.injected = true';
      document.body.appendChild(s);
      await new Promise((r) => setTimeout(r, 200));
      return (window as unknown as { injected?: boolean }).injected;
    });
    expect(ran).toBe(false);
    expect(seen.length).toBeGreaterThan(0);
  });
});
