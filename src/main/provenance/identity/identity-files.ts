/**
 * The public half of the identity on disk, in `<dataDir>/identity/`:
 *   chain.pem      the certificates, leaf first, then the intermediate(s), then the root
 *   identity.json  { version, id, created, renewed, operator, source, tsaUrl, leafSha256 }
 * Nothing secret is ever written here: the private keys are in the OS keychain.
 *
 * A lock file serializes creation, renewal and import between processes (and between
 * concurrent callers in one process), so two first signings cannot make two identities.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../media/atomic-file';
import { IdentityError } from './errors';

export type IdentitySource = 'local' | 'imported';

export interface IdentityMetadata {
  version: 1;
  /** Names the identity's keychain accounts. */
  id: string;
  created: string;
  /** When the leaf was last renewed, if ever. */
  renewed: string | null;
  operator: string;
  source: IdentitySource;
  tsaUrl: string | null;
  /** SHA-256 of the leaf's DER (hex): ties this file to chain.pem. */
  leafSha256: string;
}

export interface StoredIdentity {
  metadata: IdentityMetadata;
  /** DER, leaf first, root last. */
  chain: Uint8Array[];
}

export function identityDir(dataDir: string): string {
  return path.join(dataDir, 'identity');
}
export function chainPath(dataDir: string): string {
  return path.join(identityDir(dataDir), 'chain.pem');
}
export function metadataPath(dataDir: string): string {
  return path.join(identityDir(dataDir), 'identity.json');
}

export function newIdentityId(): string {
  return randomBytes(6).toString('hex');
}

export function toPem(der: Uint8Array): string {
  const body = Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** Every certificate in a PEM text, in order, as DER. */
export function certificatesFromPem(text: string): Uint8Array[] {
  return [...text.matchAll(PEM_CERTIFICATE)].map((match) => new Uint8Array(Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64')));
}

export async function readStoredIdentity(dataDir: string): Promise<StoredIdentity | null> {
  let metadataText: string;
  try {
    metadataText = await readFile(metadataPath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let metadata: IdentityMetadata;
  try {
    metadata = JSON.parse(metadataText) as IdentityMetadata;
  } catch {
    throw new IdentityError(`${metadataPath(dataDir)} is not valid JSON: restore it, or move the identity folder away to start a new identity`);
  }
  if (metadata?.version !== 1 || typeof metadata.id !== 'string' || !/^[0-9a-f]{6,32}$/.test(metadata.id)) {
    throw new IdentityError(`${metadataPath(dataDir)} is not a Shotline identity file this version reads`);
  }
  let chainText: string;
  try {
    chainText = await readFile(chainPath(dataDir), 'utf8');
  } catch {
    throw new IdentityError(`${chainPath(dataDir)} is missing: the signing identity's certificates are gone (restore the file, or import the identity again)`);
  }
  const chain = certificatesFromPem(chainText);
  if (!chain.length) throw new IdentityError(`${chainPath(dataDir)} holds no certificate`);
  return { metadata: { ...metadata, renewed: metadata.renewed ?? null, tsaUrl: metadata.tsaUrl ?? null }, chain };
}

/** chain.pem first, identity.json last (it names the leaf, so a half-finished write is detected). */
export async function writeStoredIdentity(dataDir: string, identity: StoredIdentity): Promise<void> {
  await mkdir(identityDir(dataDir), { recursive: true });
  await writeFileAtomic(chainPath(dataDir), identity.chain.map(toPem).join(''));
  await writeMetadata(dataDir, identity.metadata);
}

export async function writeMetadata(dataDir: string, metadata: IdentityMetadata): Promise<void> {
  await mkdir(identityDir(dataDir), { recursive: true });
  await writeFileAtomic(metadataPath(dataDir), `${JSON.stringify(metadata, null, 2)}\n`);
}

const LOCK_STALE_MS = 120_000;
const LOCK_WAIT_MS = 60_000;

/** Runs `work` holding `<dataDir>/identity/.lock`; a lock left by a dead process (or older than 2 minutes) is taken over. */
export async function withIdentityLock<T>(dataDir: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  await mkdir(identityDir(dataDir), { recursive: true });
  const lockPath = path.join(identityDir(dataDir), '.lock');
  const token = `${process.pid} ${randomBytes(4).toString('hex')}`;
  const started = Date.now();
  for (;;) {
    signal?.throwIfAborted();
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(token);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await lockIsStale(lockPath)) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() - started > LOCK_WAIT_MS) throw new IdentityError(`the signing identity is locked by another Shotline process (${lockPath}); try again, or remove that file if no Shotline is running`);
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
    }
  }
  try {
    return await work();
  } finally {
    const holder = await readFile(lockPath, 'utf8').catch(() => '');
    if (holder === token) await rm(lockPath, { force: true });
  }
}

async function lockIsStale(lockPath: string): Promise<boolean> {
  try {
    const [info, holder] = await Promise.all([stat(lockPath), readFile(lockPath, 'utf8')]);
    if (Date.now() - info.mtimeMs > LOCK_STALE_MS) return true;
    const pid = Number(holder.split(' ')[0]);
    if (!Number.isInteger(pid) || pid <= 0) return Date.now() - info.mtimeMs > 5_000;
    if (pid === process.pid) return false;
    try {
      process.kill(pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    return false; // gone already: the next open decides
  }
}

/** The root certificate (PEM) of this data folder's identity, or null when it has none: what `verify` trusts by default. */
export async function ownRootPem(dataDir: string): Promise<string | null> {
  const stored = await readStoredIdentity(dataDir).catch(() => null);
  const root = stored?.chain.at(-1);
  return root ? toPem(root) : null;
}
