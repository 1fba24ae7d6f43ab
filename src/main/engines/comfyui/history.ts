/**
 * Reading ComfyUI's answers about a prompt. Pure.
 *
 *   GET /history/{id}  {} until the prompt has run, then
 *                      {<id>: {prompt: [number, id, graph, extra_data, outputs], outputs: {<node id>: {...}},
 *                              status: {status_str: "success" | "error", completed, messages: [[event, data], ...]}}}
 *   GET /queue         {queue_running: [item], queue_pending: [item]}, item = [number, id, graph, extra_data, ...]
 *
 * A prompt is always in exactly one place: pending, running, or history (ComfyUI moves
 * it under one lock). One that is in none was deleted from the queue or lost with a
 * server restart (ComfyUI keeps its queue and history in memory only).
 */
import { EngineError, type ErrorKind } from '../../../shared/errors';
import type { PollResult } from '../engine';

/** The extra_data key that carries the attempt's client reference (findJob matches on it). */
export const CLIENT_REFERENCE_KEY = 'shotline_client_reference';

export type QueuePlace = 'running' | 'pending' | 'absent';

/** A file a node saved, as /history names it and /view takes it. */
export interface SavedFile {
  filename: string;
  subfolder: string;
  type: string;
}

const VIDEO_FILE = /\.(mp4|webm|mov|mkv)$/i;
/** Where output nodes list their files: SaveVideo uses `images` (+ `animated`), VideoHelperSuite `gifs`, some nodes `videos`. */
const OUTPUT_LISTS = ['videos', 'gifs', 'images'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(what: string, value: unknown): EngineError {
  return new EngineError('unavailable', `ComfyUI answered ${what} with something else than expected: ${JSON.stringify(value)?.slice(0, 120) ?? String(value)}`);
}

/** The prompt's history entry, or null while it has none ({} from /history/{id}). */
export function historyEntryOf(body: unknown, promptId: string): Record<string, unknown> | null {
  if (!isRecord(body)) throw malformed(`GET /history/${promptId}`, body);
  const entry = body[promptId];
  if (entry === undefined) return null;
  if (!isRecord(entry)) throw malformed(`GET /history/${promptId}`, body);
  return entry;
}

export function placeInQueue(body: unknown, promptId: string): QueuePlace {
  const { running, pending } = queueItems(body);
  if (running.some((item) => item[1] === promptId)) return 'running';
  if (pending.some((item) => item[1] === promptId)) return 'pending';
  return 'absent';
}

function queueItems(body: unknown): { running: unknown[][]; pending: unknown[][] } {
  if (!isRecord(body) || !Array.isArray(body.queue_running) || !Array.isArray(body.queue_pending)) throw malformed('GET /queue', body);
  const items = (list: unknown[]) => list.filter((item): item is unknown[] => Array.isArray(item));
  return { running: items(body.queue_running), pending: items(body.queue_pending) };
}

/** The poll answer for a prompt that has a history entry (it has run, one way or the other). */
export function pollResultFromHistory(entry: Record<string, unknown>, promptId: string, viewUrl: (file: SavedFile) => string): PollResult {
  const status = isRecord(entry.status) ? entry.status : undefined;
  if (status?.status_str === 'error') return { state: 'failed', error: errorFromStatus(status, promptId), billedMicros: 0 };
  const video = videoOutputOf(entry.outputs);
  // ComfyUI runs on the user's own machine: nothing is ever billed.
  if (video) return { state: 'succeeded', output: { location: viewUrl(video) }, billedMicros: 0 };
  const saved = describeOutputs(entry.outputs);
  const error =
    status?.status_str === 'success'
      ? new EngineError('invalid_request', `ComfyUI prompt ${promptId} finished but saved no video (${saved}): the workflow needs a node that saves an mp4 or webm, such as SaveVideo`)
      : new EngineError('unavailable', `ComfyUI prompt ${promptId} ended without a status and without a video (${saved})`);
  return { state: 'failed', error, billedMicros: 0 };
}

/** The first video file any output node saved; node ids vary by workflow, so every node is looked at. */
export function videoOutputOf(outputs: unknown): SavedFile | null {
  if (!isRecord(outputs)) return null;
  let fallback: SavedFile | null = null;
  for (const nodeOutput of Object.values(outputs)) {
    if (!isRecord(nodeOutput)) continue;
    for (const list of OUTPUT_LISTS) {
      const files = nodeOutput[list];
      if (!Array.isArray(files)) continue;
      for (const file of files) {
        const saved = savedFileOf(file);
        if (!saved || !VIDEO_FILE.test(saved.filename)) continue;
        // A preview node's copy lives in temp/ and is cleared on restart: the output folder's copy is preferred.
        if (saved.type === 'output') return saved;
        fallback ??= saved;
      }
    }
  }
  return fallback;
}

function savedFileOf(value: unknown): SavedFile | null {
  if (!isRecord(value) || typeof value.filename !== 'string' || value.filename === '') return null;
  return {
    filename: value.filename,
    subfolder: typeof value.subfolder === 'string' ? value.subfolder : '',
    type: typeof value.type === 'string' && value.type !== '' ? value.type : 'output',
  };
}

function describeOutputs(outputs: unknown): string {
  if (!isRecord(outputs) || Object.keys(outputs).length === 0) return 'no outputs';
  const files = Object.values(outputs).flatMap((nodeOutput) =>
    isRecord(nodeOutput) ? OUTPUT_LISTS.flatMap((list) => (Array.isArray(nodeOutput[list]) ? (nodeOutput[list] as unknown[]) : [])) : [],
  );
  const names = files.map((file) => savedFileOf(file)?.filename).filter((name): name is string => name !== undefined);
  return names.length > 0 ? `files: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}` : 'no files';
}

/** Out of memory: the box is busy or too small right now; another engine (or a later try) may manage. */
const OUT_OF_MEMORY = /out of memory|OutOfMemoryError|allocation on device|CUDA error|MPS backend out of memory|HIP out of memory/i;
/** The workflow asks for something this box does not have: retrying cannot help. */
const WORKFLOW_MISMATCH =
  /FileNotFoundError|no such file|not found|does not exist|value not in list|required input is missing|failed validation|invalid image file|missing (model|node|key)|unexpected key|size mismatch|error\(s\) in loading state_dict/i;

/** The kind an execution error stands for, from ComfyUI's exception type and message. */
export function kindForExecutionError(exceptionType: string, message: string): ErrorKind {
  const words = `${exceptionType} ${message}`;
  if (OUT_OF_MEMORY.test(words)) return 'unavailable';
  if (WORKFLOW_MISMATCH.test(words)) return 'invalid_request';
  return 'unavailable';
}

function errorFromStatus(status: Record<string, unknown>, promptId: string): EngineError {
  const messages = Array.isArray(status.messages) ? status.messages : [];
  for (const message of messages) {
    if (!Array.isArray(message) || !isRecord(message[1])) continue;
    const [event, data] = message as [unknown, Record<string, unknown>];
    const node = describeNode(data);
    if (event === 'execution_interrupted') {
      return new EngineError('cancelled', `ComfyUI prompt ${promptId} was interrupted${node ? ` at ${node}` : ''}`);
    }
    if (event === 'execution_error') {
      const exceptionType = typeof data.exception_type === 'string' ? data.exception_type : '';
      const text = firstLine(typeof data.exception_message === 'string' ? data.exception_message : '') || 'no message';
      const kind = kindForExecutionError(exceptionType, text);
      const type = exceptionType ? ` (${exceptionType})` : '';
      return new EngineError(kind, `ComfyUI prompt ${promptId} failed${node ? ` in ${node}` : ''}${type}: ${text}`, {
        ...(exceptionType ? { providerCode: exceptionType.slice(0, 100) } : {}),
      });
    }
  }
  return new EngineError('unavailable', `ComfyUI prompt ${promptId} failed without saying why`);
}

function describeNode(data: Record<string, unknown>): string {
  const id = typeof data.node_id === 'string' || typeof data.node_id === 'number' ? String(data.node_id) : '';
  const type = typeof data.node_type === 'string' ? data.node_type : '';
  if (id && type) return `node ${id} (${type})`;
  return id ? `node ${id}` : type;
}

/** ComfyUI appends tips and tracebacks on later lines; the first line is the reason. */
function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim() !== '') ?? '').trim().slice(0, 300);
}

/** The prompt id queued with this client reference: in the queue (running or pending) or in the history; null when none. */
export function promptWithReference(queueBody: unknown, historyBody: unknown, reference: string): string | null {
  const { running, pending } = queueItems(queueBody);
  for (const item of [...running, ...pending]) {
    if (referenceOf(item[3]) === reference && typeof item[1] === 'string') return item[1];
  }
  if (!isRecord(historyBody)) throw malformed('GET /history', historyBody);
  for (const [promptId, entry] of Object.entries(historyBody)) {
    const prompt = isRecord(entry) && Array.isArray(entry.prompt) ? entry.prompt : undefined;
    if (prompt && referenceOf(prompt[3]) === reference) return promptId;
  }
  return null;
}

function referenceOf(extraData: unknown): string | undefined {
  const value = isRecord(extraData) ? extraData[CLIENT_REFERENCE_KEY] : undefined;
  return typeof value === 'string' ? value : undefined;
}
