// Console handlers of responses: the paginated list, one response, a flag overrule.
import { flagParams, responseIdParam } from '../../../contract/admin-api';
import { parseParams } from '../../http/validate';
import type { AdminDeps, Handlers } from '../router';
import { listResponses, overruleFlag, responseDetail } from './service';

export function responseHandlers({ store }: AdminDeps): Pick<Handlers, 'listResponses' | 'getResponse' | 'overruleFlag'> {
  return {
    listResponses: ({ query }) => listResponses(store.sql, query),
    getResponse: ({ req, query }) => responseDetail(store.sql, parseParams(req, responseIdParam).id, query.locale ?? 'ru'),
    overruleFlag: async ({ req, body, query: _q, actor, now }) => {
      const { id, flag } = parseParams(req, flagParams);
      await overruleFlag(store, id, flag, body.reason, actor, now);
      return responseDetail(store.sql, id, 'ru');
    },
  };
}
