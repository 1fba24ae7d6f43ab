/**
 * A self-hosted ComfyUI on loopback, speaking its HTTP API (every route also under /api):
 *
 *   POST /prompt {prompt, client_id?, extra_data?}  -> {prompt_id, number, node_errors: {}}
 *        400 {error: {type, message, details, extra_info}, node_errors} for a graph it will
 *        not run (graph-check.ts), {error: "no prompt", node_errors: []} without one
 *   GET  /history/{id}  -> {} until the prompt has run; then {<id>: {prompt, outputs, status, meta}}
 *   GET  /history?max_items=N  -> the last N entries, oldest first
 *   GET  /queue         -> {queue_running: [item], queue_pending: [item]}, item = [number, id, graph, extra_data, outputs]
 *   POST /queue {delete: [ids]} | {clear: true}  -> 200: pending prompts vanish (no history entry)
 *   POST /interrupt {prompt_id?}  -> 200: stops the running prompt (only that one, when named)
 *   POST /upload/image (multipart: image, overwrite, type, subfolder)  -> {name, subfolder, type}
 *   GET  /view?filename&subfolder&type  -> the file, or an empty 404 once it left the output folder
 *
 * One GPU: prompts run one at a time in the order queued, so queue_running holds at most
 * one and a prompt's start waits for the one before (the shared JobBook times each job
 * as if alone; start times are rewritten here after every change to the queue).
 *
 * Faults: the generic knobs apply (routes: create = /prompt and /upload/image, poll =
 * /history/{id}, lookup = /queue and /history, cancel = POST /queue and /interrupt). There
 * is no auth, so no auth fault. A self-hosted box has no content policy, so that knob is
 * refused; its failure is `outOfMemoryPrompts`: the next N prompts fail with CUDA out of
 * memory. `faults.expireIssuedLinks()` stands for someone emptying the output folder.
 * Everything is free: the invoice stays 0.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProviderEmulator, type EmulatorOptions, type ErrorReason } from '../common/provider-server';
import type { EmulatedJob, JobRequest } from '../common/job-book';
import { checkGraph, graphFacts, type GraphFacts } from './graph-check';
import { historyEntry } from './history-entry';

export interface ComfyJobRequest extends JobRequest {
  /** The graph exactly as posted. */
  graph: Record<string, { class_type: string; inputs: Record<string, unknown> }>;
  extraData: Record<string, unknown>;
  number: number;
  negative: string;
  facts: GraphFacts;
}

type Job = EmulatedJob<ComfyJobRequest>;
type Writable<T> = { -readonly [K in keyof T]: T[K] };

export class ComfyUIEmulator extends ProviderEmulator<ComfyJobRequest> {
  /** The next N prompts fail in the sampler with CUDA out of memory. */
  outOfMemoryPrompts = 0;
  readonly fired = { outOfMemory: 0, interrupts: 0, queueDeletes: 0 };
  /** Files in input/ by the name LoadImage uses ("subfolder/name" or "name"). */
  readonly inputFiles = new Map<string, Buffer>();
  readonly extraCounts = { uploads: 0, queueReads: 0 };
  /** Pending prompts deleted from the queue: they never ran and have no history. */
  private readonly deleted = new Set<string>();
  private readonly runTimes = new Map<string, { earliestStart: number; runMs: number }>();
  private readonly outputFiles = new Map<string, { filename: string; subfolder: string }>();
  private readonly fileCounters = new Map<string, number>();
  private nextNumber = 0;

  constructor(options: EmulatorOptions) {
    super(options, () => 0);
  }

  /** Jobs that reached the queue, without those deleted from it. */
  get prompts(): Job[] {
    return this.jobs.filter((job) => !this.deleted.has(job.id));
  }

  protected errorBody(reason: ErrorReason, _status: number, message: string): unknown {
    return { error: { type: reason, message, details: '', extra_info: {} }, node_errors: {} };
  }

  protected async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const route = url.pathname.startsWith('/api/') ? url.pathname.slice('/api'.length) : url.pathname;
    const method = req.method ?? 'GET';
    if (method === 'POST' && route === '/prompt') return this.queuePrompt(req, res);
    if (method === 'GET' && route.startsWith('/history/')) return this.history(res, decodeURIComponent(route.slice('/history/'.length)));
    if (method === 'GET' && route === '/history') return this.historyList(res, url);
    if (method === 'GET' && route === '/queue') return this.queue(res);
    if (method === 'POST' && route === '/queue') return this.deleteFromQueue(req, res);
    if (method === 'POST' && route === '/interrupt') return this.interrupt(req, res);
    if (method === 'POST' && route === '/upload/image') return this.upload(req, res);
    if (method === 'GET' && route === '/view') return this.view(res, url);
    return this.sendEmpty(res, 404);
  }

  private async queuePrompt(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counts.creates++;
    if (this.faults.knobs.contentPolicy > 0) throw new Error('contentPolicy does not apply to a self-hosted ComfyUI: use outOfMemoryPrompts');
    if (this.callFault('create', res)) return;
    const body = await this.readJson(req);
    if (!body || body.prompt === undefined) return this.sendJson(res, 400, { error: 'no prompt', node_errors: [] });
    const rejection = checkGraph(body.prompt, (name) => this.inputFiles.has(name));
    if (rejection) return this.sendJson(res, 400, rejection);

    const graph = body.prompt as ComfyJobRequest['graph'];
    const extraData: Record<string, unknown> = isRecord(body.extra_data) ? { ...body.extra_data } : {};
    if (typeof body.client_id === 'string') extraData.client_id = body.client_id;
    const facts = graphFacts(graph);
    const number = this.nextNumber++;
    const reference = extraData.shotline_client_reference;
    const request: ComfyJobRequest = {
      clientReference: typeof reference === 'string' ? reference : '',
      model: facts.save.classType,
      prompt: facts.prompt,
      negative: facts.negative,
      durationSeconds: facts.frames / facts.fps,
      width: facts.width,
      height: facts.height,
      fps: facts.fps,
      audio: false,
      graph,
      extraData,
      number,
      facts,
    };
    const job = this.createJob(req, res, request, (made) => ({ status: 200, body: { prompt_id: made.id, number, node_errors: {} } }), randomUUID());
    if (this.outOfMemoryPrompts > 0) {
      this.outOfMemoryPrompts--;
      this.fired.outOfMemory++;
      (job as Writable<Job>).outcome = 'fail';
    }
    this.schedule();
  }

  private history(res: ServerResponse, promptId: string): void {
    this.counts.polls++;
    if (this.callFault('poll', res)) return;
    const job = this.job(promptId);
    this.sendJson(res, 200, job && this.hasRun(job) ? { [promptId]: this.historyEntry(job) } : {});
  }

  private historyList(res: ServerResponse, url: URL): void {
    this.counts.lookups++;
    if (this.callFault('lookup', res)) return;
    const finished = this.prompts.filter((job) => this.hasRun(job)).sort((a, b) => a.readyAt - b.readyAt);
    const maxItems = Number(url.searchParams.get('max_items'));
    const shown = Number.isInteger(maxItems) && maxItems > 0 ? finished.slice(-maxItems) : finished;
    this.sendJson(res, 200, Object.fromEntries(shown.map((job) => [job.id, this.historyEntry(job)])));
  }

  private queue(res: ServerResponse): void {
    this.counts.lookups++;
    this.extraCounts.queueReads++;
    if (this.callFault('lookup', res)) return;
    const item = (job: Job) => [job.request.number, job.id, job.request.graph, job.request.extraData, [job.request.facts.save.nodeId]];
    this.sendJson(res, 200, {
      queue_running: this.prompts.filter((job) => this.status(job) === 'running').map(item),
      queue_pending: this.prompts.filter((job) => this.status(job) === 'queued').map(item),
    });
  }

  private async deleteFromQueue(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counts.cancels++;
    if (this.callFault('cancel', res)) return;
    const body = (await this.readJson(req)) ?? {};
    const pending = this.prompts.filter((job) => this.status(job) === 'queued');
    const targets = body.clear === true ? pending : pending.filter((job) => Array.isArray(body.delete) && body.delete.includes(job.id));
    for (const job of targets) {
      this.deleted.add(job.id);
      this.cancelJob(job);
      this.fired.queueDeletes++;
    }
    this.schedule();
    this.sendEmpty(res, 200);
  }

  private async interrupt(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counts.cancels++;
    if (this.callFault('cancel', res)) return;
    const named = (await this.readJson(req))?.prompt_id;
    const running = this.prompts.find((job) => this.status(job) === 'running');
    // Since mid-2025 a named interrupt stops only that prompt; an unnamed one stops whatever runs.
    if (running && (named === undefined || named === running.id)) {
      this.cancelJob(running);
      this.fired.interrupts++;
      this.schedule();
    }
    this.sendEmpty(res, 200);
  }

  private async upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.extraCounts.uploads++;
    if (this.callFault('create', res)) return;
    const body = await this.readBody(req);
    let form: FormData;
    try {
      form = await new Request('http://emulator/upload/image', { method: 'POST', headers: { 'content-type': String(req.headers['content-type'] ?? '') }, body }).formData();
    } catch {
      return this.sendEmpty(res, 400);
    }
    const image = form.get('image');
    if (!(image instanceof File) || image.name === '') return this.sendEmpty(res, 400);
    const bytes = Buffer.from(await image.arrayBuffer());
    const subfolder = String(form.get('subfolder') ?? '');
    const overwrite = ['true', '1'].includes(String(form.get('overwrite') ?? ''));
    const name = overwrite ? image.name : this.freeName(image.name, subfolder, bytes);
    this.inputFiles.set(subfolder ? `${subfolder}/${name}` : name, bytes);
    this.sendJson(res, 200, { name, subfolder, type: String(form.get('type') ?? 'input') || 'input' });
  }

  /** ComfyUI's rule: an identical file keeps its name; a different one under a taken name becomes "name (1).png". */
  private freeName(wanted: string, subfolder: string, bytes: Buffer): string {
    const dot = wanted.lastIndexOf('.');
    const [stem, extension] = dot > 0 ? [wanted.slice(0, dot), wanted.slice(dot)] : [wanted, ''];
    for (let i = 0; ; i++) {
      const name = i === 0 ? wanted : `${stem} (${i})${extension}`;
      const existing = this.inputFiles.get(subfolder ? `${subfolder}/${name}` : name);
      if (!existing || existing.equals(bytes)) return name;
    }
  }

  private async view(res: ServerResponse, url: URL): Promise<void> {
    this.counts.downloads++;
    const key = fileKey(url.searchParams.get('type') || 'output', url.searchParams.get('subfolder') ?? '', url.searchParams.get('filename') ?? '');
    const job = this.jobs.find((candidate) => this.outputFiles.has(candidate.id) && fileKey('output', this.outputFiles.get(candidate.id)!.subfolder, this.outputFiles.get(candidate.id)!.filename) === key);
    // A file removed from the output folder (expireIssuedLinks) is simply not there any more.
    if (!job || this.status(job) !== 'succeeded' || this.faults.linkExpired(job.readyAt)) return this.sendEmpty(res, 404);
    await this.sendClip(res, job, job.request.facts.save.extension === 'webm' ? 'video/webm' : 'video/mp4');
  }

  private hasRun(job: Job): boolean {
    const status = this.status(job);
    return !this.deleted.has(job.id) && (status === 'succeeded' || status === 'failed');
  }

  private historyEntry(job: Job): Record<string, unknown> {
    const failure = this.failureOf(job);
    if (failure === null) return historyEntry(job, { file: this.outputFileOf(job) });
    return historyEntry(job, { ending: failure === 'cancelled' ? 'interrupted' : 'out_of_memory' });
  }

  /** The file SaveVideo wrote: "<prefix>_00001_.mp4", counted per prefix, named when first reported. */
  private outputFileOf(job: Job): { filename: string; subfolder: string } {
    let file = this.outputFiles.get(job.id);
    if (!file) {
      const { subfolder, prefix, extension } = job.request.facts.save;
      const counter = (this.fileCounters.get(`${subfolder}/${prefix}`) ?? 0) + 1;
      this.fileCounters.set(`${subfolder}/${prefix}`, counter);
      file = { filename: `${prefix}_${String(counter).padStart(5, '0')}_.${extension}`, subfolder };
      this.outputFiles.set(job.id, file);
    }
    return file;
  }

  /**
   * One GPU: each prompt starts when the one before it has ended (finished, failed or
   * interrupted), never before its own earliest start. Prompts already started keep their times.
   */
  private schedule(now: number = Date.now()): void {
    let gpuFreeAt = 0;
    for (const job of this.prompts) {
      const writable = job as Writable<Job>;
      let timing = this.runTimes.get(job.id);
      const isNew = timing === undefined;
      if (!timing) {
        timing = { earliestStart: job.startsAt, runMs: job.readyAt - job.startsAt };
        this.runTimes.set(job.id, timing);
      }
      if (isNew || job.startsAt > now) {
        writable.startsAt = Math.max(timing.earliestStart, gpuFreeAt);
        writable.readyAt = writable.startsAt + timing.runMs;
      }
      const end = job.cancelledAt !== null && job.cancelledAt < job.readyAt ? Math.max(job.cancelledAt, job.startsAt) : job.readyAt;
      gpuFreeAt = Math.max(gpuFreeAt, end);
    }
  }

  private sendEmpty(res: ServerResponse, status: number): void {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(status, { 'content-length': 0 });
    res.end();
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fileKey(type: string, subfolder: string, filename: string): string {
  return `${type}/${subfolder}/${filename}`;
}

/** What a studio (or the CLI) needs to reach this emulator. */
export function comfyuiEnv(emulator: Pick<ComfyUIEmulator, 'url'>): Record<string, string> {
  return { COMFYUI_URL: emulator.url };
}
