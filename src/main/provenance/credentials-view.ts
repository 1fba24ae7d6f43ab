/**
 * The provenance panel's answer for a take or an export: what the ledger of signings says
 * (signed, or why not) and what c2pa-rs reads from the signed file now, with this data
 * folder's own root as trust anchor. Reading runs in the signing worker, like signing:
 * c2pa-wasm keeps its memory until its process ends.
 */
import { existsSync } from 'node:fs';
import type { CredentialsTarget, CredentialsView } from '../../shared/api';
import { UserError } from '../../shared/errors';
import type { CredentialStore } from '../store/credentials';
import type { EpisodeStore } from '../store/episodes';
import type { TakeStore } from '../store/takes';
import { readCredentialsInWorker, type C2paWorkerSpawner } from './c2pa';
import { toVerifyReport } from './verify-report';

export interface CredentialsViewDeps {
  episodes: EpisodeStore;
  takes: TakeStore;
  credentials: CredentialStore;
  /** Roots to trust: the data folder's own (and a test's throwaway one). */
  trustAnchors(): Promise<string[]>;
  spawn?: C2paWorkerSpawner;
}

export async function credentialsView(deps: CredentialsViewDeps, target: CredentialsTarget): Promise<CredentialsView> {
  if (!deps.episodes.find(target.episodeId)) throw new UserError(`episodeId: no episode ${target.episodeId} in this data directory`);
  const record = target.shotId === undefined ? deps.credentials.latestExport(target.episodeId) : deps.credentials.forTake(takeAttempt(deps.takes, target));
  if (!record) return { state: 'none', reason: target.shotId === undefined ? 'the episode has not been exported yet' : 'this take was never signed', report: null };
  if (record.state !== 'signed' || !record.signedPath) return { state: record.state, reason: record.reason, report: null };
  if (!existsSync(record.signedPath)) return { state: 'signed', reason: `the signed file is no longer there: ${record.signedPath}`, report: null };
  const raw = await readCredentialsInWorker(record.signedPath, { trustAnchorsPem: await deps.trustAnchors() }, deps.spawn ? { spawn: deps.spawn } : {});
  return { state: 'signed', reason: record.reason, report: toVerifyReport(raw) };
}

/** The attempt behind the take asked for: its number, else the shot's selected take. */
function takeAttempt(takes: TakeStore, target: CredentialsTarget): string {
  const shotId = target.shotId!;
  const shot = takes.shot(target.episodeId, shotId);
  const shotTakes = shot.takes;
  const take = target.takeNo === undefined ? shotTakes.find((t) => t.attempt.id === shot.selectedTakeId) : shotTakes.find((t) => t.takeNo === target.takeNo);
  if (!take) {
    const which = target.takeNo === undefined ? 'no selected take' : `no take ${target.takeNo}`;
    throw new UserError(`shot "${shotId}" of episode ${target.episodeId} has ${which}${shotTakes.length ? ` (takes: ${shotTakes.map((t) => t.takeNo).join(', ')})` : ''}`);
  }
  return take.attempt.id;
}
