/**
 * API key format `ck_<prefix>_<secret>`: the prefix (public, 12 hex) finds the row, the secret
 * (32 random bytes) is only stored as its SHA-256 — enough for a high-entropy secret — and
 * compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface GeneratedKey {
  prefix: string;
  secretHash: string;
  /** The whole key, shown once. */
  plaintext: string;
}

export function generateApiKey(): GeneratedKey {
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { prefix, secretHash: hashSecret(secret), plaintext: `ck_${prefix}_${secret}` };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function parseApiKey(key: string): { prefix: string; secret: string } | null {
  const match = /^ck_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(key.trim());
  return match ? { prefix: match[1]!, secret: match[2]! } : null;
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
