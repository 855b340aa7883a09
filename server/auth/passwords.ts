// Password hashing with Node's scrypt (memory-hard; docs/decisions/019): no native package to build
// or download, and the parameters are stored with each hash so they can be raised later.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../contract/admin-api';
import { DomainError } from '../errors';

/** N = 2^15, r = 8, p = 3: 32 MiB per hash, one of OWASP's recommended scrypt settings (equivalent to N = 2^17, p = 1). */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 3 } as const;
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, o: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: 256 * o.N * o.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** `scrypt$N$r$p$<salt b64url>$<key b64url>` */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT_PARAMS);
  return ['scrypt', SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, key] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash of nothing anyone knows, verified against for an unknown account so its answer takes as long. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  return (dummyHash ??= hashPassword(randomBytes(16).toString('hex')));
}

let common: Set<string> | undefined;
/** The committed list of common passwords (server/auth/common-passwords.txt, one a line, lower case). */
export function commonPasswords(): Set<string> {
  if (!common) {
    const file = fileURLToPath(new URL('./common-passwords.txt', import.meta.url));
    common = new Set(fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim().toLowerCase()).filter((l) => l && !l.startsWith('#')));
  }
  return common;
}

/**
 * Refuses a password that is too short or long, on the common list (also with digits or
 * punctuation stripped from its ends), one character repeated, or containing the account's e-mail name.
 * @throws DomainError bad_data weak_password
 */
export function checkNewPassword(password: string, email: string): void {
  const weak = (why: string) => new DomainError('bad_data', 'weak_password', `The new password ${why}; choose a longer phrase of your own (at least ${PASSWORD_MIN_LENGTH} characters).`);
  if ([...password].length < PASSWORD_MIN_LENGTH) throw weak(`has fewer than ${PASSWORD_MIN_LENGTH} characters`);
  if (password.length > PASSWORD_MAX_LENGTH) throw weak(`has more than ${PASSWORD_MAX_LENGTH} characters`);
  const lower = password.toLowerCase();
  const list = commonPasswords();
  const core = lower.replace(/^[\d\W_]+|[\d\W_]+$/g, '');
  if (list.has(lower) || (core.length > 0 && list.has(core))) throw weak('is on the list of common passwords');
  if (new Set(lower).size <= 2) throw weak('repeats one or two characters');
  const local = email.split('@')[0]!.toLowerCase();
  if (local.length >= 4 && lower.includes(local)) throw weak('contains your e-mail name');
}

/** A one-time password: 18 random bytes, base64url (24 characters, 144 bits). */
export function newOneTimePassword(): string {
  return randomBytes(18).toString('base64url');
}
