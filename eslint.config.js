// One lint config for the whole package. analysis/ is a leaf: it may not reach I/O, the server or
// the client (CONVENTIONS.md, "Layout shows the architecture"). contract/ is shared by the server
// and the browser, so it is pure too. Services and queries know nothing of HTTP: they throw
// DomainErrors (server/errors.ts) and the app maps them to statuses (decision 005).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// The client's audiences (decision 014) and the folders all of them may share.
const AUDIENCES = ['public', 'respond', 'admin'];
const SHARED_CLIENT_FOLDERS = ['design', 'i18n', 'shared', 'not-found'];
const SHARED_CLIENT = 'client/design, client/i18n or client/shared';
/** Import paths that reach the named client folders, from anywhere in client/ (or from outside it). */
const audienceImports = (folders) =>
  folders.flatMap((o) => [`**/client/${o}`, `**/client/${o}/**`, `../${o}`, `../${o}/**`, `../../${o}`, `../../${o}/**`]);

export default tseslint.config(
  { ignores: ['dist/**', 'data/**', 'node_modules/**', 'server/db/migrations/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['client/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  // One client entry per audience (decision 014): client/public, client/respond and client/admin
  // share client/design, client/i18n, client/shared and the router, never each other's code, so the
  // dashboard never ships survey-core and the respondent page never ships the charts or the console.
  // The shared folders are allowed explicitly and may import no audience at all, so nothing reaches
  // one audience from another through them.
  ...[
    ['public', ['respond', 'admin']],
    ['respond', ['public', 'admin']],
    ['admin', ['public', 'respond']],
  ].map(([audience, others]) => ({
    files: [`client/${audience}/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: audienceImports(others),
          message: `client/${audience} may not import another audience's code (client/${others.join(', client/')}): move what is shared to ${SHARED_CLIENT}.`,
        }],
      }],
    },
  })),
  {
    files: [`client/{${SHARED_CLIENT_FOLDERS.join(',')}}/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: audienceImports(AUDIENCES),
          message: `client/${SHARED_CLIENT_FOLDERS.join(', client/')} serve every audience and may import none of them (client/${AUDIENCES.join(', client/')}).`,
        }],
      }],
    },
  },
  {
    files: ['analysis/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'better-sqlite3', 'drizzle-orm', 'drizzle-orm/*', 'express'], message: 'analysis/ is pure: no I/O or server libraries.' },
          { group: ['**/server/**', '**/client/**', '../server/*', '../client/*'], message: 'analysis/ must not import server/ or client/.' },
        ],
      }],
    },
  },
  {
    files: ['contract/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'better-sqlite3', 'drizzle-orm', 'drizzle-orm/*', 'express', 'react', 'react-dom', 'survey-core'], message: 'contract/ is imported by the server and the browser: zod and plain TypeScript only.' },
          { group: ['**/server/**', '**/client/**', '**/analysis/**', '../*'], message: 'contract/ imports nothing of the project.' },
        ],
      }],
    },
  },
  {
    files: ['server/**/service.ts', 'server/**/queries.ts', 'server/**/*-service.ts', 'server/**/*-queries.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['express', 'express/*', 'node:http', 'http', '**/http/*'], message: 'services and queries know nothing of HTTP (express, server/http): throw a DomainError (server/errors.ts); the app maps it to a status.' },
        ],
      }],
    },
  },
);
