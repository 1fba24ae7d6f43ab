import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/shared/errors';
import { describePromptRejection } from '../../src/main/engines/comfyui/client';
import {
  historyEntryOf,
  kindForExecutionError,
  placeInQueue,
  pollResultFromHistory,
  promptWithReference,
  videoOutputOf,
  type SavedFile,
} from '../../src/main/engines/comfyui/history';

const view = (file: SavedFile) => `http://box/view?filename=${file.filename}&subfolder=${file.subfolder}&type=${file.type}`;
const success = (outputs: unknown) => ({ outputs, status: { status_str: 'success', completed: true, messages: [] } });
const failure = (messages: unknown[]) => ({ outputs: {}, status: { status_str: 'error', completed: false, messages } });

function failedWith(entry: Record<string, unknown>): EngineError {
  const result = pollResultFromHistory(entry, 'p1', view);
  if (result.state !== 'failed') throw new Error(`expected failed, got ${result.state}`);
  expect(result.billedMicros).toBe(0);
  return result.error as EngineError;
}

describe('history entries', () => {
  it('reads {} as "not run yet" and refuses a body that is not an object', () => {
    expect(historyEntryOf({}, 'p1')).toBeNull();
    expect(historyEntryOf({ p1: { outputs: {} } }, 'p1')).toEqual({ outputs: {} });
    expect(() => historyEntryOf([], 'p1')).toThrow(/GET \/history\/p1/);
  });

  it('finds the video whatever the node id and list: SaveVideo images, VHS gifs, videos', () => {
    expect(videoOutputOf({ '58': { images: [{ filename: 'shotline_00001_.mp4', subfolder: 'video', type: 'output' }], animated: [true] } })).toEqual({
      filename: 'shotline_00001_.mp4',
      subfolder: 'video',
      type: 'output',
    });
    expect(videoOutputOf({ '9': { images: [{ filename: 'frame.png', subfolder: '', type: 'output' }] }, '12': { gifs: [{ filename: 'a.webm', subfolder: '' }] } })).toEqual({
      filename: 'a.webm',
      subfolder: '',
      type: 'output',
    });
    // The output folder's copy wins over a preview in temp/.
    expect(videoOutputOf({ '3': { videos: [{ filename: 'p.mp4', subfolder: '', type: 'temp' }] }, '4': { videos: [{ filename: 'o.mp4', subfolder: '', type: 'output' }] } })?.filename).toBe('o.mp4');
    expect(videoOutputOf({ '9': { images: [{ filename: 'frame.png' }] } })).toBeNull();
  });

  it('maps success to the /view location, billed 0', () => {
    const result = pollResultFromHistory(success({ '58': { images: [{ filename: 'v.mp4', subfolder: 'video', type: 'output' }] } }), 'p1', view);
    expect(result).toEqual({ state: 'succeeded', output: { location: 'http://box/view?filename=v.mp4&subfolder=video&type=output' }, billedMicros: 0 });
  });

  it('fails a success without a video as a workflow problem', () => {
    const error = failedWith(success({ '9': { images: [{ filename: 'still.png', subfolder: '', type: 'output' }] } }));
    expect(error.kind).toBe('invalid_request');
    expect(error.message).toContain('saved no video (files: still.png)');
  });

  it('maps execution errors: out of memory is unavailable, a missing model is invalid_request, an interrupt is cancelled', () => {
    const oom = failedWith(
      failure([
        ['execution_start', { prompt_id: 'p1' }],
        ['execution_error', { node_id: '3', node_type: 'KSampler', exception_type: 'torch.OutOfMemoryError', exception_message: 'CUDA out of memory. Tried to allocate 2 GiB\nTIPS: lower the batch' }],
      ]),
    );
    expect(oom.kind).toBe('unavailable');
    expect(oom.message).toBe('ComfyUI prompt p1 failed in node 3 (KSampler) (torch.OutOfMemoryError): CUDA out of memory. Tried to allocate 2 GiB');
    expect(oom.details.providerCode).toBe('torch.OutOfMemoryError');

    const missing = failedWith(failure([['execution_error', { node_id: '37', node_type: 'UNETLoader', exception_type: 'FileNotFoundError', exception_message: 'No such file: wan.safetensors' }]]));
    expect(missing.kind).toBe('invalid_request');
    expect(failedWith(failure([['execution_interrupted', { node_id: '3', node_type: 'KSampler' }]])).kind).toBe('cancelled');
    expect(failedWith(failure([])).message).toContain('failed without saying why');
    expect(kindForExecutionError('RuntimeError', 'Error(s) in loading state_dict for WanModel')).toBe('invalid_request');
    expect(kindForExecutionError('RuntimeError', 'something broke')).toBe('unavailable');
  });
});

describe('queue and lookups', () => {
  const item = (id: string, reference?: string) => [1, id, {}, reference ? { shotline_client_reference: reference, client_id: 'c' } : {}, ['58']];

  it('tells running from pending from gone', () => {
    const queue = { queue_running: [item('a')], queue_pending: [item('b'), item('c')] };
    expect(placeInQueue(queue, 'a')).toBe('running');
    expect(placeInQueue(queue, 'c')).toBe('pending');
    expect(placeInQueue(queue, 'z')).toBe('absent');
    expect(() => placeInQueue({ queue_running: [] }, 'a')).toThrow(/GET \/queue/);
  });

  it('finds a prompt by its client reference in the queue, then in the history', () => {
    const queue = { queue_running: [item('a', 'ref-a')], queue_pending: [item('b', 'ref-b')] };
    const history = { h: { prompt: item('h', 'ref-h'), outputs: {} } };
    expect(promptWithReference(queue, history, 'ref-b')).toBe('b');
    expect(promptWithReference(queue, history, 'ref-h')).toBe('h');
    expect(promptWithReference(queue, history, 'ref-none')).toBeNull();
  });
});

describe('a refused workflow (400)', () => {
  it('names each failing node with its class and what is wrong', () => {
    const refusal = describePromptRejection({
      error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '...', extra_info: {} },
      node_errors: {
        '56': { class_type: 'LoadImage', errors: [{ type: 'custom_validation_failed', message: 'Custom validation failed for node', details: 'image - Invalid image file: x.png' }] },
      },
    });
    expect(refusal).toEqual({
      type: 'prompt_outputs_failed_validation',
      message: 'Prompt outputs failed validation; node 56 (LoadImage): Custom validation failed for node: image - Invalid image file: x.png',
    });
    expect(describePromptRejection({ error: { type: 'invalid_prompt', message: 'Cannot execute because node Foo does not exist.', details: "Node ID '#5'" }, node_errors: {} })?.message).toBe(
      "Cannot execute because node Foo does not exist.: Node ID '#5'",
    );
    expect(describePromptRejection({ error: 'no prompt', node_errors: [] })?.message).toBe('no prompt');
    expect(describePromptRejection('<html>')).toBeNull();
  });
});
