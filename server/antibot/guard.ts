// The open link's protection against ballot stuffing (issue 14, docs/decisions/021), as the
// respondent routes use it: `check` before a write (limits, proof of work: async, outside the
// write queue), then `claim` and `record` inside the write's job (synchronous, in the same
// savepoint as the response, so a spent challenge and the signals are stored exactly with it).
// Invitations are exempt: they are single use already.
//
// Enforcement can be switched off (KELISIM_ANTIBOT=off, load tests and benchmarks): the limits
// and the proof of work are then not required, but what was seen is still recorded, so the
// run-time flags (analysis/quality.ts) still mark scripted answers.
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { POW_HEADER, type ChallengeAnswer } from '../../contract/antibot';
import type { Db } from '../db/open';
import { DomainError } from '../errors';
import { resolveLink } from '../invitations/sqlite-sync';
import { DEFAULT_LIMITS, createLimiters, type OpenLinkLimits } from './limits';
import { claimPow, issueChallenge, verifyPow, type SolvedPow } from './pow';
import { addressHash, powKey, waveSecret } from './secrets';

export interface AntibotOptions {
  /** false: KELISIM_ANTIBOT=off — nothing is refused, signals are still recorded. */
  enforce: boolean;
  limits?: OpenLinkLimits;
}

/** What `check` learnt about an open-link write, carried into its job. */
export interface Ticket {
  waveId: number;
  addressHash: string;
  /** The write creates the response. */
  isNew: boolean;
  /** The verified proof of work of a new response (undefined: none or invalid — only when not enforced). */
  pow: SolvedPow | undefined;
}

export interface Antibot {
  readonly enforce: boolean;
  /** GET /api/links/:link/challenge */
  challenge(link: string): Promise<ChallengeAnswer>;
  /**
   * Before a partial save or a completion of response `id` through `link`: undefined when the
   * protection does not apply (an invitation, an unknown link, a closed wave, an already finished
   * response: the service answers those). Sets Retry-After on `res` before a 429.
   * @throws DomainError rate_limited (too_many_responses, wave_busy) or refused (pow_required, pow_invalid)
   */
  check(req: Request, res: Response, link: string, id: string, kind: 'save' | 'complete'): Promise<Ticket | undefined>;
  /** Inside the write's job, before the response is written: spends its proof of work. @throws DomainError refused pow_reused */
  claim(db: Db, ticket: Ticket | undefined): void;
  /** Inside the write's job, after the response was written: records the signals of the quality flags. */
  record(db: Db, ticket: Ticket | undefined, id: string, completedAnswers?: Record<string, unknown>): void;
}

/** Canonical JSON (sorted keys at every level), so equal answers give one text whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 of the canonical answers: equal for two interviews with identical answers to every question. */
export function answersHash(answers: Record<string, unknown>): string {
  return createHash('sha256').update(canonical(answers)).digest('hex');
}

function prepare(db: Db) {
  const sqlite = db.$client;
  return {
    status: sqlite.prepare<[string], string>('SELECT status FROM responses WHERE id = ?').pluck(),
    upsert: sqlite.prepare<[string, string | null, number | null, string | null]>(`INSERT INTO response_signals (response_id, address_hash, pow_ok, answers_hash)
      VALUES (?, ?, ?, ?) ON CONFLICT (response_id) DO UPDATE SET
        address_hash = coalesce(excluded.address_hash, address_hash), answers_hash = coalesce(excluded.answers_hash, answers_hash)`),
  };
}

export function createAntibot(db: Db, options: AntibotOptions): Antibot {
  const limiters = createLimiters(db, options.limits ?? DEFAULT_LIMITS);
  const s = prepare(db);
  const { enforce } = options;
  return {
    enforce,
    async challenge(link) {
      const resolved = resolveLink(db, link);
      if (!resolved) throw new DomainError('not_found', 'link_not_found', 'This survey link does not exist. Check that it was copied completely.');
      if (resolved.kind !== 'open') return { required: false };
      const secret = waveSecret(db, resolved.wave.id);
      if (!secret) throw new DomainError('conflict', 'wave_closed', `The survey wave "${resolved.wave.titleEn}" is closed; it no longer accepts answers.`);
      return { required: enforce, challenge: await issueChallenge(powKey(secret), resolved.wave.id) };
    },

    async check(req, res, link, id, kind) {
      const resolved = resolveLink(db, link);
      if (!resolved || resolved.kind !== 'open' || resolved.wave.status !== 'open') return undefined;
      const status = s.status.get(id);
      if (status !== undefined && status !== 'partial') return undefined;
      const secret = waveSecret(db, resolved.wave.id);
      if (!secret) return undefined;
      const waveId = resolved.wave.id;
      const address = addressHash(secret, req.ip ?? req.socket.remoteAddress);
      const isNew = status === undefined;
      if (enforce) {
        const retryAfter = (seconds: number) => res.setHeader('Retry-After', String(seconds));
        // The limits before the proof of work: a refused request costs one counter update.
        if (isNew) await limiters.newResponse(waveId, address, retryAfter);
        if (kind === 'complete') await limiters.completion(waveId, address, retryAfter);
      }
      let pow: SolvedPow | undefined;
      if (isNew) {
        const header = req.get(POW_HEADER);
        pow = await verifyPow(powKey(secret), waveId, header);
        if (!pow && enforce) {
          throw header
            ? new DomainError('refused', 'pow_invalid', 'The proof of work sent with this response is not valid for this survey (or has expired). Reload the survey page to get a new one.')
            : new DomainError('refused', 'pow_required', `Starting a response through the open link needs a solved proof of work in the ${POW_HEADER} header (GET /api/links/<link>/challenge). Reload the survey page.`);
        }
      }
      return { waveId, addressHash: address, isNew, pow };
    },

    claim(jobDb, ticket) {
      if (!ticket?.isNew || !ticket.pow) return;
      try {
        claimPow(jobDb, ticket.pow);
      } catch (err) {
        if (enforce) throw err;
        ticket.pow = undefined; // reused: recorded as no proof of work
      }
    },

    record(jobDb, ticket, id, completedAnswers) {
      if (!ticket) return;
      const powOk = ticket.isNew ? (ticket.pow ? 1 : 0) : null;
      (jobDb === db ? s : prepare(jobDb)).upsert.run(id, ticket.addressHash, powOk, completedAnswers ? answersHash(completedAnswers) : null);
    },
  };
}
