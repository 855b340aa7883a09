// The executor over the SQLite connection of code that has not moved to the store yet (decision
// 027, step 2), so such code can call a moved function: on the same connection, inside whatever
// transaction or savepoint is open on it. SQLite only; it goes when its last caller has moved.
// (pg-quotas: the responses service and waves/service.ts call the moved quota and antibot code
// through it until pg-respondent moves them.)
import type { Db } from './open';
import { sqliteSql, type Sql } from './sql';

const executors = new WeakMap<Db['$client'], Sql>();

/** The executor over `db`'s connection (one per connection, so its prepared statements are kept). */
export function legacySql(db: Pick<Db, '$client'>): Sql {
  let sql = executors.get(db.$client);
  if (!sql) executors.set(db.$client, (sql = sqliteSql(db.$client)));
  return sql;
}
