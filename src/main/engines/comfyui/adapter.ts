/**
 * ComfyUI (self-hosted, no key) over its HTTP API: the engine's workflow template
 * (workflow-template.ts) is filled for each shot and queued.
 *
 *   submit  POST /upload/image (a shot's reference image), then POST /prompt
 *           {prompt: graph, client_id, extra_data: {shotline_client_reference}}
 *   poll    GET /history/{id}; while it is {} GET /queue tells queued from running
 *   download GET /view?filename&subfolder&type (the file in ComfyUI's output folder)
 *   cancel  POST /queue {delete: [id]} when pending; POST /interrupt {prompt_id} when running
 *   findJob GET /queue and GET /history, matched on extra_data.shotline_client_reference
 *
 * ComfyUI is free: every job bills 0.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { EngineSpec } from '../../../shared/domain';
import { EngineError } from '../../../shared/errors';
import { fetchClip } from '../common/fetch-clip';
import { readReferenceImage } from '../common/reference-image';
import { MAX_SEED } from '../common/request-fit';
import type { CallContext, DownloadResult, Engine, GenerationRequest, JobLookup, JobOutput, PollResult, SubmitContext, SubmitResult } from '../engine';
import { classifyThrown } from '../errors';
import type { AdapterDeps } from '../index';
import { comfyClient, type ComfyClient } from './client';
import { fillWorkflow, placeholderValues } from './fill-workflow';
import { CLIENT_REFERENCE_KEY, historyEntryOf, placeInQueue, pollResultFromHistory, promptWithReference, type SavedFile } from './history';
import { loadWorkflowTemplate } from './workflow-file';
import { takesReferenceImage } from './workflow-template';

/** How much history findJob reads: a lost submit is recent, and entries carry whole graphs. */
const HISTORY_ITEMS_SEARCHED = 256;

const MEDIA_EXTENSIONS = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' } as const;

export async function createComfyUIEngine(spec: EngineSpec, deps: AdapterDeps): Promise<Engine> {
  const client = (): ComfyClient => comfyClient(spec, deps.env);
  // One id per engine instance: ComfyUI tags its progress messages with it (we poll and do not listen).
  const clientId = `shotline-${randomUUID()}`;
  const log = (line: string) => deps.log?.(`[${spec.id}] ${line}`);

  function viewUrl(baseUrl: string, file: SavedFile): string {
    const query = new URLSearchParams({ filename: file.filename, subfolder: file.subfolder, type: file.type });
    return `${baseUrl}/view?${query}`;
  }

  async function stateOutsideHistory(comfy: ComfyClient, jobId: string, signal: AbortSignal): Promise<PollResult> {
    const place = placeInQueue(await comfy.getJson('poll', '/queue', signal), jobId);
    if (place === 'running') return { state: 'running' };
    if (place === 'pending') return { state: 'queued' };
    // It may have finished between the two reads; if history still lacks it, it is gone.
    const entry = historyEntryOf(await comfy.getJson('poll', `/history/${encodeURIComponent(jobId)}`, signal), jobId);
    if (entry) return pollResultFromHistory(entry, jobId, (file) => viewUrl(comfy.baseUrl, file));
    return {
      state: 'failed',
      error: new EngineError('cancelled', `ComfyUI prompt ${jobId} is neither queued, running nor in the history: it was deleted from the queue, or the server restarted`),
      billedMicros: 0,
    };
  }

  return {
    spec,

    async submit(request: GenerationRequest, context: SubmitContext): Promise<SubmitResult> {
      const comfy = client();
      const template = await loadWorkflowTemplate(spec, deps.env);
      if (request.referenceImagePath !== undefined && !takesReferenceImage(template)) {
        throw new EngineError('invalid_request', `${spec.id}: the workflow has no "{{reference_image}}" placeholder, so it cannot make image-to-video`, { jobMayExist: false });
      }
      const referenceImage = request.referenceImagePath === undefined ? undefined : await uploadReference(comfy, request.referenceImagePath, context);
      const graph = fillWorkflow(template, placeholderValues(request, { seed: randomInt(0, MAX_SEED + 1), ...(referenceImage ? { referenceImage } : {}) }));
      const queued = await comfy.queuePrompt(graph, { [CLIENT_REFERENCE_KEY]: context.clientReference }, clientId, context.signal);
      return { jobId: queued.promptId, estimatedCostMicros: 0 };
    },

    async poll(jobId: string, context: CallContext): Promise<PollResult> {
      const comfy = client();
      const entry = historyEntryOf(await comfy.getJson('poll', `/history/${encodeURIComponent(jobId)}`, context.signal), jobId);
      if (entry) return pollResultFromHistory(entry, jobId, (file) => viewUrl(comfy.baseUrl, file));
      return stateOutsideHistory(comfy, jobId, context.signal);
    },

    async download(jobId: string, output: JobOutput, destinationPath: string, context: CallContext): Promise<DownloadResult> {
      const comfy = client();
      // Only the file's name is taken from the location: the request goes to the configured server, wherever the location pointed.
      const file = savedFileIn(output.location);
      if (!file) throw new EngineError('unavailable', `${spec.id}: prompt ${jobId} names no ComfyUI output file (${output.location.slice(0, 120)})`);
      return fetchClip(viewUrl(comfy.baseUrl, file), destinationPath, { signal: context.signal, provider: spec.provider });
    },

    async cancel(jobId: string, context: CallContext): Promise<void> {
      const comfy = client();
      // /interrupt stops whatever runs: it is sent only when that is our prompt, and names it
      // (servers since mid-2025 then interrupt only that prompt, closing the race with the next one).
      const place = placeInQueue(await comfy.getJson('cancel', '/queue', context.signal), jobId);
      if (place === 'pending') await comfy.post('cancel', '/queue', { delete: [jobId] }, context.signal);
      else if (place === 'running') await comfy.post('cancel', '/interrupt', { prompt_id: jobId }, context.signal);
      else log(`cancel of prompt ${jobId}: not queued or running any more; nothing to stop`);
    },

    async findJob(lookup: JobLookup, context: CallContext): Promise<{ jobId: string } | null> {
      const comfy = client();
      // The queue first: a prompt leaves it only for the history, so reading in this order cannot miss one in between.
      const queue = await comfy.getJson('findJob', '/queue', context.signal);
      const history = await comfy.getJson('findJob', `/history?max_items=${HISTORY_ITEMS_SEARCHED}`, context.signal);
      const promptId = promptWithReference(queue, history, lookup.clientReference);
      return promptId === null ? null : { jobId: promptId };
    },
  };
}

/**
 * Uploads the shot's image under a name no other upload has. Nothing is queued yet, so
 * whatever goes wrong here, no job can exist (the boundary would otherwise assume one
 * might after a dropped connection). An abort is passed on as it is: the boundary tells
 * the user's cancel from a timeout.
 */
async function uploadReference(comfy: ComfyClient, imagePath: string, context: SubmitContext): Promise<string> {
  const image = await readReferenceImage(imagePath);
  const name = `shotline-${safeName(context.clientReference)}-${randomBytes(4).toString('hex')}.${MEDIA_EXTENSIONS[image.mimeType]}`;
  try {
    return await comfy.uploadImage(image, name, context.signal);
  } catch (error) {
    if (context.signal.aborted) throw error;
    const classified = classifyThrown(error, { provider: 'comfyui', operation: 'submit' });
    throw new EngineError(classified.kind, `reference image upload failed, nothing was queued: ${classified.message}`, { ...classified.details, jobMayExist: false });
  }
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 48);
}

/** The /view parameters in an output location this adapter issued. */
function savedFileIn(location: string): SavedFile | null {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return null;
  }
  const filename = url.searchParams.get('filename');
  if (!url.pathname.endsWith('/view') || !filename) return null;
  return { filename, subfolder: url.searchParams.get('subfolder') ?? '', type: url.searchParams.get('type') || 'output' };
}
