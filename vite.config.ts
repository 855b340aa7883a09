import fs from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { respondentFiles, type ManifestChunk } from './client/sw/precache.js';

const OUT_DIR = path.resolve(import.meta.dirname, 'dist/client');

// The client lives in client/ and builds to dist/client, which the server serves.
// Tests (vitest) run from the repository root over test/.
export default defineConfig({
  root: 'client',
  // client/public is the dashboard's source folder (decision 014), not Vite's folder of files copied
  // as they are: without this, every .tsx of the dashboard was served from the site root.
  publicDir: false,
  plugins: [
    react(),
    // The respondent page's service worker (decision 023): /sw.js, registered by client/sw/register.ts
    // with scope /s/ only, so the dashboard and the console are never controlled by it.
    VitePWA({
      // Our own worker source (client/sw/sw.ts) built from Workbox's modules: its link
      // GETs start at the navigation, which generateSW's configuration cannot express.
      strategies: 'injectManifest',
      srcDir: 'sw',
      filename: 'sw.ts', // built to dist/client/sw.js
      registerType: 'autoUpdate',
      injectRegister: false, // client/sw/register.ts registers it, on /s/ pages only
      manifest: false, // not an installable app: a link opened in the browser
      injectManifest: {
        rollupFormat: 'iife',
        globPatterns: ['index.html', 'assets/*.{js,css}'],
        // Only the respondent page's files (client/sw/precache.ts), from Vite's manifest of this build.
        manifestTransforms: [
          (entries) => {
            const manifest = JSON.parse(fs.readFileSync(path.join(OUT_DIR, '.vite/manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
            const wanted = new Set(respondentFiles(manifest));
            const manifestEntries = entries.filter((e) => wanted.has(e.url));
            const missing = [...wanted].filter((f) => !manifestEntries.some((e) => e.url === f));
            return { manifest: manifestEntries, warnings: missing.map((f) => `precache: ${f} was not found in the build`) };
          },
        ],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024, // the survey chunk is ~1.7 MB unpacked
      },
    }),
  ],
  // manifest: the chunk graph of each route, read by test/client/bundle.test.ts (not served: a dot folder).
  build: { outDir: '../dist/client', emptyOutDir: true, chunkSizeWarningLimit: 2000, manifest: true },
  server: { proxy: { '/api': 'http://localhost:3000' } },
  test: {
    root: '.',
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two test files at a time on a 2-core machine (vitest's default is one fewer than the cores):
    // most files wait on servers, browsers and disks, not on the CPU.
    maxWorkers: 2,
    // Builds dist/server when stale, makes the template database, keeps temporary files in one place.
    globalSetup: ['test/global-setup.ts'],
  },
});
