// What the end-to-end suites check in which pass of `npm test` (decision 031). They run twice: on
// SQLite, then on PostgreSQL (test/postgres-suites.ts). The engine decides what is stored and read
// back, not how a screen looks: the same screen in three languages and two widths, its screenshots,
// are checked in the SQLite pass (and in any run on SQLite); the PostgreSQL pass runs each journey
// once, in its first language, with every assertion about what the server stored and answered.
import { testEngine } from '../helpers/store';

/** True where the screen checks run: every run on SQLite (npm test's first pass included). */
export const SCREEN_CHECKS = testEngine() === 'sqlite';

/**
 * The languages a per-language journey runs in: all of them where SCREEN_CHECKS holds, the first
 * only in the PostgreSQL pass (the rows stored are the same whatever language the page shows).
 */
export function journeyLanguages<L>(all: readonly L[]): readonly L[] {
  return SCREEN_CHECKS ? all : all.slice(0, 1);
}
