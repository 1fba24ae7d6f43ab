/**
 * Errors of the signing identity and of the timestamp client. None of them ever quotes a
 * private key, a password or a URL's credentials: messages are built from our own words,
 * certificate names and fingerprints, and a URL's host.
 */
import { ShotlineError, UserError } from '../../../shared/errors';

/** Something the user can fix about the identity (an unreadable import, a chain that breaks a C2PA rule, a missing key). */
export class IdentityError extends UserError {
  override name = 'IdentityError';
}

/** No identity in this data directory yet. */
export class NoIdentityError extends IdentityError {
  override name = 'NoIdentityError';
  constructor(dataDir: string) {
    super(`there is no signing identity in ${dataDir} yet: one is created on first signing, or import your own (PEM or PKCS#12)`);
  }
}

/**
 * The OS keychain cannot keep the identity's private keys. Shotline never falls back to
 * a key file, so the fix is a working keychain (or not signing).
 */
export class IdentityKeychainError extends UserError {
  override name = 'IdentityKeychainError';
  constructor(
    readonly action: string,
    readonly reason: string,
  ) {
    super(
      `cannot ${action}: the OS keychain cannot be reached (${reason}). Shotline keeps signing keys only in the OS keychain, ` +
        'never in a file; on a headless Linux machine a Secret Service such as gnome-keyring must run in a D-Bus session. ' +
        'Until then, render without signing (--no-sign)',
    );
  }
}

export type TimestampFailure = 'url' | 'network' | 'timeout' | 'http' | 'malformed' | 'rejected' | 'mismatch';

/** A timestamp request that did not give a usable token. Names the TSA's host and what failed, never credentials. */
export class TimestampError extends ShotlineError {
  override name = 'TimestampError';
  constructor(
    readonly failure: TimestampFailure,
    readonly host: string,
    message: string,
    readonly details: { httpStatus?: number; pkiStatus?: number; statusText?: string; failInfo?: string[] } = {},
  ) {
    super(`the timestamp authority ${host} ${message}`);
  }
}
