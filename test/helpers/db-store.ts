// The store over a test's SQLite connection, for tests that build their data with code not moved
// to the store yet (it takes the drizzle `db`) and then call moved services (decision 027, step 2):
// importing interviews, frames, runs, quotas. One store per connection (whichever drizzle wrapper
// is given), so its writes queue one after another. Never closed here: the test closes its
// connection as before.
import type { Db } from '../../server/db/open';
import type { Store } from '../../server/db/store';
import { createSqliteStore } from '../../server/db/store-sqlite';

const stores = new WeakMap<Db['$client'], Store>();

export function storeOf(db: Db): Store {
  let store = stores.get(db.$client);
  if (!store) stores.set(db.$client, (store = createSqliteStore(db)));
  return store;
}
