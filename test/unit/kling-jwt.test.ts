import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KlingTokenCache, mintKlingToken, NOT_BEFORE_SLACK_SECONDS, REFRESH_MARGIN_MS, TOKEN_LIFETIME_SECONDS } from '../../src/main/engines/kling/jwt';

const keys = { accessKey: 'AK-kling-0123456789', secretKey: 'SK-kling-secret-9876543210' };
const T0 = Date.UTC(2026, 10, 21, 12, 0, 0, 250);

function decode(token: string) {
  const [head, claims, signature] = token.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(head, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(claims, 'base64url').toString()) as Record<string, unknown>,
    signatureValid: createHmac('sha256', keys.secretKey).update(`${head}.${claims}`).digest('base64url') === signature,
  };
}

describe('mintKlingToken', () => {
  it('is an HS256 JWT signed with the secret key: iss = access key, exp in 30 min, nbf 5 s back (whole seconds)', () => {
    const { token, expiresAt } = mintKlingToken(keys, T0);
    const { header, payload, signatureValid } = decode(token);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    const seconds = Math.floor(T0 / 1000);
    expect(payload).toEqual({ iss: keys.accessKey, exp: seconds + TOKEN_LIFETIME_SECONDS, nbf: seconds - NOT_BEFORE_SLACK_SECONDS });
    expect(signatureValid).toBe(true);
    expect(expiresAt).toBe((seconds + TOKEN_LIFETIME_SECONDS) * 1000);
    expect(token).not.toContain(keys.secretKey);
    expect(token).not.toMatch(/[+/=]/); // base64url, no padding
  });
});

describe('KlingTokenCache', () => {
  it('reuses the token until the refresh margin before exp, then mints a new one', () => {
    let now = T0;
    const cache = new KlingTokenCache(() => now);
    const first = cache.tokenFor(keys);
    const refreshAt = mintKlingToken(keys, T0).expiresAt - REFRESH_MARGIN_MS;

    now = refreshAt - 1;
    expect(cache.tokenFor(keys)).toBe(first);

    now = refreshAt;
    const second = cache.tokenFor(keys);
    expect(second).not.toBe(first);
    expect(decode(second).payload.exp).toBe(Math.floor(refreshAt / 1000) + TOKEN_LIFETIME_SECONDS);
    expect(cache.tokenFor(keys)).toBe(second);
  });

  it('never hands out a token that has already expired, even after a long sleep', () => {
    let now = T0;
    const cache = new KlingTokenCache(() => now);
    cache.tokenFor(keys);
    now = T0 + 10 * 3_600_000;
    const { payload } = decode(cache.tokenFor(keys));
    expect(payload.exp as number).toBeGreaterThan(now / 1000);
    expect(payload.nbf as number).toBeLessThanOrEqual(now / 1000);
  });

  it('mints anew when the keys change (they are read at call time)', () => {
    const cache = new KlingTokenCache(() => T0);
    const first = cache.tokenFor(keys);
    const rotated = cache.tokenFor({ ...keys, secretKey: 'SK-rotated-secret-000000' });
    expect(rotated).not.toBe(first);
    expect(decode(rotated).signatureValid).toBe(false); // signed with the new secret, not the old one
    expect(cache.tokenFor({ ...keys, accessKey: 'AK-other' })).not.toBe(rotated);
  });
});
