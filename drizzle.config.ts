// drizzle-kit reads this to generate SQL migrations from server/db/schema.ts:
// `npm run db:generate`, then review and commit server/db/migrations. Never `push` to real data.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './server/db/schema.ts',
  out: './server/db/migrations',
});
