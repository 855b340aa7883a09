// The two dialects' schemas stay one schema (docs/decisions/026): server/db/schema-pg.ts has exactly
// the tables, columns, type classes, nullability, defaults, generated ids, enums, primary keys,
// unique constraints, indexes and foreign keys of server/db/schema.ts (read with drizzle's
// getTableConfig on both sides), and every table's row types are the same for the code (tsc checks
// the type assertions below: a difference makes `npm test`'s typecheck fail).
import { pgTable, text as pgText, integer as pgInteger, index as pgIndex } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import * as sqlite from '../../../server/db/schema';
import * as postgres from '../../../server/db/schema-pg';
import { foreignKeyOrder, pgShapes, shapeDifferences, sqliteShapes } from '../../../server/db/schema-shape';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
type PgTableName = { [K in keyof typeof postgres]: (typeof postgres)[K] extends { $inferSelect: unknown } ? K : never }[keyof typeof postgres];
type SqliteTableName = { [K in keyof typeof sqlite]: (typeof sqlite)[K] extends { $inferSelect: unknown } ? K : never }[keyof typeof sqlite];
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
/** The same keys, the same optional keys, and each property's type the same (compared one by one: drizzle's two row types are built differently, so a whole-object comparison is stricter than what code sees). */
type SameRow<A, B> = [Equal<keyof A, keyof B>, Equal<OptionalKeys<A>, OptionalKeys<B>>, { [K in keyof A]-?: Equal<A[K], B[K & keyof B]> }[keyof A]] extends [true, true, true] ? true : false;
type Same<K extends PgTableName & SqliteTableName> = [
  SameRow<(typeof sqlite)[K]['$inferSelect'], (typeof postgres)[K]['$inferSelect']>,
  SameRow<(typeof sqlite)[K]['$inferInsert'], (typeof postgres)[K]['$inferInsert']>,
];

// Both modules export the same tables under the same names…
const sameTableNames: [Equal<PgTableName, SqliteTableName>] = [true];
// …and each one's selected and inserted rows have the same type. One known exception: SQLite makes
// an INTEGER PRIMARY KEY (wave_secrets.wave_id, an alias of the rowid) optional on insert, where
// PostgreSQL needs it; the code always gives it (server/antibot), so the PostgreSQL side is stricter.
const sameRowTypes: { [K in PgTableName & SqliteTableName]: Same<K> } = {
  surveyVersions: [true, true], waves: [true, true], invitations: [true, true], responses: [true, true], frames: [true, true],
  estimateRuns: [true, true], publications: [true, true], auditLog: [true, true], targetSets: [true, true], quotaTargets: [true, true],
  quotaReservations: [true, true], waveSecrets: [true, false], usedChallenges: [true, true], rateLimits: [true, true],
  responseSignals: [true, true], users: [true, true], sessions: [true, true], loginThrottle: [true, true], jobs: [true, true],
  flagOverrules: [true, true], runFlagSets: [true, false], runFlags: [true, true],
};

describe('server/db/schema-pg.ts against server/db/schema.ts', () => {
  const a = sqliteShapes(sqlite);
  const b = pgShapes(postgres);

  it('has the same tables, columns, types, keys and indexes', () => {
    expect(a.size).toBeGreaterThanOrEqual(20);
    expect(shapeDifferences(a, b)).toEqual([]);
    expect(sameTableNames).toEqual([true]);
    expect(Object.keys(sameRowTypes).sort()).toEqual(Object.keys(postgres).filter((k) => k in sameRowTypes).sort());
  });

  it('maps every column to a known class on both sides', () => {
    for (const shapes of [a, b]) {
      const unmapped = [...shapes.values()].flatMap((t) => t.columns.filter((c) => c.class.startsWith('unmapped')).map((c) => `${t.name}.${c.name}: ${c.class}`));
      expect(unmapped).toEqual([]);
    }
  });

  it('maps responses.run_input (decision 028) to bytes on both sides: SQLite blob, PostgreSQL bytea', () => {
    const col = (shapes: typeof a) => shapes.get('responses')!.columns.find((c) => c.name === 'run_input');
    expect([col(a)?.class, col(a)?.sqlType, col(a)?.notNull]).toEqual(['blob', 'blob', false]);
    expect([col(b)?.class, col(b)?.sqlType, col(b)?.notNull]).toEqual(['blob', 'bytea', false]);
  });

  it('orders the tables so that foreign keys point backwards (the copy order)', () => {
    const order = foreignKeyOrder(b).map((t) => t.name);
    expect(order).toHaveLength(b.size);
    for (const [i, t] of foreignKeyOrder(b).entries()) {
      for (const fk of t.foreignKeys) expect(order.indexOf(/-> ([^(]+)\(/.exec(fk)![1]!)).toBeLessThan(i);
    }
  });

  it('reports each kind of difference (the comparison can fail)', () => {
    // A PostgreSQL `waves` with one column of another class, one nullable, one missing, one extra, and an index renamed.
    const wrongWaves = pgTable('waves', {
      id: pgInteger('id').primaryKey().generatedByDefaultAsIdentity(),
      surveyId: pgInteger('survey_id').notNull(),
      titleKk: pgText('title_kk'),
      titleRu: pgText('title_ru').notNull(),
      titleEn: pgText('title_en').notNull(),
      openSlug: pgText('open_slug').notNull().unique(),
      status: pgText('status', { enum: ['open', 'closed'] }).notNull(),
      openedAt: pgText('opened_at').notNull(),
      closedAt: pgText('closed_at'),
      extra: pgText('extra'),
    }, (t) => [pgIndex('waves_status_idx').on(t.surveyId, t.status)]);
    const diff = shapeDifferences(new Map([['waves', a.get('waves')!]]), pgShapes({ wrongWaves }));
    expect(diff).toEqual(expect.arrayContaining([
      'waves.survey_id: class "text" in SQLite, "integer" in PostgreSQL',
      'waves.title_kk: notNull true in SQLite, false in PostgreSQL',
      'waves.period: in SQLite only',
      'waves.extra: in PostgreSQL only',
    ]));
    expect(diff.some((d) => d.startsWith('waves: indexes'))).toBe(true);
    expect(shapeDifferences(a, new Map([...b].filter(([n]) => n !== 'jobs')))).toEqual(['table jobs: in SQLite only']);
  });
});
