/**
 * What a take's content credentials say about it, gathered from the store: who made it
 * (engine, provider, model, job), from what (prompt hash, negative prompt hash, seed,
 * settings, reference images), after which checks (every gate check and the decision),
 * and the attempts and fallbacks that led to it. Pure data; the manifest is built from it.
 */
import { createHash } from 'node:crypto';
import type { GateCheck, GateDecision } from '../../shared/quality';
import type { AttemptRecord, AttemptStore } from '../store/attempts';
import type { EpisodeRecord } from '../store/episodes';
import { GateResultStore } from '../store/gate-results';
import type { Registry } from '../registry/registry';

export interface TakeProvenance {
  episode: { id: string; title: string };
  shot: { id: string; kind: string; version: number };
  takeNo: number;
  mode: string;
  engine: { id: string; provider: string; model: string };
  providerJobId: string | null;
  /** SHA-256 of the prompt as sent; the text itself only when the user opted in. */
  promptSha256: string;
  prompt?: string;
  negativePromptSha256: string | null;
  seed: number | null;
  settings: { durationSeconds: number; resolution: string; aspect: string; width: number; height: number; fps: number; audio: boolean };
  /** Reference images given to the engine (absolute paths): inputTo ingredients. */
  references: string[];
  gate: { decision: GateDecision; qualityScore: number; checks: GateCheck[] } | null;
  /** Every attempt of this shot up to this take, in order: how it came to be made here. */
  history: { attemptNo: number; engineId: string; status: string; errorKind: string | null; reason: string | null; at: string }[];
  operator: string;
  times: { created: string; submitted: string | null; succeeded: string | null; accepted: string | null };
}

export function takeProvenance(
  attempt: AttemptRecord,
  context: { episode: EpisodeRecord; attempts: AttemptStore; registry: Registry; operator: string; includePrompt: boolean },
): TakeProvenance {
  const { episode, attempts } = context;
  const shot = episode.storyboard.shots.find((s) => s.id === attempt.shotId);
  const spec = context.registry.get(attempt.engineId);
  const verdict = new GateResultStore(attempts.db).gateVerdictFor(attempt.id);
  const request = attempt.request;
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const earlier = attempts.forShot(attempt.episodeId, attempt.shotId).filter((a) => a.attemptNo <= attempt.attemptNo);
  return {
    episode: { id: episode.id, title: episode.title },
    shot: { id: attempt.shotId, kind: shot?.kind ?? request.kind, version: attempt.shotVersion ?? 1 },
    takeNo: attempt.takeNo ?? 0,
    mode: attempt.mode,
    engine: { id: attempt.engineId, provider: spec?.provider ?? 'unknown', model: spec?.model ?? attempt.engineId },
    providerJobId: attempt.providerJobId,
    promptSha256: sha256(request.prompt),
    ...(context.includePrompt ? { prompt: request.prompt } : {}),
    negativePromptSha256: request.negativePrompt === undefined ? null : sha256(request.negativePrompt),
    seed: request.seed ?? null,
    settings: {
      durationSeconds: request.durationSeconds,
      resolution: request.resolution,
      aspect: request.aspect,
      width: request.width,
      height: request.height,
      fps: request.fps,
      audio: request.audio,
    },
    references: [request.referenceImagePath, ...request.characters.map((c) => c.referenceImagePath)].filter((p): p is string => p !== undefined),
    gate: verdict ? { decision: verdict.decision, qualityScore: verdict.qualityScore, checks: verdict.checks } : null,
    history: earlier.map((a) => ({
      attemptNo: a.attemptNo,
      engineId: a.engineId,
      status: a.status,
      errorKind: a.errorKind,
      reason: a.errorMessage,
      at: iso(a.finishedAt ?? a.createdAt)!,
    })),
    operator: context.operator,
    times: { created: iso(attempt.createdAt)!, submitted: iso(attempt.submittedAt), succeeded: iso(attempt.succeededAt), accepted: iso(attempt.finishedAt) },
  };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
