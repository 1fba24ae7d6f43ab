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
import { tempPathBeside, removeQuietly } from '../media/atomic-file';
import { signInWorker, type C2paWorkerSpawner, type SignInWorkerJob, type SignMp4Result } from '../provenance/c2pa';
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
 * signed first if it is not yet. c2pa-rs checks every take's own credentials against the
 * user's root as it adds it: one that does not validate (or a take left unsigned) keeps the
 * episode unsigned, unless allowUnverified, and then the export states why.
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
  const unsigned = (reason: string, unverified: ExportSigning['unverified']): ExportSigning => {
    deps.log?.(`episode ${episode.id} left unsigned: ${reason}`);
    deps.credentials.record({ ...source, sourceSha256: sourceSha256 || 'unknown', signedPath: null, signedSha256: null, state: 'unsigned', reason, signer: null });
    return { state: 'unsigned', reason, unverified };
  };
  try {
    sourceSha256 = await sha256Of(outputPath, signal);
    const identity = await deps.identity();
    const parts: (ExportPart & { path: string; title: string })[] = [];
    for (const [i, clip] of clips.entries()) {
      const credential = await signTake(clip.attempt, episode, deps, signal);
      const takeNo = clip.attempt.takeNo ?? 0;
      parts.push({
        shotId: clip.shot.id,
        takeNo,
        engineId: clip.attempt.engineId,
        ingredientLabel: `shot-${i + 1}-${clip.shot.id}`,
        title: `${clip.shot.id}, take ${takeNo} (${clip.attempt.engineId})`,
        path: credential.signedPath ?? clip.attempt.clipPath!,
        ...(credential.state !== 'signed' ? { unverifiedReason: `its take is unsigned: ${credential.reason}` } : {}),
      });
    }
    const refused = (found: typeof parts) => `${found.map((p) => `${p.shotId}: ${p.unverifiedReason}`).join('; ')} (--allow-unverified signs it anyway and records why)`;
    const early = parts.filter((p) => p.unverifiedReason);
    if (early.length > 0 && !options.allowUnverified) return unsigned(refused(early), early.map((p) => ({ shotId: p.shotId, reason: p.unverifiedReason! })));

    let result = await signEpisodeFile(episode, parts, edits, identity, deps, signal);
    // What c2pa-rs found adding each take (against the user's root).
    const invalid = parts.filter((part) => {
      const added = result.ingredients.find((i) => i.title === part.title);
      if (!added || added.state === 'trusted' || added.state === 'valid' || part.unverifiedReason) return false;
      part.unverifiedReason = `its take's credentials do not validate: ${added.failures.map((f) => f.code).join(', ') || added.state}`;
      return true;
    });
    if (invalid.length > 0) {
      await removeQuietly(result.path);
      if (!options.allowUnverified) return unsigned(refused(invalid), invalid.map((p) => ({ shotId: p.shotId, reason: p.unverifiedReason! })));
      // Signed again so that the export itself says which takes did not validate, and why.
      result = await signEpisodeFile(episode, parts, edits, identity, deps, signal);
    }
    await rename(result.path, outputPath);
    const signedSha256 = await sha256Of(outputPath, signal);
    deps.credentials.record({ ...source, sourceSha256, signedPath: outputPath, signedSha256, state: 'signed', reason: null, signer: identity.fingerprint });
    return { state: 'signed', reason: null, unverified: parts.filter((p) => p.unverifiedReason).map((p) => ({ shotId: p.shotId, reason: p.unverifiedReason! })) };
  } catch (error) {
    if (isAbortError(error) || signal.aborted) throw error;
    return unsigned(oneLine(error), []);
  }
}

/**
 * Signs the episode file into a partial file beside it (a crash leaves nothing a later
 * start does not remove); the caller moves it over the episode once it is accepted.
 */
async function signEpisodeFile(
  episode: EpisodeRecord,
  parts: (ExportPart & { path: string; title: string })[],
  edits: ExportEdits,
  identity: RunIdentity,
  deps: SigningDeps,
  signal: AbortSignal,
): Promise<{ path: string; ingredients: SignMp4Result['ingredients'] }> {
  const manifest = exportManifest({ id: episode.id, title: episode.title }, parts, edits, { software: deps.software, operator: identity.operator, when: new Date().toISOString() });
  const partial = tempPathBeside(episode.outputPath);
  try {
    const result = await signInWorker(
      {
        inputPath: episode.outputPath,
        outputPath: partial,
        manifest,
        ingredients: parts.map((part) => ({ path: part.path, relationship: 'componentOf' as const, label: part.ingredientLabel, title: part.title })),
        signer: identity.signer,
        trustAnchorsPem: [identity.rootPem],
      },
      { signal, ...(deps.spawn ? { spawn: deps.spawn } : {}) },
    );
    return { path: partial, ingredients: result.ingredients };
  } catch (error) {
    await removeQuietly(partial);
    throw error;
  }
}

async function stillThere(path: string, sha256: string, signal: AbortSignal): Promise<boolean> {
  if (!existsSync(path)) return false;
  return (await sha256Of(path, signal)) === sha256;
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 400);
}
