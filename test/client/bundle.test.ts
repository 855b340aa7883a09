// The survey code (~430 KB gzipped) must load only on the respondent route: the entry chunk that
// every page loads may not contain survey-core or survey-react-ui. Reads the production build
// (npm test runs `vite build` first).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
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

// The dashboard route's JavaScript: the entry with everything it imports, plus the public chunk
// (client/public/public-app.tsx) with everything it imports, from Vite's manifest of the build.
interface ManifestChunk { file: string; src?: string; isEntry?: boolean; imports?: string[]; dynamicImports?: string[] }
const DASHBOARD_BUDGET_GZIP = 250 * 1024;

function staticClosure(manifest: Record<string, ManifestChunk>, keys: string[], seen = new Set<string>()): Set<string> {
  for (const key of keys) {
    if (seen.has(key)) continue;
    const chunk = manifest[key];
    if (!chunk) throw new Error(`${key} is not in the build manifest`);
    seen.add(key);
    staticClosure(manifest, chunk.imports ?? [], seen);
  }
  return seen;
}

describe('dashboard route', () => {
  const manifest = JSON.parse(read('.vite/manifest.json')) as Record<string, ManifestChunk>;
  const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
  const publicKey = Object.keys(manifest).find((k) => k.endsWith('public/public-app.tsx'));
  const methodKey = Object.keys(manifest).find((k) => k.endsWith('public/method-page.tsx'));
  const gz = (keys: Iterable<string>) => [...keys].reduce((sum, k) => sum + zlib.gzipSync(fs.readFileSync(path.join(DIST, manifest[k].file))).length, 0);

  test(`loads no survey code and at most ${DASHBOARD_BUDGET_GZIP / 1024} KB of JavaScript, gzipped`, () => {
    if (!entryKey || !publicKey || !methodKey) throw new Error('the build has no entry, public-app or method-page chunk');
    const route = staticClosure(manifest, [entryKey, publicKey]);
    const withMethod = staticClosure(manifest, [methodKey], new Set(route));
    for (const key of withMethod) {
      const code = read(manifest[key].file);
      for (const marker of SURVEY_MARKERS) expect(code.includes(marker), `${manifest[key].file} contains ${marker}`).toBe(false);
      expect(manifest[key].src ?? key).not.toMatch(/respond/);
    }
    const total = gz(route);
    const method = gz(withMethod) - total;
    console.log(
      `dashboard route JavaScript: ${(total / 1024).toFixed(1)} KB gzipped in ${route.size} chunks` +
        ` (+${(method / 1024).toFixed(1)} KB for "How it is measured"); budget ${DASHBOARD_BUDGET_GZIP / 1024} KB`,
    );
    expect(total + method).toBeLessThanOrEqual(DASHBOARD_BUDGET_GZIP);
  });
});

// The console (client/admin, decision 014) is a chunk of its own: no other route loads its code,
// and it loads no survey or chart code. Its strings survive minification, so they mark it.
const ADMIN_MARKERS = ['Sign in to the console', 'Консольге кіру'];
const CHART_MARKERS = ['plot-d6a7b5'];

describe('console route', () => {
  const manifest = JSON.parse(read('.vite/manifest.json')) as Record<string, ManifestChunk>;
  const key = (suffix: string) => {
    const found = Object.keys(manifest).find((k) => k.endsWith(suffix));
    if (!found) throw new Error(`the build has no ${suffix} chunk`);
    return found;
  };
  const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry)!;

  test('no other route loads the console, and the console loads no survey or chart code', () => {
    const others = staticClosure(manifest, [entryKey, key('public/public-app.tsx'), key('public/method-page.tsx'), key('respond/respond-page.tsx')]);
    for (const k of others) {
      const code = read(manifest[k].file);
      for (const marker of ADMIN_MARKERS) expect(code.includes(marker), `${manifest[k].file} contains ${marker}`).toBe(false);
    }
    const admin = staticClosure(manifest, [entryKey, key('admin/admin-app.tsx')]);
    const adminCode = [...admin].map((k) => read(manifest[k].file));
    expect(adminCode.some((code) => ADMIN_MARKERS.every((m) => code.includes(m)))).toBe(true);
    for (const k of admin) {
      const code = read(manifest[k].file);
      for (const marker of [...SURVEY_MARKERS, ...CHART_MARKERS]) expect(code.includes(marker), `${manifest[k].file} contains ${marker}`).toBe(false);
      // (a shared chunk such as _respondent-api-….js, the zod contract, has no src and is fine)
      expect(manifest[k].src ?? '').not.toMatch(/^(client\/)?(respond|public)\//);
    }
    const total = [...admin].reduce((sum, k) => sum + zlib.gzipSync(fs.readFileSync(path.join(DIST, manifest[k].file))).length, 0);
    console.log(`console route JavaScript: ${(total / 1024).toFixed(1)} KB gzipped in ${admin.size} chunks`);
  });
});
