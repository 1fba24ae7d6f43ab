/**
 * What the emulated ComfyUI does with a posted graph: validates it the way
 * execution.validate_prompt does (and answers with the same error documents), then reads
 * from it what the emulator needs to make a clip: frame size, length, frame rate, the
 * prompt, and where the video is saved.
 */
import { FRAME_RATE_INPUTS, LATENT_VIDEO_NODES, NODE_TYPES, SAVED_EXTENSION, type InputKind } from './node-types';

export interface ValidationError {
  type: string;
  message: string;
  details: string;
  extra_info: Record<string, unknown>;
}

/** ComfyUI's 400 body for a prompt it will not queue. */
export interface PromptRejection {
  error: ValidationError;
  node_errors: Record<string, { errors: ValidationError[]; dependent_outputs: string[]; class_type: string }>;
}

type Graph = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalidPrompt(message: string, nodeId: string): PromptRejection {
  return { error: { type: 'invalid_prompt', message, details: `Node ID '#${nodeId}'`, extra_info: {} }, node_errors: {} };
}

/** Null when ComfyUI would queue the graph; else its 400 body. `uploaded` says whether LoadImage's file is in input/. */
export function checkGraph(graph: unknown, uploaded: (name: string) => boolean): PromptRejection | null {
  if (!isRecord(graph)) return { error: { type: 'invalid_prompt', message: 'Cannot execute because the prompt is not an object of nodes.', details: '', extra_info: {} }, node_errors: {} };
  const outputs: string[] = [];
  for (const [nodeId, node] of Object.entries(graph)) {
    if (!isRecord(node) || typeof node.class_type !== 'string') return invalidPrompt('Cannot execute because a node is missing the class_type property.', nodeId);
    const type = NODE_TYPES[node.class_type];
    if (!type) return invalidPrompt(`Cannot execute because node ${node.class_type} does not exist.`, nodeId);
    if (type.output) outputs.push(nodeId);
  }
  if (outputs.length === 0) return { error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '', extra_info: {} }, node_errors: {} };

  const nodeErrors: PromptRejection['node_errors'] = {};
  for (const [nodeId, node] of Object.entries(graph as Graph)) {
    const errors = nodeProblems(node, graph as Graph, uploaded);
    if (errors.length > 0) nodeErrors[nodeId] = { errors, dependent_outputs: outputs, class_type: node.class_type };
  }
  if (Object.keys(nodeErrors).length === 0) return null;
  const details = Object.values(nodeErrors)
    .flatMap((entry) => entry.errors.map((error) => `${error.message}: ${error.details}`))
    .join('\n');
  return {
    error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details, extra_info: { exception_type: 'ValidationError' } },
    node_errors: nodeErrors,
  };
}

function nodeProblems(node: Graph[string], graph: Graph, uploaded: (name: string) => boolean): ValidationError[] {
  const type = NODE_TYPES[node.class_type]!;
  const inputs = isRecord(node.inputs) ? node.inputs : {};
  const problems: ValidationError[] = [];
  for (const [name, kind] of Object.entries({ ...type.required, ...type.optional })) {
    const value = inputs[name];
    if (value === undefined) {
      if (name in type.required) problems.push({ type: 'required_input_missing', message: 'Required input is missing', details: name, extra_info: { input_name: name } });
      continue;
    }
    const problem = Array.isArray(value) ? linkProblem(name, value, graph) : valueProblem(name, kind, value, uploaded);
    if (problem) problems.push(problem);
  }
  return problems;
}

function linkProblem(name: string, value: unknown[], graph: Graph): ValidationError | null {
  if (value.length !== 2) {
    return { type: 'bad_linked_input', message: 'Bad linked input, must be a length-2 list of [node_id, slot_index]', details: name, extra_info: { input_name: name, received_value: value } };
  }
  if (!Object.hasOwn(graph, String(value[0]))) {
    return { type: 'exception_during_inner_validation', message: 'Exception when validating inner node', details: `'${String(value[0])}'`, extra_info: { input_name: name, linked_node: value } };
  }
  return null;
}

function valueProblem(name: string, kind: InputKind, value: unknown, uploaded: (name: string) => boolean): ValidationError | null {
  const wrongType = (expected: string): ValidationError => ({
    type: 'invalid_input_type',
    message: `Failed to convert an input value to a ${expected} value`,
    details: `${name}, ${JSON.stringify(value)}, the emulator takes only JSON ${expected === 'STRING' ? 'strings' : 'numbers'} here`,
    extra_info: { input_name: name, received_value: value },
  });
  switch (kind) {
    case 'LINK':
      return { type: 'bad_linked_input', message: 'Bad linked input, must be a length-2 list of [node_id, slot_index]', details: name, extra_info: { input_name: name, received_value: value } };
    case 'INT':
      return typeof value === 'number' && Number.isInteger(value) ? null : wrongType('INT');
    case 'FLOAT':
      return typeof value === 'number' && Number.isFinite(value) ? null : wrongType('FLOAT');
    case 'STRING':
      return typeof value === 'string' ? null : wrongType('STRING');
    case 'COMBO':
      return null;
    case 'UPLOADED_IMAGE':
      return typeof value === 'string' && uploaded(value)
        ? null
        : { type: 'custom_validation_failed', message: 'Custom validation failed for node', details: `${name} - Invalid image file: ${String(value)}`, extra_info: { input_name: name } };
  }
}

/** What a valid graph asks for, as far as the emulator's clip and history go. */
export interface GraphFacts {
  width: number;
  height: number;
  frames: number;
  fps: number;
  prompt: string;
  negative: string;
  referenceImage: string | null;
  save: { nodeId: string; classType: string; subfolder: string; prefix: string; extension: string };
}

const DEFAULT_FACTS = { width: 1280, height: 704, frames: 49, fps: 24 };

export function graphFacts(graph: Graph): GraphFacts {
  const nodes = Object.entries(graph);
  const latent = nodes.find(([, node]) => LATENT_VIDEO_NODES.includes(node.class_type))?.[1].inputs;
  const rateNode = nodes.find(([, node]) => node.class_type in FRAME_RATE_INPUTS)?.[1];
  const sampler = nodes.find(([, node]) => Array.isArray(node.inputs.positive) && Array.isArray(node.inputs.latent_image))?.[1];
  const [saveId, saveNode] = nodes.find(([, node]) => node.class_type in SAVED_EXTENSION) ?? [];
  const prefix = typeof saveNode?.inputs.filename_prefix === 'string' ? saveNode.inputs.filename_prefix : 'ComfyUI';
  const slash = prefix.lastIndexOf('/');
  return {
    width: numberOr(latent?.width, DEFAULT_FACTS.width),
    height: numberOr(latent?.height, DEFAULT_FACTS.height),
    frames: numberOr(latent?.length, DEFAULT_FACTS.frames),
    fps: numberOr(rateNode?.inputs[FRAME_RATE_INPUTS[rateNode.class_type]!], DEFAULT_FACTS.fps),
    prompt: textBehind(sampler?.inputs.positive, graph, 'positive'),
    negative: textBehind(sampler?.inputs.negative, graph, 'negative'),
    referenceImage: (nodes.find(([, node]) => node.class_type === 'LoadImage')?.[1].inputs.image as string | undefined) ?? null,
    save: {
      nodeId: saveId ?? '',
      classType: saveNode?.class_type ?? 'SaveVideo',
      subfolder: slash >= 0 ? prefix.slice(0, slash) : '',
      prefix: slash >= 0 ? prefix.slice(slash + 1) : prefix,
      extension: SAVED_EXTENSION[saveNode?.class_type ?? 'SaveVideo'] ?? 'mp4',
    },
  };
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** The text of the CLIPTextEncode a conditioning link comes from, through conditioning nodes (WanImageToVideo, LTXVConditioning). */
function textBehind(link: unknown, graph: Graph, side: 'positive' | 'negative', depth = 0): string {
  if (!Array.isArray(link) || depth > 8) return '';
  const node = graph[String(link[0])];
  if (!node) return '';
  if (node.class_type === 'CLIPTextEncode') return typeof node.inputs.text === 'string' ? node.inputs.text : '';
  return textBehind(node.inputs[side], graph, side, depth + 1);
}
