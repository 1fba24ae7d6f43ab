/**
 * Filling a workflow template for one request. Pure. Every placeholder is replaced by a
 * JSON value of its own type on a copy of the graph (numbers stay numbers), so a prompt
 * with quotes, backslashes, newlines or "{{seed}}" in it arrives exactly as written.
 *
 * A text-to-video request has no image for "{{reference_image}}": the node holding it is
 * removed, and so is every input that links to that node. The template should therefore
 * feed the image into an optional input (Wan22ImageToVideoLatent's start_image), so that
 * one graph serves both modes.
 */
import type { GenerationRequest } from '../engine';
import type { PlaceholderName, PlaceholderSlot, WorkflowGraph, WorkflowTemplate } from './workflow-template';

export interface PlaceholderValues {
  prompt: string;
  /** '' when the shot has no negative prompt. */
  negative: string;
  seed: number;
  width: number;
  height: number;
  /** Frames to generate: duration × fps, plus the first frame video models count extra (Wan 4n+1, LTX 8n+1). */
  frames: number;
  fps: number;
  duration: number;
  /** The uploaded image's name as LoadImage takes it; absent for text-to-video. */
  reference_image?: string;
}

export function placeholderValues(request: GenerationRequest, chosen: { seed: number; referenceImage?: string }): PlaceholderValues {
  return {
    prompt: request.prompt,
    negative: request.negativePrompt ?? '',
    seed: request.seed ?? chosen.seed,
    width: request.width,
    height: request.height,
    frames: Math.round(request.durationSeconds * request.fps) + 1,
    fps: request.fps,
    duration: request.durationSeconds,
    ...(chosen.referenceImage !== undefined ? { reference_image: chosen.referenceImage } : {}),
  };
}

export function fillWorkflow(template: WorkflowTemplate, values: PlaceholderValues): WorkflowGraph {
  const graph = structuredClone(template.graph);
  if (values.reference_image === undefined) removeReferenceImageNodes(graph, template.slots);
  for (const slot of template.slots) {
    const node = graph[slot.nodeId];
    if (!node) continue; // removed above
    const value = valueFor(slot.name, values);
    if (value === undefined) continue;
    setAt(node.inputs, [slot.input, ...slot.path], value);
  }
  return graph;
}

function valueFor(name: PlaceholderName, values: PlaceholderValues): string | number | undefined {
  return values[name];
}

function removeReferenceImageNodes(graph: WorkflowGraph, slots: readonly PlaceholderSlot[]): void {
  const removed = new Set(slots.filter((slot) => slot.name === 'reference_image').map((slot) => slot.nodeId));
  if (removed.size === 0) return;
  for (const id of removed) delete graph[id];
  for (const node of Object.values(graph)) {
    for (const [input, value] of Object.entries(node.inputs)) {
      if (Array.isArray(value) && removed.has(String(value[0]))) delete node.inputs[input];
    }
  }
}

function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let container = target;
  for (const key of path.slice(0, -1)) container = container[key] as Record<string, unknown>;
  container[path[path.length - 1]!] = value;
}
