/**
 * A user's edit of an engine in their own words (`shotline engines set`, the settings
 * screen): each field to one registry override. The registry's schema checks the
 * result, so the CLI, the app and the seed can never disagree on what is valid.
 */
import path from 'node:path';
import type { EngineSpec } from '../../shared/domain';
import { UserError } from '../../shared/errors';
import { usdToMicros } from '../../shared/money';
import type { EngineOverridesInput } from './registry';

/** Each field to its override; an empty value removes the user's setting (back to the shipped one). */
export function engineOverridesFromFields(fields: Record<string, string>, spec: EngineSpec): EngineOverridesInput {
  const patch: EngineOverridesInput = {};
  const problems: string[] = [];
  for (const [field, raw] of Object.entries(fields)) {
    const value = raw.trim();
    const clear = value === '';
    switch (field) {
      case 'enabled': {
        const flag = parseFlag(value);
        if (flag === undefined && !clear) problems.push(`enabled: must be true or false, got "${raw}"`);
        patch.enabled = clear ? undefined : flag;
        break;
      }
      case 'price': {
        const usd = clear ? undefined : parseUsd(value);
        if (!clear && usd === undefined) problems.push(`price: must be USD per second of video, e.g. 0.12, got "${raw}"`);
        else patch.pricing = usd === undefined ? undefined : pricesAt(spec, usd);
        break;
      }
      case 'base-url':
        patch.baseUrl = clear ? undefined : value;
        break;
      case 'concurrency': {
        const n = Number(value);
        if (!clear && !(value !== '' && Number.isInteger(n))) problems.push(`concurrency: must be a whole number, got "${raw}"`);
        patch.concurrency = clear ? undefined : n;
        break;
      }
      case 'model':
        patch.model = clear ? undefined : value;
        break;
      case 'workflow':
        patch.workflow = clear ? undefined : path.resolve(value);
        break;
    }
  }
  if (problems.length > 0) throw new UserError(`invalid settings for engine "${spec.id}"`, problems);
  return patch;
}

/** One price for every row the engine lists (with and without audio, every resolution): the user's figure. */
function pricesAt(spec: EngineSpec, usdPerSecond: number): EngineOverridesInput['pricing'] {
  // An engine with no shipped prices gets a row for every resolution and sound setting it can make.
  const soundSettings = spec.audio === 'always' ? [true] : spec.audio === 'optional' ? [false, true] : [false];
  const rows = spec.pricing.length > 0 ? spec.pricing : spec.resolutions.flatMap((resolution) => soundSettings.map((audio) => ({ resolution, audio })));
  return rows.map((row) => ({ resolution: row.resolution, audio: row.audio, microsPerSecond: usdToMicros(usdPerSecond) }));
}

function parseFlag(value: string): boolean | undefined {
  if (['true', 'yes', 'on', '1'].includes(value.toLowerCase())) return true;
  if (['false', 'no', 'off', '0'].includes(value.toLowerCase())) return false;
  return undefined;
}

function parseUsd(value: string): number | undefined {
  if (!/^\$?(\d+(\.\d*)?|\.\d+)$/.test(value)) return undefined;
  const usd = Number(value.replace('$', ''));
  return Number.isFinite(usd) ? usd : undefined;
}

