/**
 * Runway through its official SDK (@runwayml/sdk): text- and image-to-video tasks on
 * gen4.5, gen4_turbo (image only), veo3.1 and veo3.1_fast.
 *
 * Each engine call is one SDK call (two where noted), sent with the boundary's signal and
 * no SDK retries; whatever the SDK throws is classified by the boundary. Runway keeps no
 * client reference and offers no task listing, so a create whose answer was lost cannot be
 * found again honestly: there is no `findJob`, and the pipeline marks such a submit unknown.
 */
import type RunwayML from '@runwayml/sdk';
import type { EngineSpec } from '../../../shared/domain';
import { EngineError } from '../../../shared/errors';
import type { CallContext, DownloadResult, Engine, GenerationRequest, JobOutput, PollResult, SubmitContext, SubmitResult } from '../engine';
import { fetchClip } from '../common/fetch-clip';
import { readReferenceImage } from '../common/reference-image';
import type { AdapterDeps } from '../index';
import { RunwayClients, sdkTimeoutMs } from './client';
import { RUNWAY_MODELS, rulesForModel } from './models';
import { mapRunwayRequest, promptImageProblem } from './request-mapping';
import { creditsToMicros, readRunwayTask } from './task-status';

/** Statuses after which a task never changes: a DELETE then would delete a paid output, not cancel anything. */
const FINISHED_STATUSES = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export async function createRunwayEngine(spec: EngineSpec, deps: AdapterDeps): Promise<Engine> {
  const clients = new RunwayClients(spec, deps);
  const log = (line: string) => deps.log?.(`[runway] ${spec.id}: ${line}`);

  function refuse(problems: string[]): EngineError {
    return new EngineError('invalid_request', `${spec.id} cannot take this shot: ${problems.join('; ')}`, { jobMayExist: false });
  }

  async function createBody(request: GenerationRequest): Promise<{ route: 'text_to_video' | 'image_to_video'; body: Record<string, unknown> }> {
    const rules = rulesForModel(spec.model);
    if (!rules) throw refuse([`model: "${spec.model}" is not a Runway model this adapter knows (${Object.keys(RUNWAY_MODELS).join(', ')})`]);
    const mapping = mapRunwayRequest(rules, request);
    if (!mapping.ok) throw refuse(mapping.problems);
    const { route, body } = mapping.task;
    if (route === 'image_to_video') {
      const image = await readReferenceImage(request.referenceImagePath!);
      const problem = promptImageProblem(image.dataUri);
      if (problem) throw refuse([problem]);
      return { route, body: { ...body, promptImage: image.dataUri } };
    }
    return { route, body };
  }

  function retrieve(jobId: string, signal: AbortSignal, operation: 'poll' | 'download' | 'cancel') {
    return clients.connection().client.tasks.retrieve(jobId, { signal, timeout: sdkTimeoutMs(operation) });
  }

  /** The key, when one is configured, to scrub from download errors; the CDN link itself needs none. */
  function secrets(): string[] {
    try {
      return [clients.apiKey()];
    } catch {
      return [];
    }
  }

  return {
    spec,

    async submit(request: GenerationRequest, context: SubmitContext): Promise<SubmitResult> {
      const { route, body } = await createBody(request);
      const { client } = clients.connection();
      const options = { signal: context.signal, timeout: sdkTimeoutMs('submit') };
      const created =
        route === 'text_to_video'
          ? await client.textToVideo.create(body as unknown as RunwayML.TextToVideoCreateParams, options)
          : await client.imageToVideo.create(body as unknown as RunwayML.ImageToVideoCreateParams, options);
      const estimate = creditsToMicros((created as { estimatedCost?: unknown }).estimatedCost);
      return { jobId: created.id, ...(estimate !== undefined ? { estimatedCostMicros: estimate } : {}) };
    },

    async poll(jobId: string, context: CallContext): Promise<PollResult> {
      const reading = readRunwayTask(await retrieve(jobId, context.signal, 'poll'), jobId);
      if (reading.unknownStatus !== undefined) log(`task ${jobId} reads status ${reading.unknownStatus}, which Runway does not document; polling on as if it were running`);
      return reading.result;
    },

    async download(jobId: string, output: JobOutput, destinationPath: string, context: CallContext): Promise<DownloadResult> {
      const fetchOptions = { signal: context.signal, provider: 'runway', secrets: secrets() };
      try {
        return await fetchClip(output.location, destinationPath, fetchOptions);
      } catch (error) {
        if (!(error instanceof EngineError) || error.kind !== 'expired_output') throw error;
        // Runway's documented fix: a fresh retrieval of the task issues fresh URLs.
        const reading = readRunwayTask(await retrieve(jobId, context.signal, 'download'), jobId);
        if (reading.result.state !== 'succeeded') {
          throw new EngineError('expired_output', `runway task ${jobId}: the output link expired and the task now reads ${reading.result.state}`);
        }
        log(`output link of task ${jobId} had expired; downloading from a fresh one`);
        return fetchClip(reading.result.output.location, destinationPath, fetchOptions);
      }
    },

    async cancel(jobId: string, context: CallContext): Promise<void> {
      // DELETE cancels a task that is still pending or running, but deletes a finished
      // one, paid output and all: look first.
      const task = await retrieve(jobId, context.signal, 'cancel');
      const status = (task as { status?: unknown }).status;
      if (typeof status === 'string' && FINISHED_STATUSES.has(status)) {
        log(`task ${jobId} had already finished (${status}); not deleted`);
        return;
      }
      await clients.connection().client.tasks.delete(jobId, { signal: context.signal, timeout: sdkTimeoutMs('cancel') });
    },
  };
}
