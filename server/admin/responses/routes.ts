// Console handlers of responses: the paginated list, one response, a flag overrule.
import { flagParams, responseIdParam } from '../../../contract/admin-api';
import { parseParams } from '../../http/validate';
import type { AdminDeps, Handlers } from '../router';
import { listResponses, overruleFlag, responseDetail } from './service';

export function responseHandlers({ db }: AdminDeps): Pick<Handlers, 'listResponses' | 'getResponse' | 'overruleFlag'> {
  return {
    listResponses: ({ query }) => listResponses(db, query),
    getResponse: ({ req, query }) => responseDetail(db, parseParams(req, responseIdParam).id, query.locale ?? 'ru'),
    overruleFlag: ({ req, body, query: _q, actor, now }) => {
      const { id, flag } = parseParams(req, flagParams);
      overruleFlag(db, id, flag, body.reason, actor, now);
      return responseDetail(db, id, 'ru');
    },
  };
}
