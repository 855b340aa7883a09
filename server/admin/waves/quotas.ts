// The console's quota routes over the quotas feature (server/quotas/service.ts, docs/decisions/022):
// the same service `kelisim quota set|show` calls, answered in the console contract's shape.
import type { QuotaState } from '../../../contract/admin-api';
import type { QuotaFill } from '../../../contract/quotas';
import { parseCsvText } from '../../tables/read-table';
import { quotaFill, quotaTargetsFromTable, setQuotas } from '../../quotas/service';
import type { QuotaSeam } from './routes';

/** A cell's fill as the console shows it: places held and completed together, and the overshoot. */
function toState(fill: QuotaFill): QuotaState {
  return {
    waveId: fill.waveId,
    cells: fill.cells.map((c) => ({ region: c.region, sex: c.sex, ageBand: c.ageBand, target: c.target, filled: c.reserved + c.completed, overshoot: c.overshoot })),
  };
}

export const quotaRoutes: QuotaSeam = {
  get: async (store, waveId) => toState(await quotaFill(store.sql, waveId)),
  put: async (store, waveId, cells, actor, now) => toState(await setQuotas(store, waveId, cells, actor, now)),
  importCsv: async (store, waveId, csv, actor, now) => {
    const { targets, where } = quotaTargetsFromTable(parseCsvText(csv, 'the uploaded quota file'));
    return toState(await setQuotas(store, waveId, targets, actor, now, where));
  },
};
