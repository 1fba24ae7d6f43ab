/**
 * `shotline identity`: the signing identity of the data folder, the one every take and
 * episode is signed with. Its certificates live in the data folder; its private keys
 * only in the OS keychain.
 *
 *   show [--json]                          certificates, fingerprints, validity, and until when signatures hold
 *   create [--operator NAME]               make the local identity now (it is also made on the first signed render)
 *   export-root [--out FILE]               the root certificate to hand to whoever should trust your files
 *   import --chain FILE --key FILE         your own chain (PEM) and key (PEM; a passphrase is read from stdin)
 *   import --p12 FILE                      a PKCS#12 file (its password is read from stdin)
 *   tsa <url>|off                          a timestamp authority: signatures then outlive the leaf certificate
 *   prompt-text on|off                     put the prompt's text in take credentials (off: only its SHA-256)
 *   [--replace] replaces an existing identity on import; --data-dir DIR as everywhere
 */
import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { UserError } from '../../shared/errors';
import { ensureIdentity, exportRoot, importIdentity, importPkcs12, setTimestampAuthority, showIdentity, type IdentityReport } from '../provenance/identity';
import { OsKeychain, type SecretStore } from '../secrets/keychain';
import type { Db } from '../store/database';
import { SETTING, SettingsStore } from '../store/settings';
import { EXIT } from './exit-codes';
import type { SafeOutput } from './output';
import { readSecrets, type SecretInput } from './secret-prompt';

export const IDENTITY_USAGE = `Usage:
  shotline identity show [--json]
  shotline identity create [--operator NAME]
  shotline identity export-root [--out FILE]
  shotline identity import --chain chain.pem --key key.pem [--replace]    (a key passphrase is read from stdin)
  shotline identity import --p12 identity.p12 [--replace]                 (its password is read from stdin)
  shotline identity tsa <url>|off
  shotline identity prompt-text on|off
  (each takes --data-dir DIR)`;

export interface IdentityIo {
  stdout: SafeOutput;
  stdin: SecretInput;
  env: NodeJS.ProcessEnv;
  dataDir: string;
  /** The data folder's database, for the settings this command keeps. */
  db: () => Db;
}

export async function runIdentityCommand(args: string[], io: IdentityIo): Promise<number> {
  const parsed = parse(args);
  const [action, value] = parsed.positionals;
  const context = { dataDir: io.dataDir, secrets: keychain(io.env, action) };
  const print = (report: IdentityReport) => io.stdout.write(parsed.values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatIdentity(report)}\n`);
  switch (action) {
    case 'show': {
      const report = await showIdentity(context);
      if (!report) {
        io.stdout.write(parsed.values.json ? 'null\n' : 'No signing identity in this data folder yet: the first signed render makes one (or `shotline identity create`).\n');
        return EXIT.ok;
      }
      print(report);
      return EXIT.ok;
    }
    case 'create':
      print(await ensureIdentity({ ...context, operatorName: parsed.values.operator ?? io.env.SHOTLINE_OPERATOR ?? userInfo().username }));
      return EXIT.ok;
    case 'export-root': {
      const pem = await exportRoot(context);
      if (parsed.values.out) await writeFile(parsed.values.out, pem, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => refuseWrite(parsed.values.out!, error));
      else io.stdout.write(pem);
      return EXIT.ok;
    }
    case 'import': {
      const replace = parsed.values.replace ?? false;
      if (parsed.values.p12) {
        const [password] = await readSecrets(['PKCS#12 password'], io.stdin, io.stdout);
        print(await importPkcs12(context, { bytes: await readInput(parsed.values.p12, '--p12'), password: password ?? '', replace }));
      } else if (parsed.values.chain && parsed.values.key) {
        const keyPem = (await readInput(parsed.values.key, '--key')).toString();
        const passphrase = keyPem.includes('ENCRYPTED') ? (await readSecrets(['key passphrase'], io.stdin, io.stdout))[0] : undefined;
        print(await importIdentity(context, { chainPem: (await readInput(parsed.values.chain, '--chain')).toString(), keyPem, ...(passphrase ? { keyPassphrase: passphrase } : {}), replace }));
      } else {
        throw new UserError(`identity import: give --chain and --key, or --p12\n${IDENTITY_USAGE}`);
      }
      return EXIT.ok;
    }
    case 'tsa':
      if (!value) throw new UserError(`identity tsa: give the timestamp authority's URL, or "off"\n${IDENTITY_USAGE}`);
      print(await setTimestampAuthority(context, value === 'off' ? null : value));
      return EXIT.ok;
    case 'prompt-text': {
      if (value !== 'on' && value !== 'off') throw new UserError('identity prompt-text: "on" or "off"');
      new SettingsStore(io.db()).set(SETTING.credentialsIncludePrompt, value === 'on' ? 'true' : null);
      io.stdout.write(value === 'on' ? 'Take credentials will carry the prompt text (and its SHA-256).\n' : 'Take credentials carry only the SHA-256 of the prompt.\n');
      return EXIT.ok;
    }
    default:
      throw new UserError(`identity: unknown action "${action ?? ''}"\n${IDENTITY_USAGE}`);
  }
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        out: { type: 'string' },
        chain: { type: 'string' },
        key: { type: 'string' },
        p12: { type: 'string' },
        replace: { type: 'boolean' },
        operator: { type: 'string' },
        'data-dir': { type: 'string' },
      },
    });
  } catch (error) {
    throw new UserError(`${(error as Error).message}\n${IDENTITY_USAGE}`);
  }
}

/** Reading certificates needs no keychain; making, importing and loading keys do. */
function keychain(env: NodeJS.ProcessEnv, action: string | undefined): SecretStore {
  if (!env.SHOTLINE_NO_KEYCHAIN || action === 'show' || action === 'export-root' || action === 'tsa' || action === 'prompt-text') return new OsKeychain();
  throw new UserError('identity: the private keys live only in the OS keychain, and SHOTLINE_NO_KEYCHAIN is set');
}

async function readInput(path: string, flag: string): Promise<Buffer> {
  return readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`${flag}: cannot read ${path} (${error.code ?? error.message})`);
  });
}

function refuseWrite(path: string, error: NodeJS.ErrnoException): never {
  throw new UserError(error.code === 'EEXIST' ? `--out: ${path} exists; choose another name` : `--out: cannot write ${path} (${error.code ?? error.message})`);
}

export function formatIdentity(report: IdentityReport): string {
  const lines = [`Signing identity (${report.source}, operator ${report.operator}), certificates in ${report.chainPath}`];
  for (const cert of report.certificates) {
    lines.push(`  ${cert.role.padEnd(12)} ${cert.name}`, `               SHA-256 ${cert.sha256Fingerprint}`, `               valid ${cert.notBefore.slice(0, 10)} to ${cert.notAfter.slice(0, 10)}${cert.expired ? ' (EXPIRED)' : ''}`);
  }
  lines.push(`  timestamp authority: ${report.tsaUrl ?? 'none'}`, `  ${report.summary}`);
  return lines.join('\n');
}
