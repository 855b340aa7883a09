// The SQLite store over a test's drizzle connection (one per connection), for tests of code not
// moved to the store yet that call moved services (decision 027, step 2): importing interviews,
// setting quotas. Never closed here: the test closes its connection as before.
import type { Db } from '../../server/db/open';
import type { Store } from '../../server/db/store';
import { createSqliteStore } from '../../server/db/store-sqlite';

const stores = new WeakMap<Db['$client'], Store>();

export function sqliteStoreOf(db: Db): Store {
  let store = stores.get(db.$client);
  if (!store) stores.set(db.$client, (store = createSqliteStore(db)));
  return store;
}
