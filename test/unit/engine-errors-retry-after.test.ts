import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseRetryAfter, readHeader } from '../../src/main/engines/errors';

const NOW = Date.parse('2026-11-21T12:00:00Z');

describe('parseRetryAfter', () => {
  it('reads retry-after-ms as float milliseconds, rounded up', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '1500' }), NOW)).toBe(1500);
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '12.25' }), NOW)).toBe(13);
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '0' }), NOW)).toBe(0);
  });

  it('prefers retry-after-ms over retry-after, like the Stainless SDKs', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '250', 'retry-after': '30' }), NOW)).toBe(250);
  });

  it('falls back to retry-after when retry-after-ms is garbage', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': 'soon', 'retry-after': '2' }), NOW)).toBe(2000);
  });

  it('reads retry-after as delta-seconds, fractions included', () => {
    expect(parseRetryAfter({ 'retry-after': '30' }, NOW)).toBe(30_000);
    expect(parseRetryAfter({ 'retry-after': '0.5' }, NOW)).toBe(500);
    expect(parseRetryAfter({ 'retry-after': ' 7 ' }, NOW)).toBe(7000);
  });

  it('reads retry-after as an HTTP-date relative to now', () => {
    expect(parseRetryAfter({ 'retry-after': 'Sat, 21 Nov 2026 12:00:45 GMT' }, NOW)).toBe(45_000);
    // RFC 850 and asctime forms are legal HTTP-dates too.
    expect(parseRetryAfter({ 'retry-after': 'Saturday, 21-Nov-26 12:01:00 GMT' }, NOW)).toBe(60_000);
    expect(parseRetryAfter({ 'retry-after': 'Sat Nov 21 12:00:10 2026' }, Date.parse('2026-11-21T12:00:00'))).toBe(10_000);
  });

  it('never returns a negative wait for a date in the past', () => {
    expect(parseRetryAfter({ 'retry-after': 'Sat, 21 Nov 2026 11:00:00 GMT' }, NOW)).toBe(0);
  });

  it('caps absurd values at 24 hours', () => {
    expect(parseRetryAfter({ 'retry-after': '999999999' }, NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter({ 'retry-after-ms': '1e400' }, NOW)).toBeUndefined(); // not a decimal at all
    expect(parseRetryAfter({ 'retry-after': 'Fri, 01 Jan 2100 00:00:00 GMT' }, NOW)).toBe(24 * 60 * 60 * 1000);
  });

  it('gives undefined for garbage and for nothing', () => {
    for (const value of ['soon', '-5', '5 apples', 'Infinity', 'NaN', '', '0x10', '1e3', 'Mon, 99 Foo 2026 25:61:61 GMT']) {
      expect(parseRetryAfter({ 'retry-after': value }, NOW), value).toBeUndefined();
    }
    // A bare "1" is one second, not Date.parse's year 2001.
    expect(parseRetryAfter({ 'retry-after': '1' }, NOW)).toBe(1000);
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter({}, NOW)).toBeUndefined();
    expect(parseRetryAfter(new Headers(), NOW)).toBeUndefined();
  });

  it('matches plain-object keys without regard to case, and takes the first of repeated values', () => {
    expect(parseRetryAfter({ 'Retry-After': '3' }, NOW)).toBe(3000);
    expect(parseRetryAfter({ 'RETRY-AFTER-MS': '40' }, NOW)).toBe(40);
    expect(parseRetryAfter({ 'retry-after': ['4', '9'] }, NOW)).toBe(4000);
    expect(parseRetryAfter({ 'retry-after': undefined, 'x-other': 'a' }, NOW)).toBeUndefined();
  });

  it('uses the real clock when no now is given', () => {
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const parsed = parseRetryAfter({ 'retry-after': inTenSeconds });
    expect(parsed).toBeGreaterThan(8000);
    expect(parsed).toBeLessThanOrEqual(10_000);
  });
});

describe('readHeader', () => {
  it('reads WHATWG Headers, plain objects and numbers', () => {
    expect(readHeader(new Headers({ 'X-Request-Id': 'abc' }), 'x-request-id')).toBe('abc');
    expect(readHeader({ 'content-length': 12 }, 'Content-Length')).toBe('12');
    expect(readHeader({ a: null }, 'a')).toBeUndefined();
  });
});
