/**
 * A storyboard's identity: SHA-256 of its validated form as canonical JSON (keys sorted,
 * no whitespace), so YAML and JSON spellings, key order, comments and defaults written
 * out or left implicit all hash the same.
 */
import { createHash } from 'node:crypto';
import type { Storyboard } from '../../shared/storyboard';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const record = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key]]));
  });
}

export function storyboardDigest(storyboard: Storyboard): string {
  return createHash('sha256').update(canonicalJson(storyboard)).digest('hex');
}
