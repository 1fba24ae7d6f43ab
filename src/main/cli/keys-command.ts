/** `shotline keys list | set <provider> | delete <provider>`: provider keys in the OS keychain. */
import { UserError } from '../../shared/errors';
import { PROVIDER_ACCESS } from '../registry/providers';
import { isKeyedProvider, KEYCHAIN_FIELDS, KEYED_PROVIDERS, type KeyStatus, type ProviderKeys } from '../secrets/provider-keys';
import type { Command } from './args';
import { EXIT, type ExitCode } from './exit-codes';
import type { SafeOutput } from './output';
import { readSecrets, type SecretInput } from './secret-prompt';

type KeysCommand = Extract<Command, { name: 'keys' }>;

/** How each credential is asked for at the prompt. */
const FIELD_LABELS: Record<string, string> = {
  RUNWAYML_API_SECRET: 'Runway API secret',
  GEMINI_API_KEY: 'Gemini API key',
  KLING_ACCESS_KEY: 'Kling access key',
  KLING_SECRET_KEY: 'Kling secret key',
  LUMAAI_API_KEY: 'Luma API key',
  OPENAI_API_KEY: 'OpenAI-compatible API key',
};

export interface KeysIo {
  stdin: SecretInput;
  stdout: SafeOutput;
  stderr: SafeOutput;
}

export async function runKeysCommand(command: KeysCommand, keys: ProviderKeys, io: KeysIo): Promise<ExitCode> {
  if (command.action === 'list') {
    const rows = keys.list();
    io.stdout.write(command.json ? `${JSON.stringify({ keychain: keys.keychainStatus ?? 'ok', providers: rows }, null, 2)}\n` : `${formatKeyList(rows, keys.keychainStatus)}\n`);
    return EXIT.ok;
  }
  const provider = command.provider;
  if (!isKeyedProvider(provider)) {
    const needsNone = Object.hasOwn(PROVIDER_ACCESS, provider) ? ` (${provider} takes no key${provider === 'comfyui' ? '; set its URL with COMFYUI_URL or `shotline engines set <id> base-url=...`' : ''})` : '';
    throw new UserError(`keys ${command.action}: unknown provider "${provider}"${needsNone}; one of ${KEYED_PROVIDERS.join(', ')}`);
  }
  if (command.action === 'delete') {
    const removed = await keys.delete(provider);
    io.stderr.write(removed ? `Deleted the ${provider} key from the keychain.\n` : `The keychain had no ${provider} key.\n`);
    if (keys.list().find((row) => row.provider === provider)?.source === 'environment') {
      io.stderr.write(`Note: ${PROVIDER_ACCESS[provider].envVars.join(' / ')} is still set in this environment and is used instead.\n`);
    }
    return EXIT.ok;
  }
  const fields = KEYCHAIN_FIELDS[provider];
  const values = await readSecrets(
    fields.map((field) => FIELD_LABELS[field] ?? field),
    io.stdin,
    io.stderr,
  );
  await keys.set(provider, Object.fromEntries(fields.map((field, i) => [field, values[i]!])));
  io.stderr.write(`Stored the ${provider} key in the keychain (service "Shotline", account "${provider}").\n`);
  const row = keys.list().find((r) => r.provider === provider);
  if (row?.shadowedKeychainKey) io.stderr.write(`Note: ${PROVIDER_ACCESS[provider].envVars.join(' / ')} is set in this environment and wins over the keychain.\n`);
  return EXIT.ok;
}

export function formatKeyList(rows: KeyStatus[], keychainProblem: string | null): string {
  const width = Math.max(...rows.map((row) => row.provider.length));
  const lines = rows.map((row) => {
    const where =
      row.source === 'environment'
        ? `environment (${row.environmentVariables.join(' / ')})${row.shadowedKeychainKey ? '; the keychain also has one, unused' : ''}`
        : row.source === 'keychain'
          ? 'keychain'
          : `none (shotline keys set ${row.provider}, or ${row.environmentVariables.join(keyJoiner(row))})`;
    return `${row.provider.padEnd(width)}  ${where}`;
  });
  if (keychainProblem) lines.push('', `Keychain: ${keychainProblem}`);
  return lines.join('\n');
}

/** Kling needs both of its variables; Gemini takes either. */
function keyJoiner(row: KeyStatus): string {
  return row.provider === 'kling' ? ' and ' : ' or ';
}
