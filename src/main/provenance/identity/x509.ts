/**
 * @peculiar/x509 for the rest of the identity code: loaded after the small Reflect shim
 * it needs, with node's WebCrypto as its crypto provider. Import x509 from here, never
 * from the package directly (the shim must run first).
 */
import './reflect-shim';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
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
