/** The signing identity (certificates, keys in the OS keychain) and the RFC 3161 timestamp client. */
export {
  ensureIdentity,
  exportRoot,
  importIdentity,
  importPkcs12,
  loadSigningIdentity,
  renewLeaf,
  RENEW_WITHIN_DAYS,
  setTimestampAuthority,
  showIdentity,
  type IdentityContext,
  type ImportOptions,
  type SigningIdentity,
} from './identity-service';
export type { CertificateInfo, IdentityReport } from './identity-report';
export { IdentityError, IdentityKeychainError, NoIdentityError, TimestampError, type TimestampFailure } from './errors';
export { checkTimestampUrl, DEFAULT_TIMESTAMP_TIMEOUT_MS, requestTimestamp, type TimestampRequestOptions } from './tsa-client';
export { chainProblems, fingerprintSha256 } from './chain-rules';
export { commonName } from './certificates';
export { keyAccount } from './identity-keys';
