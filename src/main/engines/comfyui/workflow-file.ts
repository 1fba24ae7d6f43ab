/**
 * Finding and reading an engine's workflow file. It is read again for every submit: the
 * user edits workflows while the app runs, and a file is small next to a video job.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { EngineSpec } from '../../../shared/domain';
import { EngineError } from '../../../shared/errors';
import { defaultSeedPath } from '../../registry/seed-path';
import { parseWorkflowTemplate, type WorkflowTemplate } from './workflow-template';

/** Real API-format workflows are tens of KB; anything near this is not one. */
const MAX_WORKFLOW_BYTES = 5 * 1024 * 1024;

/** The workflow's absolute path: a relative one (the shipped seed's) is inside the resources folder. */
export function workflowPathFor(spec: Pick<EngineSpec, 'id' | 'workflow'>, env: NodeJS.ProcessEnv): string {
  const named = spec.workflow?.trim();
  if (!named) {
    throw new EngineError('invalid_request', `${spec.id}: no workflow set; point the engine's workflow at an API-format workflow JSON`, { jobMayExist: false });
  }
  if (path.isAbsolute(named)) return named;
  let resources: string;
  try {
    resources = path.dirname(defaultSeedPath(env));
  } catch (error) {
    throw new EngineError('invalid_request', `${spec.id}: workflow ${named} is relative, and the resources folder cannot be found (${(error as Error).message})`, {
      jobMayExist: false,
    });
  }
  return path.resolve(resources, named);
}

export async function loadWorkflowTemplate(spec: Pick<EngineSpec, 'id' | 'workflow'>, env: NodeJS.ProcessEnv): Promise<WorkflowTemplate> {
  const file = workflowPathFor(spec, env);
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'not a regular file' });
    if (info.size > MAX_WORKFLOW_BYTES) throw Object.assign(new Error('too large'), { code: `${info.size} bytes, more than a workflow has` });
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new EngineError('invalid_request', `${spec.id}: ComfyUI workflow ${file} cannot be read (${reason})`, { jobMayExist: false });
  }
  return parseWorkflowTemplate(text, file);
}
