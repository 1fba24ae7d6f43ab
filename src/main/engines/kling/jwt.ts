/**
 * Kling authenticates every call with a short-lived HS256 JWT the client signs itself
 * with the account's secret key (there is no SDK to do it). Minting is pure and cheap,
 * but a token is reused until shortly before it expires: a call that starts with a
 * token about to lapse could be refused mid-flight (code 1004) and a refused create
 * makes the pipeline wait for nothing.
 * Claims per Kling's docs (reference/provider-facts.md §4): iss = access key,
 * exp = now + 30 min, nbf = now - 5 s (a little slack for clocks running ahead).
 */
import { createHmac } from 'node:crypto';

export interface KlingKeys {
  accessKey: string;
  secretKey: string;
}

export interface MintedToken {
  token: string;
  /** Epoch ms of the `exp` claim. */
  expiresAt: number;
}

/** Kling's documented example lifetime; the server takes longer ones, but nothing is gained by them. */
export const TOKEN_LIFETIME_SECONDS = 1800;
/** Backdated so a server clock slightly behind ours does not answer "not yet valid" (1003). */
export const NOT_BEFORE_SLACK_SECONDS = 5;
/** A token is replaced this long before its `exp`: longer than any one call may take (the boundary's submit limit is 2 min). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A signed token valid from `now` (epoch ms) for TOKEN_LIFETIME_SECONDS. */
export function mintKlingToken(keys: KlingKeys, now: number): MintedToken {
  const seconds = Math.floor(now / 1000);
  const exp = seconds + TOKEN_LIFETIME_SECONDS;
  const unsigned = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url({ iss: keys.accessKey, exp, nbf: seconds - NOT_BEFORE_SLACK_SECONDS })}`;
  const signature = createHmac('sha256', keys.secretKey).update(unsigned).digest('base64url');
  return { token: `${unsigned}.${signature}`, expiresAt: exp * 1000 };
}

/**
 * One token at a time, re-minted when the keys change (they are read at call time and
 * may be edited while the app runs) or when it comes within REFRESH_MARGIN_MS of expiry.
 */
export class KlingTokenCache {
  private current: (MintedToken & { keys: KlingKeys }) | undefined;

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly refreshMarginMs: number = REFRESH_MARGIN_MS,
  ) {}

  tokenFor(keys: KlingKeys): string {
    const now = this.clock();
    const cached = this.current;
    const sameKeys = cached !== undefined && cached.keys.accessKey === keys.accessKey && cached.keys.secretKey === keys.secretKey;
    if (sameKeys && now < cached.expiresAt - this.refreshMarginMs) return cached.token;
    const minted = mintKlingToken(keys, now);
    this.current = { ...minted, keys: { ...keys } };
    return minted.token;
  }
}
