/**
 * @peculiar/x509 for the rest of the identity code, loaded after the small Reflect shim
 * it needs, with node's WebCrypto as its crypto provider. Import `x509` from here, never
 * from the package directly.
 *
 * It is required in this module's body rather than imported: once electron-vite bundles
 * the main process, static imports of external packages are hoisted above all inlined
 * code, so the package (and tsyringe's check for a Reflect polyfill) would load before
 * the shim ran. Types come from `X509`, a type-only namespace.
 */
import './reflect-shim';
import { webcrypto } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as X509Module from '@peculiar/x509';

export type * as X509 from '@peculiar/x509';

export const x509 = createRequire(import.meta.url)('@peculiar/x509') as typeof X509Module;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export const subtle = webcrypto.subtle;

/** ES256: ECDSA on P-256 with SHA-256, the only signing algorithm Shotline uses. */
export const ES256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export const OID = {
  emailProtection: '1.3.6.1.5.5.7.3.4',
  documentSigning: '1.3.6.1.5.5.7.3.36',
  c2paClaimSigning: '1.3.6.1.4.1.62558.2.1',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  anyExtendedKeyUsage: '2.5.29.37.0',
  ecPublicKey: '1.2.840.10045.2.1',
  p256: '1.2.840.10045.3.1.7',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;
