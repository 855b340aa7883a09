// The page's proof-of-work solver (client/respond/antibot.ts) against node:crypto and altcha-lib's
// own challenges: it finds exactly the number the server hid, for salts of every block length.
import { createHash } from 'node:crypto';
import { createChallenge, verifySolution } from 'altcha-lib/v1';
import { describe, expect, it } from 'vitest';
import { saltTester, solvePow } from '../../../client/respond/antibot';

describe('saltTester', () => {
  it('says yes exactly for the n whose SHA-256(salt + n) is the challenge, for salts of 0 to 130 bytes', () => {
    for (let len = 0; len <= 130; len += 7) {
      const salt = 'abcdefghij'.repeat(14).slice(0, len);
      for (const n of [0, 7, 99, 12_345, 999_999]) {
        const challenge = createHash('sha256').update(salt + n).digest('hex');
        const test = saltTester(salt, challenge);
        expect(test(n)).toBe(true);
        expect(test(n + 1)).toBe(false);
      }
    }
  });
});

describe('solvePow', () => {
  it('solves altcha-lib challenges, and the server accepts the solution', async () => {
    for (let k = 0; k < 3; k++) {
      const c = await createChallenge({ hmacKey: 'key', maxNumber: 20_000, expires: new Date(Date.now() + 60_000), params: { wave: '1' } });
      const started = performance.now();
      const number = await solvePow({ algorithm: 'SHA-256', challenge: c.challenge, maxnumber: c.maxnumber!, salt: c.salt, signature: c.signature });
      const ms = performance.now() - started;
      expect(number).not.toBeNull();
      expect(await verifySolution({ algorithm: 'SHA-256', challenge: c.challenge, number: number!, salt: c.salt, signature: c.signature }, 'key')).toBe(true);
      console.info(`[antibot solver] n = ${number} found in ${ms.toFixed(0)} ms (${((ms * 1000) / (number! + 1)).toFixed(1)} µs a hash, Node)`);
    }
  });
  it('gives null for a challenge without a solution up to maxnumber', async () => {
    expect(await solvePow({ algorithm: 'SHA-256', challenge: '0'.repeat(64), maxnumber: 50, salt: 'x', signature: 's' })).toBeNull();
  });
});
