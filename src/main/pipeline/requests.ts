/** Turns a storyboard shot and a planned candidate into the request an engine receives. */
import { frameSize, type EngineSpec } from '../../shared/domain';
import type { Shot, Storyboard } from '../../shared/storyboard';
import type { GenerationRequest } from '../engines/engine';
import type { ChainCandidate } from './shot-runner';

/**
 * The storyboard as stored with an episode has its reference paths already resolved
 * to absolute ones, so a resumed run needs nothing from the original folder layout.
 * A seed or a negative prompt goes only to a model that takes it (the plan says which
 * ignore them), so an adapter never receives a field it would have to refuse.
 */
export function buildRequest(storyboard: Storyboard, shot: Shot, candidate: ChainCandidate, spec: Pick<EngineSpec, 'capabilities'>, audio: boolean): GenerationRequest {
  const characters = storyboard.characters.filter((c) => shot.characters.includes(c.id));
  return {
    shotId: shot.id,
    kind: shot.kind,
    prompt: shot.prompt,
    durationSeconds: candidate.durationSeconds,
    resolution: candidate.resolution,
    aspect: storyboard.output.aspect,
    ...frameSize(candidate.resolution, storyboard.output.aspect),
    fps: storyboard.output.fps,
    audio,
    ...(shot.reference ? { referenceImagePath: shot.reference } : {}),
    characters: characters.map((c) => ({ id: c.id, description: c.description, ...(c.reference ? { referenceImagePath: c.reference } : {}) })),
    ...(shot.seed !== undefined && spec.capabilities.seed ? { seed: shot.seed } : {}),
    ...(shot.negative !== undefined && spec.capabilities.negativePrompt ? { negativePrompt: shot.negative } : {}),
  };
}
