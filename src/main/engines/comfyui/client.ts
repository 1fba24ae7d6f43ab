/**
 * ComfyUI's HTTP API over plain fetch. No key: a ComfyUI server is the user's own box.
 * Every call carries the boundary's signal and is sent once: retrying is the pipeline's
 * decision, never this file's. Failed answers are classified by the shared HTTP tables,
 * except a refused workflow, whose per-node errors are worded here so the message names
 * the node to fix.
 */
import type { EngineSpec } from '../../../shared/domain';
import { EngineError } from '../../../shared/errors';
import { baseUrlFor } from '../common/endpoint';
import type { ReferenceImage } from '../common/reference-image';
import { engineErrorFromHttp, engineErrorFromResponse, httpFailureFromResponse, type EngineOperation } from '../errors';
import type { WorkflowGraph } from './workflow-template';

export const DEFAULT_COMFYUI_URL = 'http://127.0.0.1:8188';

export interface QueuedPrompt {
  promptId: string;
}

export interface ComfyClient {
  readonly baseUrl: string;
  getJson(operation: EngineOperation, route: string, signal: AbortSignal): Promise<unknown>;
  /** POST /queue, /interrupt: ComfyUI answers 200 with an empty body. */
  post(operation: EngineOperation, route: string, body: unknown, signal: AbortSignal): Promise<void>;
  uploadImage(image: ReferenceImage, name: string, signal: AbortSignal): Promise<string>;
  queuePrompt(graph: WorkflowGraph, extraData: Record<string, string>, clientId: string, signal: AbortSignal): Promise<QueuedPrompt>;
}

/** Resolved at every call: the user may change the engine's base URL (or COMFYUI_URL) while the app runs. */
export function comfyClient(spec: EngineSpec, env: NodeJS.ProcessEnv): ComfyClient {
  const baseUrl = baseUrlFor(spec, env, DEFAULT_COMFYUI_URL);
  const context = (operation: EngineOperation) => ({ provider: spec.provider, operation });

  async function send(operation: EngineOperation, route: string, init: RequestInit): Promise<Response> {
    const response = await fetch(`${baseUrl}${route}`, init);
    if (!response.ok) throw await engineErrorFromResponse(response, context(operation));
    return response;
  }

  return {
    baseUrl,

    async getJson(operation, route, signal) {
      const response = await send(operation, route, { signal, headers: { accept: 'application/json' } });
      return (await response.json()) as unknown;
    },

    async post(operation, route, body, signal) {
      const response = await send(operation, route, { method: 'POST', signal, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      await response.body?.cancel();
    },

    async uploadImage(image, name, signal) {
      const form = new FormData();
      form.append('image', new Blob([image.bytes], { type: image.mimeType }), name);
      form.append('type', 'input');
      // Never replace a file someone else uploaded under the same name; ComfyUI renames ours instead.
      form.append('overwrite', 'false');
      const response = await send('submit', '/upload/image', { method: 'POST', signal, body: form });
      const answer = (await response.json()) as { name?: unknown; subfolder?: unknown };
      if (typeof answer?.name !== 'string' || answer.name === '') {
        throw new EngineError('unavailable', `ComfyUI answered the image upload without a file name: ${JSON.stringify(answer)?.slice(0, 120)}`);
      }
      // LoadImage names a file in a subfolder of input/ as "subfolder/name".
      return typeof answer.subfolder === 'string' && answer.subfolder !== '' ? `${answer.subfolder}/${answer.name}` : answer.name;
    },

    async queuePrompt(graph, extraData, clientId, signal) {
      const response = await fetch(`${baseUrl}/prompt`, {
        method: 'POST',
        signal,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: graph, client_id: clientId, extra_data: extraData }),
      });
      if (!response.ok) {
        const failure = await httpFailureFromResponse(response);
        const refusal = response.status === 400 ? describePromptRejection(failure.body) : null;
        if (refusal) throw new EngineError('invalid_request', `ComfyUI refused the workflow: ${refusal.message}`, { httpStatus: 400, jobMayExist: false, ...(refusal.type ? { providerCode: refusal.type } : {}) });
        throw engineErrorFromHttp(failure, context('submit'));
      }
      const answer = (await response.json()) as { prompt_id?: unknown };
      return { promptId: answer?.prompt_id as string };
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * ComfyUI's 400 for a workflow it will not run: `{error: {type, message, details}, node_errors:
 * {<node id>: {class_type, errors: [{type, message, details}]}}}`, or `{error: "no prompt"}`.
 * The message names each failing node by id and class, with what is wrong with it.
 */
export function describePromptRejection(body: unknown): { message: string; type?: string } | null {
  if (!isRecord(body) || body.error === undefined) return null;
  const error = isRecord(body.error) ? body.error : { message: body.error };
  const type = typeof error.type === 'string' ? error.type : undefined;
  const nodes = isRecord(body.node_errors) ? Object.entries(body.node_errors) : [];
  const perNode = nodes.slice(0, 3).map(([nodeId, entry]) => {
    const record = isRecord(entry) ? entry : {};
    const errors = Array.isArray(record.errors) ? record.errors.filter(isRecord) : [];
    const what = errors
      .slice(0, 2)
      .map((item) => [item.message, item.details].filter((part) => typeof part === 'string' && part !== '').join(': '))
      .join('; ');
    const classType = typeof record.class_type === 'string' ? ` (${record.class_type})` : '';
    return `node ${nodeId}${classType}: ${what || 'invalid'}`;
  });
  const headline = [error.message, perNode.length === 0 ? error.details : undefined].filter((part) => typeof part === 'string' && part !== '').join(': ');
  const more = nodes.length > perNode.length ? `; and ${nodes.length - perNode.length} more node(s)` : '';
  const message = [headline || 'invalid workflow', ...perNode].join('; ') + more;
  return { message, ...(type ? { type } : {}) };
}
