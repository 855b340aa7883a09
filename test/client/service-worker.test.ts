// The respondent page's service worker (decision 023): what it precaches is the respondent page's
// files and nothing of the dashboard's, and the built sw.js carries exactly that list, the /s/-only
// navigation fallback and the link-GET runtime route. Reads the production build (npm test runs
// `vite build` first). The worker is built from client/sw/sw.ts (Workbox modules, injectManifest).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { respondentFiles, type ManifestChunk } from '../../client/sw/precache';
import { en } from '../../client/i18n/messages-en';
import { kk } from '../../client/i18n/messages-kk';
import { ru } from '../../client/i18n/messages-ru';

const DIST = path.resolve(import.meta.dirname, '../../dist/client');

function read(file: string): string {
  const full = path.join(DIST, file);
  if (!fs.existsSync(full)) throw new Error(`${full} is missing: build the client first (npx vite build; npm test does it).`);
  return fs.readFileSync(full, 'utf8');
}

describe('respondentFiles', () => {
  const manifest: Record<string, ManifestChunk> = {
    'index.html': { file: 'assets/index-1.js', isEntry: true, imports: ['_shared.js'], dynamicImports: ['public/public-app.tsx', 'respond/respond-page.tsx', 'sw/register.ts'], css: ['assets/index-1.css'] },
    '_shared.js': { file: 'assets/shared-1.js' },
    'public/public-app.tsx': { file: 'assets/public-app-1.js', imports: ['index.html'], dynamicImports: ['public/method-page.tsx'], css: ['assets/public-app-1.css'] },
    'public/method-page.tsx': { file: 'assets/method-page-1.js', imports: ['index.html'] },
    'respond/respond-page.tsx': { file: 'assets/respond-page-1.js', imports: ['index.html', '_shared.js'], dynamicImports: ['respond/survey-entry.tsx'], css: ['assets/respond-page-1.css'] },
    'respond/survey-entry.tsx': { file: 'assets/survey-entry-1.js', imports: ['respond/respond-page.tsx'], css: ['assets/survey-entry-1.css'] },
    'sw/register.ts': { file: 'assets/register-1.js', dynamicImports: ['respond/respond-page.tsx'] },
  };

  test('the shell, the entry, the respondent page with its lazy survey code, the registration; not the dashboard', () => {
    expect(respondentFiles(manifest)).toEqual([
      'assets/index-1.css',
      'assets/index-1.js',
      'assets/register-1.js',
      'assets/respond-page-1.css',
      'assets/respond-page-1.js',
      'assets/shared-1.js',
      'assets/survey-entry-1.css',
      'assets/survey-entry-1.js',
      'index.html',
    ]);
  });

  test('a build without the respondent chunk is refused (the worker would cache nothing useful)', () => {
    const withoutRespond = Object.fromEntries(Object.entries(manifest).filter(([k]) => !k.startsWith('respond/')));
    expect(() => respondentFiles(withoutRespond)).toThrow(/respond-page\.tsx/);
  });
});

describe('built service worker', () => {
  const sw = read('sw.js');
  const manifest = JSON.parse(read('.vite/manifest.json')) as Record<string, ManifestChunk>;
  const precached = [...sw.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]).sort();

  test('precaches exactly the respondent page files of this build, the survey code included', () => {
    expect(precached).toEqual(respondentFiles(manifest));
    const surveyChunk = manifest['respond/survey-entry.tsx'];
    expect(surveyChunk, 'the survey code is its own lazy chunk').toBeDefined();
    expect(precached).toContain(surveyChunk.file);
    const dashboard = Object.entries(manifest).filter(([k]) => k.startsWith('public/')).map(([, c]) => c.file);
    expect(dashboard.length).toBeGreaterThan(0);
    for (const file of dashboard) expect(precached).not.toContain(file);
  });

  test('falls back to the stored shell for /s/ navigations only, and keeps the link GETs network-first', () => {
    expect(sw).toContain('skipWaiting');
    expect(sw).toMatch(/allowlist:\[\/\^\\\/s\\\/\/\]/);
    expect(sw).toContain('kelisim-respondent-links');
    expect(sw).toContain('api\\/links');
  });
});

describe('static skeleton in index.html', () => {
  const html = read('index.html');
  test('its status line is the catalogues\' "loading the survey" in each language', () => {
    for (const catalogue of [kk, ru, en]) expect(html).toContain(catalogue.loadingSurvey);
  });
  test('it is drawn inside #root (replaced by the first render) and marked busy', () => {
    expect(html).toMatch(/<div id="root"><header class="shell__header">/);
    expect(html).toContain('class="page page--wide skeleton skeleton--boot" aria-busy="true"');
  });
});
