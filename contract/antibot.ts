// The open link's protection as the respondent page and the server both see it (issue 14,
// docs/decisions/021-open-link-protection.md). Pure: no node:, express or DOM imports.
import { z } from 'zod/mini';

/** Request header carrying a solved proof of work: base64 of the JSON ALTCHA payload. */
export const POW_HEADER = 'x-kelisim-pow';

/** GET /api/links/:link/challenge: an ALTCHA (v1) challenge, or none needed (an invitation). */
export const challengeAnswer = z.object({
  required: z.boolean(),
  challenge: z.optional(z.object({
    algorithm: z.literal('SHA-256'),
    challenge: z.string(),
    maxnumber: z.int(),
    salt: z.string(),
    signature: z.string(),
  })),
});
export type ChallengeAnswer = z.infer<typeof challengeAnswer>;
export type PowChallenge = NonNullable<ChallengeAnswer['challenge']>;

/** The solved payload sent back in {@link POW_HEADER} (ALTCHA's `Payload`). */
export interface PowPayload {
  algorithm: 'SHA-256';
  challenge: string;
  number: number;
  salt: string;
  signature: string;
}

/** Error codes of the protection; the page shows its own translated text for each. */
export const ANTIBOT_ERROR_CODES = ['too_many_responses', 'wave_busy', 'pow_required', 'pow_invalid', 'pow_reused'] as const;
export type AntibotErrorCode = (typeof ANTIBOT_ERROR_CODES)[number];

/** Encodes a solved payload for {@link POW_HEADER} (ASCII JSON, so btoa is safe). */
export function encodePow(payload: PowPayload): string {
  return btoa(JSON.stringify(payload));
}
