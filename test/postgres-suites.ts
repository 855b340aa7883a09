// The test files that `npm test` runs a second time against PostgreSQL (decision 027, step 2):
// scripts/test.ts runs vitest over exactly these with KELISIM_TEST_DB=postgres, where
// test/helpers/store.ts gives each test a fresh database on the run's throw-away cluster. A
// feature whose services have moved to the store adds its test files here (one line each, so
// parallel branches merge cleanly); when every server, CLI and end-to-end suite is listed, this
// list becomes the globs of those folders.
export const POSTGRES_SUITES: readonly string[] = [
  'test/server/db/store-helper.test.ts',
  'test/server/runs/store-services.test.ts',
  'test/server/cli/store-commands.test.ts',
  'test/server/admin/auth.test.ts',
  'test/server/admin/cli-user.test.ts',
  'test/server/admin/responses.test.ts',
  'test/server/quotas/store.test.ts',
  'test/server/antibot/store.test.ts',
  'test/server/cli/quota.test.ts',
  'test/server/cli/responses-import.test.ts',
  'test/server/responses/api.test.ts',
  'test/server/responses/fuzz.test.ts',
  'test/server/responses/hostile-input.test.ts',
  'test/server/responses/official.test.ts',
  'test/server/responses/versioning.test.ts',
  'test/server/surveys/bootstrap.test.ts',
  'test/server/static.test.ts',
  'test/server/admin/waves-console.test.ts',
  'test/server/admin/cli-wave.test.ts',
  'test/server/cli/wave.test.ts',
  'test/server/cli/invite.test.ts',
  'test/server/admin/role-matrix.test.ts',
  'test/server/exports/xlsx.test.ts',
  'test/server/exports/sav.test.ts',
  'test/server/cli/export.test.ts',
  'test/server/admin/exports.test.ts',
  'test/server/exports/run.test.ts',
];
