/**
 * Signing as a pipeline step: each accepted take gets content credentials (a signed copy
 * beside its clip: the clip itself stays as the provider delivered it, its checksum is how
 * a resume knows it), and each stitched episode is signed with its takes as ingredients.
 *
 * Signing never costs the user an output: a take that cannot be signed stays usable and
 * is recorded unsigned with the reason; an export whose signing fails keeps its unsigned
 * file, and the report says why. A take whose own credentials do not validate is never
 * put into a signed export silently: the export is left unsigned with the shot named,
 * unless the user allows it (`--allow-unverified`), and then the export says why.
 */
import { rename } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { isAbortError } from '../../shared/errors';
import type { CredentialValidity } from '../../shared/provenance';
import { tempPathBeside, removeQuietly } from '../media/atomic-file';
import { readCredentialsInWorker, signInWorker, type C2paWorkerSpawner, type SignInWorkerJob } from '../provenance/c2pa';
import { exportManifest, takeManifest, type ExportEdits, type ExportPart, type SoftwareInfo } from '../provenance/manifests';
import { takeProvenance } from '../provenance/take-record';
import type { Registry } from '../registry/registry';
import type { AttemptRecord, AttemptStore } from '../store/attempts';
import type { CredentialRecord, CredentialStore } from '../store/credentials';
import type { EpisodeRecord } from '../store/episodes';
import { sha256Of } from './attempt/run-attempt';
import type { StitchClip } from './episode-runner';

/** Who signs, as the identity module hands it over for one run. */
export interface RunIdentity {
  signer: SignInWorkerJob['signer'];
  rootPem: string;
  /** SHA-256 fingerprint of the leaf certificate: recorded with each signing. */
  fingerprint: string;
  operator: string;
}

export interface SigningDeps {
  /** Loads (or, on first use, creates) the signing identity; throws with the reason when it cannot. */
  identity: () => Promise<RunIdentity>;
  credentials: CredentialStore;
  attempts: AttemptStore;
  registry: Registry;
  software: SoftwareInfo;
  /** Put the prompt's text in take credentials (off: only its SHA-256). */
  includePrompt: boolean;
  spawn?: C2paWorkerSpawner;
  log?: (line: string) => void;
}

/** A take's signed copy: `a1-runway.mp4` -> `a1-runway.c2pa.mp4`. */
export function signedTakePath(clipPath: string): string {
  return clipPath.replace(/(\.mp4)?$/i, '.c2pa.mp4');
}

export async function signTake(attempt: AttemptRecord, episode: EpisodeRecord, deps: SigningDeps, signal: AbortSignal): Promise<CredentialRecord> {
  const existing = deps.credentials.forTake(attempt.id);
  if (existing?.state === 'signed' && (await stillThere(existing.signedPath!, existing.signedSha256!, signal))) return existing;
  const source = { subject: 'take' as const, episodeId: episode.id, attemptId: attempt.id, sourcePath: attempt.clipPath!, sourceSha256: attempt.clipSha256! };
  try {
    const identity = await deps.identity();
    const provenance = takeProvenance(attempt, { episode, attempts: deps.attempts, registry: deps.registry, operator: identity.operator, includePrompt: deps.includePrompt });
    const signedPath = signedTakePath(attempt.clipPath!);
    await signInWorker(
      {
        inputPath: attempt.clipPath!,
        outputPath: signedPath,
        manifest: takeManifest(provenance, deps.software),
        ingredients: provenance.references.filter((p) => existsSync(p)).map((path) => ({ path, relationship: 'inputTo' as const })),
        signer: identity.signer,
      },
      { signal, ...(deps.spawn ? { spawn: deps.spawn } : {}) },
    );
    const signedSha256 = await sha256Of(signedPath, signal);
    return deps.credentials.record({ ...source, signedPath, signedSha256, state: 'signed', reason: null, signer: identity.fingerprint });
  } catch (error) {
    if (isAbortError(error) || signal.aborted) throw error;
    const reason = oneLine(error);
    deps.log?.(`take ${attempt.shotId} (${attempt.id}) left unsigned: ${reason}`);
    return deps.credentials.record({ ...source, signedPath: null, signedSha256: null, state: 'unsigned', reason, signer: null });
  }
}

export interface ExportSigning {
  state: 'signed' | 'unsigned';
  reason: string | null;
  /** Takes whose credentials did not validate, by shot: in the export only with --allow-unverified. */
  unverified: { shotId: string; reason: string }[];
}

/**
 * Signs the stitched episode in place of its unsigned file (atomically). Each take is
 * signed first if it is not yet, and checked against the user's root before it becomes
 * an ingredient.
 */
export async function signExport(
  episode: EpisodeRecord,
  clips: StitchClip[],
  edits: ExportEdits,
  deps: SigningDeps,
  options: { allowUnverified: boolean },
  signal: AbortSignal,
): Promise<ExportSigning> {
  const outputPath = episode.outputPath;
  const source = { subject: 'export' as const, episodeId: episode.id, attemptId: null, sourcePath: outputPath };
  let sourceSha256 = '';
  try {
    sourceSha256 = await sha256Of(outputPath, signal);
    const identity = await deps.identity();
    const parts: (ExportPart & { path: string })[] = [];
    const unverified: ExportSigning['unverified'] = [];
    for (const [i, clip] of clips.entries()) {
      const credential = await signTake(clip.attempt, episode, deps, signal);
      const validity = credential.state === 'signed' ? await takeValidity(credential.signedPath!, identity.rootPem, deps, signal) : null;
      const problem = credential.state !== 'signed' ? `its take is unsigned: ${credential.reason}` : validity && !['trusted', 'valid'].includes(validity.state) ? `its take's credentials do not validate: ${validity.codes}` : null;
      if (problem) unverified.push({ shotId: clip.shot.id, reason: problem });
      parts.push({
        shotId: clip.shot.id,
        takeNo: clip.attempt.takeNo ?? 0,
        engineId: clip.attempt.engineId,
        ingredientLabel: `shot-${i + 1}-${clip.shot.id}`,
        path: credential.signedPath ?? clip.attempt.clipPath!,
        ...(problem ? { unverifiedReason: problem } : {}),
      });
    }
    if (unverified.length > 0 && !options.allowUnverified) {
      const reason = `${unverified.map((u) => `${u.shotId}: ${u.reason}`).join('; ')} (--allow-unverified signs it anyway and records why)`;
      deps.credentials.record({ ...source, sourceSha256, signedPath: null, signedSha256: null, state: 'unsigned', reason, signer: null });
      return { state: 'unsigned', reason, unverified };
    }
    const manifest = exportManifest({ id: episode.id, title: episode.title }, parts, edits, { software: deps.software, operator: identity.operator, when: new Date().toISOString() });
    // Signed beside the episode under a partial name (a crash leaves nothing a later start does not remove), then moved over it.
    const signing = tempPathBeside(outputPath);
    try {
      await signInWorker(
        {
          inputPath: outputPath,
          outputPath: signing,
          manifest,
          ingredients: parts.map((part) => ({ path: part.path, relationship: 'componentOf' as const, label: part.ingredientLabel, title: `${part.shotId}, take ${part.takeNo} (${part.engineId})` })),
          signer: identity.signer,
          trustAnchorsPem: [identity.rootPem],
        },
        { signal, ...(deps.spawn ? { spawn: deps.spawn } : {}) },
      );
      await rename(signing, outputPath);
    } finally {
      await removeQuietly(signing);
    }
    const signedSha256 = await sha256Of(outputPath, signal);
    deps.credentials.record({ ...source, sourceSha256, signedPath: outputPath, signedSha256, state: 'signed', reason: null, signer: identity.fingerprint });
    return { state: 'signed', reason: null, unverified };
  } catch (error) {
    if (isAbortError(error) || signal.aborted) throw error;
    const reason = oneLine(error);
    deps.log?.(`episode ${episode.id} left unsigned: ${reason}`);
    deps.credentials.record({ ...source, sourceSha256: sourceSha256 || 'unknown', signedPath: null, signedSha256: null, state: 'unsigned', reason, signer: null });
    return { state: 'unsigned', reason, unverified: [] };
  }
}

async function takeValidity(path: string, rootPem: string, deps: SigningDeps, signal: AbortSignal): Promise<{ state: CredentialValidity; codes: string }> {
  const report = await readCredentialsInWorker(path, { trustAnchorsPem: [rootPem] }, { signal, ...(deps.spawn ? { spawn: deps.spawn } : {}) });
  return { state: report.state, codes: report.failures.map((f) => f.code).join(', ') || report.state };
}

async function stillThere(path: string, sha256: string, signal: AbortSignal): Promise<boolean> {
  if (!existsSync(path)) return false;
  return (await sha256Of(path, signal)) === sha256;
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 400);
}
