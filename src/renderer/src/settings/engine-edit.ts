/**
 * An engine's row on the settings screen: the form's values from the registry's spec,
 * and the edit to send (only what changed, as `shotline engines set` takes it). Pure.
 */
import type { EngineEdit } from '../../../shared/api';
import type { EngineSpec } from '../../../shared/domain';
import { MICROS_PER_USD } from '../../../shared/money';

export interface EngineForm {
  enabled: boolean;
  /** USD per second, as typed. */
  price: string;
  baseUrl: string;
  concurrency: string;
  /** ComfyUI only: the API-format workflow file. */
  workflow: string;
}

type EngineSettingsSpec = Pick<EngineSpec, 'enabled' | 'pricing' | 'baseUrl' | 'concurrency' | 'workflow'>;

/** A price in USD per second, written as briefly as it is exact: 120000 micros -> "0.12". */
export function usdPerSecond(microsPerSecond: number): string {
  return String(microsPerSecond / MICROS_PER_USD);
}

/** The engine's price range over its resolutions and sound; equal ends when it has one price. */
export function priceRange(spec: Pick<EngineSpec, 'pricing'>): { low: number; high: number } | null {
  if (spec.pricing.length === 0) return null;
  const prices = spec.pricing.map((price) => price.microsPerSecond);
  return { low: Math.min(...prices), high: Math.max(...prices) };
}

/** What the price field starts with: the one price, or the lowest when it varies (a typed price replaces them all). */
export function engineFormOf(spec: EngineSettingsSpec): EngineForm {
  const range = priceRange(spec);
  return {
    enabled: spec.enabled,
    price: range ? usdPerSecond(range.low) : '',
    baseUrl: spec.baseUrl ?? '',
    concurrency: String(spec.concurrency),
    workflow: spec.workflow ?? '',
  };
}

/** The fields that differ from the spec's own values; an emptied field is sent empty (the user's value is cleared). */
export function engineEdit(spec: EngineSettingsSpec, form: EngineForm): EngineEdit {
  const before = engineFormOf(spec);
  const edit: EngineEdit = {};
  if (form.enabled !== before.enabled) edit.enabled = form.enabled;
  if (form.price.trim() !== before.price) edit.price = form.price.trim();
  if (form.baseUrl.trim() !== before.baseUrl) edit.baseUrl = form.baseUrl.trim();
  if (form.concurrency.trim() !== before.concurrency) edit.concurrency = form.concurrency.trim();
  if (form.workflow.trim() !== before.workflow) edit.workflow = form.workflow.trim();
  return edit;
}

export function isEmptyEdit(edit: EngineEdit): boolean {
  return Object.keys(edit).length === 0;
}

/** The form fields a problem line names ("price: must be ...", "base-url: ..."), to mark those inputs invalid. */
export function fieldsNamed(lines: readonly string[]): Set<keyof EngineForm> {
  const names: Record<string, keyof EngineForm> = { enabled: 'enabled', price: 'price', 'base-url': 'baseUrl', baseurl: 'baseUrl', concurrency: 'concurrency', workflow: 'workflow' };
  const fields = new Set<keyof EngineForm>();
  for (const line of lines) {
    const field = names[/^([A-Za-z-]+):/.exec(line)?.[1]?.toLowerCase() ?? ''];
    if (field) fields.add(field);
  }
  return fields;
}

/** The form's starting values as JSON: the row starts over from them when the studio's values change. */
export function settingsFingerprint(spec: EngineSettingsSpec): string {
  return JSON.stringify(engineFormOf(spec));
}
