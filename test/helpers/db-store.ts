// The store over a test's SQLite connection, for tests that build their data with code not moved
// to the store yet (it takes the drizzle `db`) and then call moved services (decision 027). One
// store per connection, so its writes queue one after another.
import type { Db } from '../../server/db/open';
import type { Store } from '../../server/db/store';
import { createSqliteStore } from '../../server/db/store-sqlite';

const stores = new WeakMap<Db, Store>();

export function storeOf(db: Db): Store {
  let s = stores.get(db);
  if (!s) stores.set(db, (s = createSqliteStore(db)));
  return s;
}
