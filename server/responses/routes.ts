// HTTP routes of the respondent API (docs/decisions/001). Parsing and status codes only; the
// journey itself is in service.ts, on the store (decision 027). Every request and answer shape is
// the contract's (contract/respondent-api.ts), which the client imports too.
import { Router } from 'express';
import { completeBody, linkParams, partialSaveBody, responseParams } from '../../contract/respondent-api';
import type { Antibot } from '../antibot/guard';
import type { Store } from '../db/store';
import { sendJson } from '../http/compression';
import { parseBody, parseParams } from '../http/validate';
import { completeResponse, getLinkState, getResponseState, inWrite, savePartial, type RespondentDb } from './service';

/**
 * The respondent API, mounted at /api/links (server/features.ts): its paths are relative to that.
 */
export function responsesRouter(store: Store, antibot?: Antibot): Router {
  const router = Router();
  const reads: RespondentDb = { sql: store.sql, store };

  // The completion first: it is the hot path, and Express tries the routes in order (the paths
  // do not overlap, so the order changes nothing else).
  router.post('/:link/responses/:id/complete', async (req, res) => {
    const { link, id } = parseParams(req, responseParams);
    const body = parseBody(req, completeBody);
    // The open link's limits and proof of work (server/antibot): checked before, spent and recorded inside the write.
    const ticket = await antibot?.check(req, res, link, id, 'complete');
    // Acknowledged only after the transaction holding it is durable (fsync'd / committed).
    const result = await store.write(async (tx) => {
      await antibot?.claim(tx, ticket);
      const done = await completeResponse(inWrite(reads, tx), link, id, body);
      if (done.created) await antibot?.record(tx, ticket, id, body.data);
      return done;
    });
    res.status(result.created ? 201 : 200).json(result.body);
  });

  router.get('/:link', async (req, res) => {
    const { link } = parseParams(req, linkParams);
    // Carries the whole survey JSON (~60 KB for the official one): worth gzipping for phones.
    await sendJson(req, res, 200, await getLinkState(reads, link));
  });

  // A proof-of-work challenge for the open link (server/antibot); an invitation needs none.
  router.get('/:link/challenge', async (req, res) => {
    const { link } = parseParams(req, linkParams);
    res.json(antibot ? await antibot.challenge(link) : { required: false });
  });

  router.get('/:link/responses/:id', async (req, res) => {
    const { link, id } = parseParams(req, responseParams);
    await sendJson(req, res, 200, await getResponseState(reads, link, id));
  });

  router.put('/:link/responses/:id', async (req, res) => {
    const { link, id } = parseParams(req, responseParams);
    const body = parseBody(req, partialSaveBody);
    const ticket = await antibot?.check(req, res, link, id, 'save');
    res.json(await store.write(async (tx) => {
      await antibot?.claim(tx, ticket);
      const saved = await savePartial(inWrite(reads, tx), link, id, body);
      if (ticket?.isNew) await antibot?.record(tx, ticket, id);
      return saved;
    }));
  });

  return router;
}
