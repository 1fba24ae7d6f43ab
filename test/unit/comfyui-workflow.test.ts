import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/shared/errors';
import type { GenerationRequest } from '../../src/main/engines/engine';
import { fillWorkflow, placeholderValues } from '../../src/main/engines/comfyui/fill-workflow';
import { parseWorkflowTemplate, takesReferenceImage, type WorkflowTemplate } from '../../src/main/engines/comfyui/workflow-template';
import { workflowPathFor } from '../../src/main/engines/comfyui/workflow-file';
import { defaultSeedPath, loadSeedFile } from '../../src/main/registry';
import { generationRequest } from '../support/generation-request';

const SAMPLE = path.join(path.dirname(defaultSeedPath()), 'comfyui', 'text-to-video.json');

function template(graph: unknown, source = 'test.json'): WorkflowTemplate {
  return parseWorkflowTemplate(JSON.stringify(graph), source);
}

function refusal(work: () => unknown): EngineError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).kind).toBe('invalid_request');
    expect((error as EngineError).details.jobMayExist).toBe(false);
    return error as EngineError;
  }
  throw new Error('expected the template to be refused');
}

const request: GenerationRequest = generationRequest({ prompt: 'a harbour at dawn', durationSeconds: 2 });

describe('the shipped sample workflow', () => {
  it('is a valid template with every placeholder the seed engine needs, and the seed points at it', () => {
    const sample = parseWorkflowTemplate(readFileSync(SAMPLE, 'utf8'), SAMPLE);
    expect(new Set(sample.slots.map((slot) => slot.name))).toEqual(new Set(['prompt', 'negative', 'seed', 'width', 'height', 'frames', 'fps', 'reference_image']));
    expect(takesReferenceImage(sample)).toBe(true);
    const spec = loadSeedFile(defaultSeedPath()).engines.find((engine) => engine.id === 'comfyui-local')!;
    expect(spec.workflow).toBe('comfyui/text-to-video.json');
    expect(workflowPathFor(spec, process.env)).toBe(SAMPLE);
  });

  it('fills to a graph whose numbers are numbers, and drops the image node for text-to-video', () => {
    const sample = parseWorkflowTemplate(readFileSync(SAMPLE, 'utf8'), SAMPLE);
    const graph = fillWorkflow(sample, placeholderValues({ ...request, seed: 7, negativePrompt: 'blur' }, { seed: 99 }));
    expect(graph['3']!.inputs).toMatchObject({ seed: 7, steps: 20 });
    expect(graph['55']!.inputs).toMatchObject({ width: 1280, height: 720, length: 49 });
    expect(graph['55']!.inputs).not.toHaveProperty('start_image');
    expect(graph['56']).toBeUndefined();
    expect(graph['57']!.inputs.fps).toBe(24);
    expect(graph['6']!.inputs.text).toBe('a harbour at dawn');
    expect(graph['7']!.inputs.text).toBe('blur');

    const withImage = fillWorkflow(sample, placeholderValues(request, { seed: 99, referenceImage: 'shotline-ref.png' }));
    expect(withImage['56']!.inputs.image).toBe('shotline-ref.png');
    expect(withImage['55']!.inputs.start_image).toEqual(['56', 0]);
    expect(withImage['3']!.inputs.seed).toBe(99);
    expect(withImage['7']!.inputs.text).toBe('');
    // The template itself is never changed by a fill.
    expect(sample.graph['6']!.inputs.text).toBe('{{prompt}}');
  });
});

describe('filling', () => {
  const minimal = () =>
    template({
      '1': { class_type: 'CLIPTextEncode', inputs: { text: '{{prompt}}', clip: ['2', 0] } },
      '2': { class_type: 'CLIPLoader', inputs: { clip_name: 'x', options: { nested: '{{ duration }}' } } },
    });

  it('puts a hostile prompt in as one JSON string value, byte for byte', () => {
    const nasty = 'He said "cut!" \\ then {{seed}} and }}{{\n\ttabs, ünïcödé 🎬, </script>, \u2028 and a NUL-free \u0007 bell';
    const graph = fillWorkflow(minimal(), placeholderValues({ ...request, prompt: nasty }, { seed: 1 }));
    expect(graph['1']!.inputs.text).toBe(nasty);
    expect(JSON.parse(JSON.stringify(graph))['1'].inputs.text).toBe(nasty);
  });

  it('fills placeholders nested in objects, with spaces inside the braces', () => {
    const graph = fillWorkflow(minimal(), placeholderValues(request, { seed: 1 }));
    expect(graph['2']!.inputs.options).toEqual({ nested: 2 });
  });

  it('counts frames as duration × fps plus the first frame', () => {
    expect(placeholderValues({ ...request, durationSeconds: 5, fps: 24 }, { seed: 0 }).frames).toBe(121);
    expect(placeholderValues({ ...request, durationSeconds: 1, fps: 30 }, { seed: 0 }).frames).toBe(31);
  });
});

describe('template checks', () => {
  it('names the file when it is not JSON, not an object, a UI export, or empty', () => {
    expect(refusal(() => parseWorkflowTemplate('{"1": ', '/w/broken.json')).message).toMatch(/^ComfyUI workflow \/w\/broken\.json: not valid JSON/);
    expect(refusal(() => template([1, 2], '/w/list.json')).message).toContain('/w/list.json: not a JSON object of nodes');
    expect(refusal(() => template({ nodes: [], links: [] })).message).toContain('a UI workflow');
    expect(refusal(() => template({})).message).toContain('no nodes');
  });

  it('names the node and input of every problem', () => {
    const error = refusal(() =>
      template({
        '1': { class_type: 'CLIPTextEncode', inputs: { text: '{{prompt}}', clip: ['9', 0] } },
        '2': { class_type: 'KSampler', inputs: { seed: '{{sed}}', steps: 'steps {{steps}}', latent: ['1'] } },
        '3': { inputs: {} },
        '4': { class_type: 'VAEDecode', inputs: 'none' },
      }),
    );
    expect(error.message).toContain('node "1" (CLIPTextEncode) input "clip": links to node "9", which is not in the workflow');
    expect(error.message).toContain('node "2" (KSampler) input "seed": unknown placeholder "{{sed}}"');
    expect(error.message).toContain('node "2" (KSampler) input "steps": a placeholder must be the whole value');
    expect(error.message).toContain('node "2" (KSampler) input "latent": a list value is a link');
    expect(error.message).toMatch(/node "3": class_type is missing/);
    expect(error.message).toMatch(/and 1 more$/);
  });

  it('refuses a template without a prompt placeholder', () => {
    expect(refusal(() => template({ '1': { class_type: 'CLIPTextEncode', inputs: { text: 'fixed' } } })).message).toContain('no "{{prompt}}" placeholder');
  });

  it('says when a template cannot take a reference image', () => {
    expect(takesReferenceImage(template({ '1': { class_type: 'CLIPTextEncode', inputs: { text: '{{prompt}}' } } }))).toBe(false);
  });

  it('resolves a relative workflow against the resources folder and needs one to be set', () => {
    expect(workflowPathFor({ id: 'c', workflow: '/abs/flow.json' }, {})).toBe('/abs/flow.json');
    expect(refusal(() => workflowPathFor({ id: 'c' }, {})).message).toContain('c: no workflow set');
  });
});
