import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { sha256Hex, sha256HexSync } from '../../../client/respond/sha256';

const reference = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

// Lengths around the padding boundaries (55/56/64 bytes), multi-block input, non-ASCII text and
// a real invitation-token shape.
const INPUTS = ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(63), 'a'.repeat(64), 'x'.repeat(1000), 'Қазақстан — Казахстан', 'Hq3_-rV9xk2mZpA7bN0cYtL4wE8sD1fG6hJ5uI2oP3q'];

describe('sha256', () => {
  test.each(INPUTS)('the fallback (no crypto.subtle, plain http) matches node:crypto for %j', (input) => {
    expect(sha256HexSync(input)).toBe(reference(input));
  });

  test('crypto.subtle and the fallback give the same hex', async () => {
    for (const input of INPUTS) expect(await sha256Hex(input)).toBe(sha256HexSync(input));
  });
});
