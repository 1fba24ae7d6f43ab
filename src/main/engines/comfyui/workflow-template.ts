/**
 * A ComfyUI workflow template: an API-format graph (ComfyUI's "Export (API)": an object
 * of nodes, each `{class_type, inputs}`, links written `[node id, output index]`) in
 * which some input values are placeholders such as "{{prompt}}". Pure: this reads and
 * checks a document; it never touches the disk or the network.
 *
 * A placeholder must be the whole string value of an input. It is then replaced by a
 * JSON value of its own type (fill-workflow.ts), never spliced into text, so no prompt
 * can break the graph, and a number input receives a number.
 */
import { EngineError } from '../../../shared/errors';

export const PLACEHOLDERS = ['prompt', 'negative', 'seed', 'width', 'height', 'frames', 'fps', 'duration', 'reference_image'] as const;
export type PlaceholderName = (typeof PLACEHOLDERS)[number];

export interface WorkflowNode {
  class_type: string;
  inputs: Record<string, unknown>;
  [other: string]: unknown;
}

/** Node id to node, exactly as ComfyUI's POST /prompt takes it. */
export type WorkflowGraph = Record<string, WorkflowNode>;

/** Where one placeholder sits: the node, the input, and the path inside that input's value. */
export interface PlaceholderSlot {
  name: PlaceholderName;
  nodeId: string;
  classType: string;
  input: string;
  /** Keys below `inputs[input]` (empty for a plain value; longer for a value nested in an object). */
  path: string[];
}

export interface WorkflowTemplate {
  graph: WorkflowGraph;
  slots: PlaceholderSlot[];
}

/** A problem is reported with the first few of its kind; a broken file rarely has only one. */
const MAX_PROBLEMS_SHOWN = 5;

const WHOLE_PLACEHOLDER = /^\{\{\s*([A-Za-z0-9_]+)\s*\}\}$/;
const ANY_PLACEHOLDER = /\{\{\s*[A-Za-z0-9_]*\s*\}\}/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPlaceholderName(name: string): name is PlaceholderName {
  return (PLACEHOLDERS as readonly string[]).includes(name);
}

/**
 * Parses and checks a template's text. Throws EngineError('invalid_request') naming
 * `source` (the file) and, for each problem, the node and input it is in.
 */
export function parseWorkflowTemplate(text: string, source: string): WorkflowTemplate {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw templateError(source, [`not valid JSON (${(error as Error).message})`]);
  }
  return checkWorkflowTemplate(document, source);
}

export function checkWorkflowTemplate(document: unknown, source: string): WorkflowTemplate {
  if (!isRecord(document)) throw templateError(source, ['not a JSON object of nodes (save the workflow from ComfyUI with "Export (API)")']);
  if (Array.isArray(document.nodes) && Array.isArray(document.links)) {
    throw templateError(source, ['a UI workflow (it has "nodes" and "links"), not the API format: save it from ComfyUI with "Export (API)"']);
  }
  const nodeIds = Object.keys(document);
  if (nodeIds.length === 0) throw templateError(source, ['no nodes']);

  const problems: string[] = [];
  const slots: PlaceholderSlot[] = [];
  for (const nodeId of nodeIds) {
    const node = document[nodeId];
    if (!isRecord(node)) {
      problems.push(`node "${nodeId}": must be an object with class_type and inputs`);
      continue;
    }
    if (typeof node.class_type !== 'string' || node.class_type.trim() === '') {
      problems.push(`node "${nodeId}": class_type is missing or not a string`);
      continue;
    }
    const where = `node "${nodeId}" (${node.class_type})`;
    if (!isRecord(node.inputs)) {
      problems.push(`${where}: inputs must be an object`);
      continue;
    }
    for (const [input, value] of Object.entries(node.inputs)) {
      const at = `${where} input "${input}"`;
      if (Array.isArray(value)) {
        const problem = linkProblem(value, document);
        if (problem) problems.push(`${at}: ${problem}`);
        continue;
      }
      collectPlaceholders(value, [], (found, path) => {
        if ('problem' in found) problems.push(`${at}${path.length ? ` (at ${path.join('.')})` : ''}: ${found.problem}`);
        else slots.push({ name: found.name, nodeId, classType: node.class_type as string, input, path });
      });
    }
  }
  if (problems.length === 0 && !slots.some((slot) => slot.name === 'prompt')) {
    problems.push('no "{{prompt}}" placeholder, so the shot\'s prompt would never reach the model');
  }
  if (problems.length > 0) throw templateError(source, problems);
  return { graph: document as WorkflowGraph, slots };
}

/** ComfyUI reads every list input as a link: it must name a node of this graph and an output index. */
function linkProblem(value: unknown[], graph: Record<string, unknown>): string | null {
  const [target, slot] = value;
  if (value.length !== 2 || (typeof target !== 'string' && typeof target !== 'number') || !Number.isInteger(slot) || (slot as number) < 0) {
    return `a list value is a link and must be [node id, output index], got ${JSON.stringify(value).slice(0, 80)} (wrap a list value as {"__value__": [...]})`;
  }
  if (!Object.hasOwn(graph, String(target))) return `links to node "${String(target)}", which is not in the workflow`;
  return null;
}

type Found = { name: PlaceholderName } | { problem: string };

/** Walks an input's value (objects included: DynamicCombo and {"__value__": ...} wrap values) for placeholders. */
function collectPlaceholders(value: unknown, path: string[], report: (found: Found, path: string[]) => void): void {
  if (typeof value === 'string') {
    if (!ANY_PLACEHOLDER.test(value)) return;
    const whole = WHOLE_PLACEHOLDER.exec(value);
    if (!whole) {
      report({ problem: `a placeholder must be the whole value (like "{{prompt}}"), not part of ${JSON.stringify(value.slice(0, 60))}` }, path);
    } else if (!isPlaceholderName(whole[1]!)) {
      report({ problem: `unknown placeholder "{{${whole[1]}}}" (known: ${PLACEHOLDERS.map((name) => `{{${name}}}`).join(', ')})` }, path);
    } else {
      report({ name: whole[1] }, path);
    }
    return;
  }
  if (isRecord(value)) {
    for (const [key, inner] of Object.entries(value)) collectPlaceholders(inner, [...path, key], report);
  }
  // Lists nested inside objects are data ({"__value__": [...]}), and placeholders there are not supported.
}

function templateError(source: string, problems: string[]): EngineError {
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN);
  const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
  return new EngineError('invalid_request', `ComfyUI workflow ${source}: ${shown.join('; ')}${more}`, { jobMayExist: false });
}

/** True when the template can take a shot's reference image. */
export function takesReferenceImage(template: WorkflowTemplate): boolean {
  return template.slots.some((slot) => slot.name === 'reference_image');
}
