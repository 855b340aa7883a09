// pg-quotas: the respondent path's calls into server/quotas, until quotas move to the store
// (decision 027, step 2). The coordinator joins them when merging: each body becomes the moved
// quotas function called with `tx`.
//
// On SQLite: quotas' current synchronous functions on the same connection (FeatureDeps.db), so
// inside the same write transaction as the response. On PostgreSQL, until then, only what needs
// no quota logic: a wave without quota targets admits everyone (what claimQuotaPlace answers for
// it, after one lookup and writing nothing), a response's screen reason is read from its
// reservation, and a save in a wave WITH targets fails naming the missing move (an internal
// error, never a silently uncounted place).
import { sql as q } from 'drizzle-orm';
import type { Db } from '../db/open';
import { quotaReservations, quotaTargets } from '../db/schema';
import { statement, type Sql } from '../db/sql';
import { claimQuotaPlace, screenReasonOf, type QuotaClaim } from '../quotas/service';
import type { ScreenReason } from '../../contract/quotas';

const hasTargets = statement<{ waveId: number }>('responses.quotaBridge.hasTargets', (p) =>
  q`SELECT 1 AS "one" FROM ${quotaTargets} WHERE ${quotaTargets.waveId} = ${p.waveId} LIMIT 1`);
const refused = statement<{ id: string }>('responses.quotaBridge.refused', (p) =>
  q`SELECT 1 AS "one" FROM ${quotaReservations} WHERE ${quotaReservations.responseId} = ${p.id} AND ${quotaReservations.state} = 'refused'`);

/** Takes, keeps, counts or gives back the response's quota place; 'quota_full' when its cell is full. Call inside the write. */
export async function claimPlace(tx: Sql, db: Db, claim: QuotaClaim, now: Date): Promise<'admitted' | 'quota_full'> {
  // pg-quotas: claimQuotaPlace(tx, claim, now) once moved.
  if (tx.dialect === 'sqlite') return claimQuotaPlace(db, claim, now);
  if (!(await tx.prepared(hasTargets).get({ waveId: claim.waveId }))) return 'admitted';
  throw new Error(`wave ${claim.waveId} has quota targets, and quotas (server/quotas) have not moved to the store yet: a place cannot be taken on ${tx.dialect} (decision 027)`);
}

/** Why a screened-out response was screened out, when it was its quota. */
export async function screenReason(sql: Sql, db: Db, responseId: string): Promise<ScreenReason | undefined> {
  // pg-quotas: screenReasonOf(sql, responseId) once moved.
  if (sql.dialect === 'sqlite') return screenReasonOf(db, responseId);
  return (await sql.prepared(refused).get({ id: responseId })) ? 'quota_full' : undefined;
}
