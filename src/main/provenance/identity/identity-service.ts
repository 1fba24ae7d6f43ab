/**
 * The signing identity, as the rest of Shotline uses it.
 *
 *   ensureIdentity       creates a local identity on first use (root, intermediate, leaf;
 *                        keys to the OS keychain), renews a local leaf nearing expiry
 *   loadSigningIdentity  what the signer needs: [leaf, intermediate] DER, the leaf's key,
 *                        the root PEM, and a timestamp hook when a TSA is configured
 *   showIdentity         the certificates and until when signatures validate
 *   exportRoot           the root certificate (PEM) users hand to whoever should trust them
 *   importIdentity / importPkcs12   the user's own chain and key, checked against C2PA's rules
 *   setTimestampAuthority           an RFC 3161 TSA URL, or none
 *   renewLeaf            a new leaf from the stored intermediate (and intermediate from root)
 *
 * Certificates live in `<dataDir>/identity/`; private keys only in the keychain.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { CancelledError } from '../../../shared/errors';
import type { SecretStore } from '../../secrets/keychain';
import { createIntermediate, createLeaf, createLocalChain } from './certificates';
import { certificateName, chainProblems, fingerprintSha256, orderChain, readCertificate, type ChainCertificate } from './chain-rules';
import { IdentityError, NoIdentityError } from './errors';
import { certificatesFromPem, newIdentityId, readStoredIdentity, toPem, withIdentityLock, writeMetadata, writeStoredIdentity, type IdentityMetadata, type StoredIdentity } from './identity-files';
import { readKeys, removeKeys, writeKeys, type IdentityKeys, type KeychainAccess } from './identity-keys';
import { identityReport, type IdentityReport } from './identity-report';
import { readPkcs12 } from './pkcs12';
import { keyMatchesCertificate, parsePrivateKey, publicKeyDer, requireP256 } from './private-keys';
import { checkTimestampUrl, requestTimestamp } from './tsa-client';

export interface IdentityContext {
  dataDir: string;
  secrets: SecretStore;
  clock?: () => Date;
  signal?: AbortSignal;
  /** One keychain call's limit; default 60 s. */
  keychainTimeoutMs?: number;
}

export interface SigningIdentity {
  /** DER, leaf first, then the intermediate(s); never the root (the verifier holds it as a trust anchor). */
  chainDer: Uint8Array[];
  leafKey: KeyObject;
  rootPem: string;
  /** SHA-256 of the leaf, colon-separated hex. */
  leafFingerprint: string;
  operator: string;
  tsaUrl: string | null;
  /** Ready for createCoseSigner / signInWorker; `timestamp` only when a TSA is configured. */
  signer: { certificateChain: Uint8Array[]; privateKey: KeyObject; timestamp?: (imprintSha256: Uint8Array) => Promise<Uint8Array> };
}

/** A local leaf is renewed when it has fewer days left than this. */
export const RENEW_WITHIN_DAYS = 30;
const DAY_MS = 86_400_000;

function now(context: IdentityContext): Date {
  return context.clock?.() ?? new Date();
}

function access(context: IdentityContext): KeychainAccess {
  return { secrets: context.secrets, signal: context.signal, timeoutMs: context.keychainTimeoutMs };
}

function sha256Hex(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

async function stored(context: IdentityContext): Promise<StoredIdentity> {
  const found = await readStoredIdentity(context.dataDir);
  if (!found) throw new NoIdentityError(context.dataDir);
  if (sha256Hex(found.chain[0]!) !== found.metadata.leafSha256) {
    throw new IdentityError(`the identity files in ${context.dataDir} disagree (chain.pem's signing certificate is not the one identity.json names): an update was interrupted; import the identity again`);
  }
  return found;
}

/** Returns the identity, creating a local one on first use and renewing a local leaf that is about to expire. */
export async function ensureIdentity(context: IdentityContext & { operatorName: string; renewWithinDays?: number }): Promise<IdentityReport> {
  const at = now(context);
  const existing = await readStoredIdentity(context.dataDir);
  if (existing && !needsRenewal(existing, at, context.renewWithinDays)) return identityReport(context.dataDir, existing, at);
  return withIdentityLock(
    context.dataDir,
    async () => {
      const current = await readStoredIdentity(context.dataDir); // another process may have acted meanwhile
      if (current) {
        if (needsRenewal(current, at, context.renewWithinDays)) return renewUnderLock(context, current, at);
        return identityReport(context.dataDir, current, at);
      }
      const chain = await createLocalChain(context.operatorName, at);
      const id = newIdentityId();
      await writeKeys(access(context), id, { leaf: chain.leaf.key, intermediate: chain.intermediate.key, root: chain.root.key }, 'create a signing identity');
      const identity: StoredIdentity = {
        metadata: { version: 1, id, created: at.toISOString(), renewed: null, operator: context.operatorName, source: 'local', tsaUrl: null, leafSha256: sha256Hex(chain.leaf.der) },
        chain: [chain.leaf.der, chain.intermediate.der, chain.root.der],
      };
      try {
        await writeStoredIdentity(context.dataDir, identity);
      } catch (error) {
        await removeKeys(access(context), id).catch(() => undefined);
        throw error;
      }
      return identityReport(context.dataDir, identity, at);
    },
    context.signal,
  );
}

function needsRenewal(identity: StoredIdentity, at: Date, withinDays = RENEW_WITHIN_DAYS): boolean {
  if (identity.metadata.source !== 'local') return false;
  const leaf = readCertificate(identity.chain[0]!);
  return new Date(leaf.node.validTo).getTime() - at.getTime() < withinDays * DAY_MS;
}

/** A new leaf (and, when it is near its own end, a new intermediate) for a local identity. The root stays. */
export async function renewLeaf(context: IdentityContext): Promise<IdentityReport> {
  return withIdentityLock(context.dataDir, async () => renewUnderLock(context, await stored(context), now(context)), context.signal);
}

async function renewUnderLock(context: IdentityContext, identity: StoredIdentity, at: Date): Promise<IdentityReport> {
  const { metadata } = identity;
  if (metadata.source !== 'local') throw new IdentityError('an imported identity cannot be renewed by Shotline: import a renewed certificate and key from whoever issued it');
  const keys = await readKeys(access(context), metadata.id, 'renew the signing certificate');
  const [, intermediateDer, rootDer] = identity.chain as [Uint8Array, Uint8Array, Uint8Array];
  const root = readCertificate(rootDer);
  if (at > new Date(root.node.validTo)) {
    throw new IdentityError(`the identity's root certificate expired on ${new Date(root.node.validTo).toISOString().slice(0, 10)}: create a new identity (move ${context.dataDir}/identity away) and hand out its root`);
  }
  let intermediate = { der: intermediateDer, key: keys.intermediate };
  const renewed: IdentityKeys = {};
  if (new Date(readCertificate(intermediateDer).node.validTo).getTime() - at.getTime() < RENEW_WITHIN_DAYS * 2 * DAY_MS) {
    if (!keys.root) throw missingKey(metadata, 'root');
    const fresh = await createIntermediate(metadata.operator, { der: rootDer, key: keys.root }, at);
    intermediate = { der: fresh.der, key: fresh.key };
    renewed.intermediate = fresh.key;
  }
  if (!intermediate.key) throw missingKey(metadata, 'intermediate');
  const leaf = await createLeaf(metadata.operator, { der: intermediate.der, key: intermediate.key }, at);
  renewed.leaf = leaf.key;
  await writeKeys(access(context), metadata.id, renewed, 'renew the signing certificate');
  const next: StoredIdentity = {
    metadata: { ...metadata, renewed: at.toISOString(), leafSha256: sha256Hex(leaf.der) },
    chain: [leaf.der, intermediate.der, rootDer],
  };
  await writeStoredIdentity(context.dataDir, next);
  return identityReport(context.dataDir, next, at);
}

function missingKey(metadata: IdentityMetadata, role: string): IdentityError {
  return new IdentityError(
    `the ${role} key of this signing identity is not in the OS keychain (account identity:${metadata.id}:${role}-key). ` +
      'Keys stay with the keychain of the user and machine that made them: use that keychain, or import an identity',
  );
}

export async function loadSigningIdentity(context: IdentityContext, options: { timestampTimeoutMs?: number } = {}): Promise<SigningIdentity> {
  const identity = await stored(context);
  const { metadata, chain } = identity;
  const keys = await readKeys(access(context), metadata.id, 'load the signing key');
  if (!keys.leaf) throw missingKey(metadata, 'leaf');
  const leaf = readCertificate(chain[0]!);
  if (!keyMatchesCertificate(keys.leaf, leaf.node)) {
    throw new IdentityError(`the signing key in the keychain does not belong to the signing certificate "${certificateName(leaf)}": import the identity again`);
  }
  const rootDer = chain[chain.length - 1]!;
  const chainDer = chain.slice(0, -1);
  const tsaUrl = metadata.tsaUrl;
  const signer: SigningIdentity['signer'] = { certificateChain: chainDer, privateKey: keys.leaf };
  if (tsaUrl) signer.timestamp = (imprint) => requestTimestamp(tsaUrl, imprint, { timeoutMs: options.timestampTimeoutMs, signal: context.signal });
  return { chainDer, leafKey: keys.leaf, rootPem: toPem(rootDer), leafFingerprint: fingerprintSha256(chain[0]!), operator: metadata.operator, tsaUrl, signer };
}

export async function showIdentity(context: IdentityContext): Promise<IdentityReport | null> {
  const found = await readStoredIdentity(context.dataDir);
  return found ? identityReport(context.dataDir, found, now(context)) : null;
}

export async function exportRoot(context: IdentityContext): Promise<string> {
  const identity = await stored(context);
  return toPem(identity.chain[identity.chain.length - 1]!);
}

export async function setTimestampAuthority(context: IdentityContext, url: string | null): Promise<IdentityReport> {
  const normalized = url === null || url.trim() === '' ? null : checkTimestampUrl(url).toString();
  return withIdentityLock(
    context.dataDir,
    async () => {
      const identity = await stored(context);
      const next = { ...identity, metadata: { ...identity.metadata, tsaUrl: normalized } };
      await writeMetadata(context.dataDir, next.metadata);
      return identityReport(context.dataDir, next, now(context));
    },
    context.signal,
  );
}

export interface ImportOptions {
  /** Replace an identity that exists already (files signed before keep needing the old root). */
  replace?: boolean;
  /** Recorded as the operator; default: the signing certificate's common name. */
  operatorName?: string;
}

/** The user's own chain (PEM: leaf, intermediates, root, in any order) and the leaf's key (PEM). */
export async function importIdentity(context: IdentityContext, input: { chainPem: string; keyPem: string; keyPassphrase?: string } & ImportOptions): Promise<IdentityReport> {
  const certificates = certificatesFromPem(input.chainPem);
  if (!certificates.length) throw new IdentityError('the certificate chain holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  const key = parsePrivateKey(input.keyPem, { passphrase: input.keyPassphrase, what: 'the private key' });
  return importChecked(context, certificates, key, input);
}

/** A PKCS#12 (.p12/.pfx) file with the chain and the leaf's key. */
export async function importPkcs12(context: IdentityContext, input: { bytes: Uint8Array; password: string } & ImportOptions): Promise<IdentityReport> {
  const contents = await readPkcs12(input.bytes, input.password);
  return importChecked(context, contents.certificates, contents.key, input);
}

async function importChecked(context: IdentityContext, certificates: Uint8Array[], key: KeyObject, options: ImportOptions): Promise<IdentityReport> {
  requireP256(key, 'the private key');
  let parsed: ChainCertificate[];
  try {
    parsed = certificates.map(readCertificate);
  } catch {
    throw new IdentityError('a certificate in the chain is not a readable X.509 certificate');
  }
  let chain: ChainCertificate[];
  try {
    chain = orderChain(parsed, publicKeyDer(key));
  } catch (error) {
    throw new IdentityError(`the private key does not match the certificates: ${(error as Error).message}`);
  }
  const at = now(context);
  const problems = chainProblems(chain, at);
  if (problems.length) throw new IdentityError('this certificate chain cannot sign content credentials that C2PA validators accept:', problems);

  return withIdentityLock(
    context.dataDir,
    async () => {
      if (context.signal?.aborted) throw new CancelledError();
      const previous = await readStoredIdentity(context.dataDir).catch(() => null);
      if (previous && !options.replace) {
        const root = readCertificate(previous.chain[previous.chain.length - 1]!);
        throw new IdentityError(
          `a signing identity exists already (root "${certificateName(root)}", SHA-256 ${fingerprintSha256(root.der)}). ` +
            'Replacing it means files signed from now on need the new root to be trusted; confirm the replacement to go ahead',
        );
      }
      const id = newIdentityId();
      await writeKeys(access(context), id, { leaf: key }, 'import the signing identity');
      const identity: StoredIdentity = {
        metadata: {
          version: 1,
          id,
          created: at.toISOString(),
          renewed: null,
          operator: options.operatorName ?? certificateName(chain[0]!),
          source: 'imported',
          tsaUrl: previous?.metadata.tsaUrl ?? null,
          leafSha256: sha256Hex(chain[0]!.der),
        },
        chain: chain.map((certificate) => certificate.der),
      };
      try {
        await writeStoredIdentity(context.dataDir, identity);
      } catch (error) {
        await removeKeys(access(context), id).catch(() => undefined);
        throw error;
      }
      if (previous) await removeKeys(access(context), previous.metadata.id).catch(() => undefined);
      return identityReport(context.dataDir, identity, at);
    },
    context.signal,
  );
}
