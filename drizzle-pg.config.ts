// drizzle-kit reads this to generate PostgreSQL migrations from server/db/schema-pg.ts (issue 11,
// docs/decisions/026): `npm run db:generate` runs it after drizzle.config.ts (SQLite). Review and
// commit server/db/migrations-pg; hand-written SQL (triggers) goes in a commented block at the end
// of a migration, as on the SQLite side. Never `push` to real data.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './server/db/schema-pg.ts',
  out: './server/db/migrations-pg',
});
