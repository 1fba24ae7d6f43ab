/**
 * A prompt's /history entry as ComfyUI writes it when the prompt has run: the queue item
 * it ran from, what each output node saved, and the status with its event messages.
 */
import type { EmulatedJob } from '../common/job-book';
import { OUTPUT_LIST } from './node-types';
import type { ComfyJobRequest } from './server';

/** What torch and ComfyUI say when the sampler does not fit in VRAM (ComfyUI appends its tips). */
const OUT_OF_MEMORY_MESSAGE =
  'CUDA out of memory. Tried to allocate 2.50 GiB. GPU 0 has a total capacity of 23.65 GiB of which 1.02 GiB is free.\n' +
  'This error means you ran out of memory on your GPU.\n\n' +
  'TIPS: If the workflow worked before you might have accidentally set the batch_size to a large number.';

export type HistoryOutcome = { file: { filename: string; subfolder: string } } | { ending: 'interrupted' | 'out_of_memory' };

export function historyEntry(job: EmulatedJob<ComfyJobRequest>, outcome: HistoryOutcome): Record<string, unknown> {
  const { facts } = job.request;
  const at = (event: string, extra: Record<string, unknown> = {}) => [event, { prompt_id: job.id, timestamp: job.readyAt, ...extra }];
  const prompt = [job.request.number, job.id, job.request.graph, job.request.extraData, [facts.save.nodeId]];
  if ('file' in outcome) {
    const list = OUTPUT_LIST[facts.save.classType] ?? 'images';
    const saved = { ...outcome.file, type: 'output', ...(list === 'gifs' ? { format: 'video/h264-mp4', frame_rate: facts.fps } : {}) };
    return {
      prompt,
      outputs: { [facts.save.nodeId]: { [list]: [saved], ...(list === 'images' ? { animated: [true] } : {}) } },
      status: { status_str: 'success', completed: true, messages: [at('execution_start'), at('execution_cached', { nodes: [] }), at('execution_success')] },
      meta: { [facts.save.nodeId]: { node_id: facts.save.nodeId, display_node: facts.save.nodeId, parent_node: null, real_node_id: facts.save.nodeId } },
    };
  }
  // Both endings happen in the sampler: the long step, where memory runs out and interrupts land.
  const [samplerId, sampler] = Object.entries(job.request.graph).find(([, node]) => node.class_type.startsWith('KSampler')) ?? ['', undefined];
  const where = { node_id: samplerId, node_type: sampler?.class_type ?? '', executed: [] };
  const ending =
    outcome.ending === 'interrupted'
      ? at('execution_interrupted', where)
      : at('execution_error', {
          ...where,
          exception_message: OUT_OF_MEMORY_MESSAGE,
          exception_type: 'torch.OutOfMemoryError',
          traceback: ['  File "execution.py", line 496, in execute\n'],
          current_inputs: {},
          current_outputs: {},
        });
  return { prompt, outputs: {}, status: { status_str: 'error', completed: false, messages: [at('execution_start'), ending] }, meta: {} };
}
