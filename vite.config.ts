import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The client lives in client/ and builds to dist/client, which the server serves.
// Tests (vitest) run from the repository root over test/.
export default defineConfig({
  root: 'client',
  plugins: [react()],
  // manifest: the chunk graph of each route, read by test/client/bundle.test.ts (not served: a dot folder).
  build: { outDir: '../dist/client', emptyOutDir: true, chunkSizeWarningLimit: 2000, manifest: true },
  server: { proxy: { '/api': 'http://localhost:3000' } },
  test: {
    root: '.',
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Builds dist/server when stale, makes the template database, keeps temporary files in one place.
    globalSetup: ['test/global-setup.ts'],
  },
});
