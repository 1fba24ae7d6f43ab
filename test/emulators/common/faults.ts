/**
 * The fault knobs every provider emulator has, so that a test can make any emulator
 * behave as badly as its real provider does. Counted knobs fire on the next N matching
 * requests and then stop; switches stay until turned off. Each emulator words a fault in
 * its own protocol (a 429 is `{code: 1302}` from Kling and RESOURCE_EXHAUSTED from
 * Google); this file only decides when a fault fires.
 */

/** Which calls a fault applies to. */
export type FaultRoute = 'create' | 'poll' | 'download' | 'lookup' | 'cancel';

export interface FaultKnobs {
  /** The next N creates answer 429 with Retry-After: `retryAfterSeconds`. No job is made. */
  rateLimitCreates: number;
  retryAfterSeconds: number;
  /** The next N API calls (creates, polls, lookups, cancels) answer `serverErrorStatus` (default 503). No job is made. */
  serverErrors: number;
  serverErrorStatus: number;
  /** Every API call answers 503 (maintenance) until turned off: the provider is down. */
  down: boolean;
  /** The next N calls on `hangRoutes` are accepted and never answered: the client must time out. */
  hangs: number;
  hangRoutes: FaultRoute[];
  /**
   * The next N creates MAKE the job (it runs and bills) and then lose the answer: the
   * connection hangs, is reset, or a gateway answers 502. What a create timeout looks like.
   */
  lostCreateAnswers: number;
  lostCreateAnswerAs: 'hang' | 'reset' | 'bad_gateway';
  /** The next N JSON answers of API calls are cut off mid-document (status 200). */
  malformedJson: number;
  /** The next N jobs created end in the provider's content-policy failure (unbilled). */
  contentPolicy: number;
  /** Downloads are sent at this many bytes per second (null: as fast as possible). */
  slowDownloadBytesPerSecond: number | null;
  /** The next N downloads send half the file under a full Content-Length, then drop the connection. */
  truncatedDownloads: number;
  /** Every output link issued so far answers as expired (each protocol's own way); links issued later work. */
  expiredBefore: number;
}

export const NO_FAULTS: Readonly<FaultKnobs> = {
  rateLimitCreates: 0,
  retryAfterSeconds: 2,
  serverErrors: 0,
  serverErrorStatus: 503,
  down: false,
  hangs: 0,
  hangRoutes: ['create', 'poll'],
  lostCreateAnswers: 0,
  lostCreateAnswerAs: 'hang',
  malformedJson: 0,
  contentPolicy: 0,
  slowDownloadBytesPerSecond: null,
  truncatedDownloads: 0,
  expiredBefore: 0,
};

type CountedKnob = 'rateLimitCreates' | 'serverErrors' | 'hangs' | 'lostCreateAnswers' | 'malformedJson' | 'contentPolicy' | 'truncatedDownloads';

/** How often each fault actually fired: what a test reads to prove the fault was exercised. */
export type FaultsFired = Record<CountedKnob | 'down' | 'expired', number>;

export class Faults {
  knobs: FaultKnobs = { ...NO_FAULTS, hangRoutes: [...NO_FAULTS.hangRoutes] };
  readonly fired: FaultsFired = {
    rateLimitCreates: 0,
    serverErrors: 0,
    hangs: 0,
    lostCreateAnswers: 0,
    malformedJson: 0,
    contentPolicy: 0,
    truncatedDownloads: 0,
    down: 0,
    expired: 0,
  };

  set(changes: Partial<FaultKnobs>): void {
    this.knobs = { ...this.knobs, ...changes };
  }

  reset(): void {
    this.knobs = { ...NO_FAULTS, hangRoutes: [...NO_FAULTS.hangRoutes] };
  }

  /** Makes every output link issued up to now answer as expired. */
  expireIssuedLinks(now: number = Date.now()): void {
    this.knobs.expiredBefore = now + 1;
  }

  /** True (and one fewer left) when a counted fault fires now. */
  take(knob: CountedKnob): boolean {
    if (this.knobs[knob] <= 0) return false;
    this.knobs[knob] -= 1;
    this.fired[knob] += 1;
    return true;
  }

  /** The generic fault for an API call, if one fires now (checked in this order). */
  takeCallFault(route: FaultRoute): 'down' | 'server_error' | 'hang' | 'rate_limited' | null {
    if (route === 'download') return null;
    if (this.knobs.down) {
      this.fired.down += 1;
      return 'down';
    }
    if (this.knobs.hangRoutes.includes(route) && this.take('hangs')) return 'hang';
    if (this.take('serverErrors')) return 'server_error';
    if (route === 'create' && this.take('rateLimitCreates')) return 'rate_limited';
    return null;
  }

  linkExpired(issuedAt: number): boolean {
    const expired = issuedAt < this.knobs.expiredBefore;
    if (expired) this.fired.expired += 1;
    return expired;
  }
}
