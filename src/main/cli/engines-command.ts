/**
 * `shotline engines set <id> field=value...` and `shotline engines add <id> field=value...`:
 * registry edits from the command line. Every value is checked by the registry's own
 * schema, so the CLI, the app and the seed can never disagree on what is valid.
 */
import path from 'node:path';
import type { EngineSpec } from '../../shared/domain';
import { UserError } from '../../shared/errors';
import { engineOverridesFromFields } from '../registry/engine-edits';
import type { Registry } from '../registry/registry';
import { engineIdSchema } from '../registry/spec-schema';
import type { Command } from './args';
import { priceLabel } from './engines-table';

type EditCommand = Extract<Command, { name: 'engines'; action: 'set' | 'add' }>;

/** Fields `engines set` takes, in the user's words, each to one override. */
const SET_FIELDS = ['enabled', 'price', 'base-url', 'concurrency', 'model', 'workflow'] as const;
/** `engines add` takes those and these. */
const ADD_FIELDS = [...SET_FIELDS, 'provider', 'like', 'name'] as const;
/** Providers a user can add an engine of: their own endpoint or their own workflow. */
const ADDABLE_PROVIDERS = ['openai', 'comfyui'] as const;

export function runEnginesEdit(command: EditCommand, registry: Registry): string {
  const allowed: readonly string[] = command.action === 'set' ? SET_FIELDS : ADD_FIELDS;
  const unknown = Object.keys(command.fields).filter((field) => !allowed.includes(field));
  if (unknown.length > 0) throw new UserError(`engines ${command.action}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; one of ${allowed.join(', ')}`);
  const spec = command.action === 'set' ? setFields(command.engineId, command.fields, registry) : addEngine(command.engineId, command.fields, registry);
  return describe(spec, command.action);
}

function setFields(engineId: string, fields: Record<string, string>, registry: Registry): EngineSpec {
  return registry.setOverride(engineId, engineOverridesFromFields(fields, registry.require(engineId)));
}

function addEngine(engineId: string, fields: Record<string, string>, registry: Registry): EngineSpec {
  const idCheck = engineIdSchema.safeParse(engineId);
  if (!idCheck.success) throw new UserError(`engines add: id "${engineId}" ${idCheck.error.issues[0]?.message ?? 'is not valid'}`);
  const provider = fields.provider?.trim();
  if (!provider || !(ADDABLE_PROVIDERS as readonly string[]).includes(provider)) {
    throw new UserError(`engines add ${engineId}: provider= must be ${ADDABLE_PROVIDERS.join(' or ')} (an OpenAI-compatible video endpoint, or a ComfyUI workflow)`);
  }
  const template = templateFor(provider as (typeof ADDABLE_PROVIDERS)[number], fields.like?.trim(), registry);
  const problems: string[] = [];
  if (provider === 'openai' && !fields['base-url']?.trim()) problems.push('base-url: required: the endpoint that serves /v1/videos (the retired Sora service is not one)');
  if (provider === 'openai' && !fields.model?.trim()) problems.push('model: required: the model name the endpoint serves');
  if (provider === 'comfyui' && !fields.workflow?.trim() && !template.workflow) problems.push('workflow: required: an API-format workflow JSON file');
  if (problems.length > 0) throw new UserError(`engines add ${engineId}: missing fields`, problems);

  const base: EngineSpec = {
    ...template,
    id: engineId,
    displayName: fields.name?.trim() || engineId,
    status: 'active',
    statusDate: undefined,
    enabled: true,
    previewOnly: false,
    notes: `Added by the user (from ${template.id}).`,
  };
  delete base.statusDate;
  delete base.baseUrl;
  const overrides = engineOverridesFromFields(Object.fromEntries(Object.entries(fields).filter(([field]) => (SET_FIELDS as readonly string[]).includes(field))), base);
  const spec: EngineSpec = { ...base };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) (spec as unknown as Record<string, unknown>)[key] = value;
  if (overrides.pricing) spec.priceSource = 'user';
  return registry.addUserEngine(spec);
}

/** The engine a new one copies its limits from: `like=`, else the first shipped engine of the provider. */
function templateFor(provider: string, like: string | undefined, registry: Registry): EngineSpec {
  if (like) {
    const spec = registry.get(like);
    if (!spec) throw new UserError(`engines add: like=${like}: unknown engine`);
    if (spec.provider !== provider) throw new UserError(`engines add: like=${like} is a ${spec.provider} engine, not ${provider}`);
    return spec;
  }
  const spec = registry.list({ includeRemoved: true }).find((candidate) => candidate.provider === provider);
  if (!spec) throw new UserError(`engines add: no ${provider} engine to copy limits from; name one with like=`);
  return spec;
}

function describe(spec: EngineSpec, action: 'set' | 'add'): string {
  const lines = [
    `${action === 'add' ? 'Added' : 'Updated'} ${spec.id} (${spec.provider}, model ${spec.model}): ${spec.enabled ? 'enabled' : 'disabled'}, ${priceLabel(spec)}, concurrency ${spec.concurrency}`,
  ];
  if (spec.baseUrl) lines.push(`  base URL ${spec.baseUrl}`);
  if (spec.workflow) lines.push(`  workflow ${spec.workflow}`);
  return lines.join('\n');
}
