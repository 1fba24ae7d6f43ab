/**
 * Luma Dream Machine (ray-2, ray-flash-2) through the official lumaai SDK.
 *
 *   submit  POST   /generations/video   text-to-video only (see create-body.ts on reference images)
 *   poll    GET    /generations/{id}    queued | dreaming | completed | failed (poll-result.ts)
 *   download       assets.video         a CDN link, fetched without the key
 *   cancel  DELETE /generations/{id}
 *   findJob GET    /generations         matched by content; Luma keeps no client reference (find-lost-job.ts)
 *
 * Every SDK call carries the boundary's signal: lumaai never settles on a response body
 * that is cut off mid-way unless its signal fires.
 */
import type { EngineSpec } from '../../../shared/domain';
import { EngineError } from '../../../shared/errors';
import { fetchClip } from '../common/fetch-clip';
import type { CallContext, DownloadResult, Engine, GenerationRequest, JobLookup, JobOutput, PollResult, SubmitContext, SubmitResult } from '../engine';
import type { AdapterDeps } from '../index';
import { lumaApiKey, lumaConnector } from './client';
import { lumaCreateBody } from './create-body';
import { findLostGeneration } from './find-lost-job';
import { pollResultOf } from './poll-result';

export async function createLumaEngine(spec: EngineSpec, deps: AdapterDeps): Promise<Engine> {
  const connect = lumaConnector(spec, deps);
  const log = deps.log ?? (() => undefined);
  // Generations whose create answer arrived: never the job of a submit whose answer was lost.
  const answered = new Set<string>();

  return {
    spec,

    async submit(request: GenerationRequest, context: SubmitContext): Promise<SubmitResult> {
      const body = lumaCreateBody(spec, request);
      const client = connect();
      const generation = await client.generations.create(body, { signal: context.signal });
      // No estimate: Luma quotes no price at create (the list price per second applies).
      if (typeof generation?.id === 'string') answered.add(generation.id);
      return { jobId: generation?.id as string };
    },

    async poll(jobId: string, context: CallContext): Promise<PollResult> {
      const client = connect();
      return pollResultOf(await client.generations.get(jobId, { signal: context.signal }), jobId, log);
    },

    async download(jobId: string, output: JobOutput, destinationPath: string, context: CallContext): Promise<DownloadResult> {
      if (!/^https?:\/\//i.test(output.location)) throw new EngineError('unavailable', `${spec.id}: generation ${jobId} names no http(s) video URL`);
      // The CDN link is signed on its own: no key is needed, and none is sent to another host.
      // Luma gives the same link on every poll, so one that has expired stays expired (expired_output).
      const apiKey = lumaApiKey(deps);
      return fetchClip(output.location, destinationPath, { signal: context.signal, provider: 'luma', secrets: apiKey ? [apiKey] : [] });
    },

    async cancel(jobId: string, context: CallContext): Promise<void> {
      const client = connect();
      await client.generations.delete(jobId, { signal: context.signal });
    },

    async findJob(lookup: JobLookup, context: CallContext): Promise<{ jobId: string } | null> {
      const body = lumaCreateBody(spec, lookup.request);
      const client = connect();
      const listPage = (offset: number, limit: number) => client.generations.list({ offset, limit }, { signal: context.signal });
      const jobId = await findLostGeneration(listPage, { body, submittedAfter: lookup.submittedAfter, answered }, spec.id);
      return jobId === null ? null : { jobId };
    },
  };
}
