// The survey code (~430 KB gzipped) must load only on the respondent route: the entry chunk that
// every page loads may not contain survey-core or survey-react-ui. Reads the production build
// (npm test runs `vite build` first).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

const DIST = path.resolve(import.meta.dirname, '../../dist/client');
// String literals (they survive minification) that only survey-core / survey-react-ui contain.
const SURVEY_MARKERS = ['sd-root-modern', 'sv-string-viewer', 'pageNextText'];

function read(file: string): string {
  const full = path.join(DIST, file);
  if (!fs.existsSync(full)) throw new Error(`${full} is missing: build the client first (npx vite build; npm test does it).`);
  return fs.readFileSync(full, 'utf8');
}

describe('client build', () => {
  const html = read('index.html');
  const entries = [...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g)].map((m) => m[1]);
  const preloads = [...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g)].map((m) => m[1]);
  const assets = fs.readdirSync(path.join(DIST, 'assets')).filter((f) => f.endsWith('.js'));

  test('the entry and everything it preloads are free of survey code', () => {
    expect(entries).toHaveLength(1);
    for (const file of [...entries, ...preloads]) {
      const code = read(file);
      for (const marker of SURVEY_MARKERS) expect(code.includes(marker), `${file} contains ${marker}`).toBe(false);
    }
  });

  test('a lazily loaded chunk holds the survey code', () => {
    const withSurvey = assets.filter((f) => SURVEY_MARKERS.every((m) => read(`assets/${f}`).includes(m)));
    expect(withSurvey.length).toBeGreaterThan(0);
    for (const f of withSurvey) expect(entries).not.toContain(`assets/${f}`);
  });
});
