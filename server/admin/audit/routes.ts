// The console's audit view: the append-only log, filtered and paginated (server/audit/service.ts).
import { queryAudit } from '../../audit/service';
import { HttpError } from '../../http/errors';
import type { AdminDeps, Handlers } from '../router';

export function auditHandlers({ store }: AdminDeps): Pick<Handlers, 'audit'> {
  return {
    audit: async ({ query }) => {
      const { limit, cursor, ...filter } = query;
      if (cursor !== undefined && !/^\d{1,15}$/.test(cursor)) throw new HttpError(422, 'invalid_request', 'invalid request query: query.cursor: not a cursor this list gave', [{ field: 'query.cursor', message: 'not a cursor this list gave' }]);
      const page = await queryAudit(store.sql, filter, limit ?? 50, cursor === undefined ? undefined : Number(cursor));
      return {
        items: page.rows.map((r) => ({ id: r.id, at: r.at, actor: r.actor, action: r.action, subjectType: r.subjectType, subjectId: r.subjectId, before: r.before ?? null, after: r.after ?? null, reason: r.reason })),
        nextCursor: page.next === null ? null : String(page.next),
      };
    },
  };
}
