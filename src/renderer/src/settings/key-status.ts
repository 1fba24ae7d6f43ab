/**
 * How the settings screen words a provider's key: where it comes from (never what it
 * is), the label of each credential field, and the studio's error as lines. Pure.
 */
import type { ProviderKeyView } from '../../../shared/api';

/** "Set in keychain" / "Set by environment variable X" / "Not set": where the key in use comes from. */
export function keyStatusText(row: ProviderKeyView): string {
  if (row.source === 'environment') return `Set by environment variable ${row.environmentVariables.join(' or ')}`;
  if (row.source === 'keychain') return 'Set in keychain';
  return 'Not set';
}

/** Why a keychain key is not the one in use, when that is so. */
export function shadowNote(row: ProviderKeyView): string | null {
  return row.source === 'environment' && row.shadowedKeychainKey ? 'The keychain also holds a key; the environment variable wins while it is set.' : null;
}

/**
 * The label of one credential input: "runway API key", or for a provider that takes
 * several, the field's own name after the provider's ("KLING_SECRET_KEY" -> "kling secret key").
 */
export function keyFieldLabel(provider: string, field: string, fieldCount: number): string {
  if (fieldCount <= 1) return `${provider} API key`;
  const prefix = `${provider.toUpperCase()}_`;
  const own = (field.toUpperCase().startsWith(prefix) ? field.slice(prefix.length) : field).toLowerCase().replace(/_/g, ' ');
  return `${provider} ${own}`;
}

/** Only a key the keychain holds can be removed here; an environment variable is the shell's to unset. */
export function canRemoveKey(row: ProviderKeyView): boolean {
  return row.source === 'keychain' || row.shadowedKeychainKey;
}

/** Every field typed (after trimming): a half-entered Kling key is not sent. */
export function keyValuesComplete(fields: readonly string[], values: Readonly<Record<string, string>>): boolean {
  return fields.length > 0 && fields.every((field) => (values[field] ?? '').trim() !== '');
}

/** The values to send: exactly the provider's fields, trimmed (a pasted key often brings a newline). */
export function keyValuesToSend(fields: readonly string[], values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(fields.map((field) => [field, (values[field] ?? '').trim()]));
}

/**
 * A studio error as lines: without the IPC's "Error invoking remote method ..." wrapper,
 * the heading first, then each "  - field: problem" detail as its own line.
 */
export function errorLines(message: string): string[] {
  const unwrapped = message.replace(/^Error invoking remote method '[^']*': /, '').replace(/^(?:[A-Za-z]*Error): /, '');
  return unwrapped
    .split('\n')
    .map((line) => line.replace(/^\s*- /, '').trim())
    .filter(Boolean);
}
