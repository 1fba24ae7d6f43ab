/**
 * `shotline verify <file>`: the content credentials of any file, ours or anyone's, as
 * c2pa-rs validates them. Trust anchors: the user's own root (when this data folder has
 * an identity) and any `--trust-anchor` given. Runs in this one-shot process.
 */
import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { UserError } from '../../shared/errors';
import type { CredentialFailure, VerifyReport } from '../../shared/provenance';
import { readCredentials } from '../provenance/c2pa';
import { toVerifyReport } from '../provenance/verify-report';
import { EXIT } from './exit-codes';

/** verify's own code for a file without credentials (3, as `c2patool` and the issue ask; not "busy"). */
const NO_CREDENTIALS = 3;

export const VERIFY_USAGE = `Usage:
  shotline verify <file> [--trust-anchor root.pem]... [--data-dir DIR] [--json]
  Trusts your own root (the identity in the data folder) and every --trust-anchor.
  Exit codes: 0 trusted or valid, 1 invalid, 3 no credentials, 2 usage error.`;

export interface VerifyIo {
  stdout: { write(text: string): void };
  /** The user's own root certificate, when the data folder (--data-dir, else the default) has a signing identity. */
  ownRootPem: (dataDir: string | undefined) => Promise<string | null>;
}

export async function runVerifyCommand(args: string[], io: VerifyIo): Promise<number> {
  const { file, anchors, json, dataDir } = parseVerifyArgs(args);
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`verify: cannot read ${file} (${error.code ?? error.message})`);
  });
  if (!info.isFile()) throw new UserError(`verify: ${file} is not a file`);
  const trustAnchorsPem = [...(await Promise.all(anchors.map((path) => readAnchor(path)))), ...[await io.ownRootPem(dataDir)].filter((pem): pem is string => pem !== null)];
  const report = toVerifyReport(await readCredentials(file, { trustAnchorsPem }));
  io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatVerifyReport(report)}\n`);
  if (report.validity === 'none') return NO_CREDENTIALS;
  return report.validity === 'invalid' ? EXIT.shotsFailed : EXIT.ok;
}

function parseVerifyArgs(args: string[]): { file: string; anchors: string[]; json: boolean; dataDir: string | undefined } {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { 'trust-anchor': { type: 'string', multiple: true }, 'data-dir': { type: 'string' }, json: { type: 'boolean' } } });
  } catch (error) {
    throw new UserError(`${(error as Error).message}\n${VERIFY_USAGE}`);
  }
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length) throw new UserError(`verify: name exactly one file\n${VERIFY_USAGE}`);
  return { file, anchors: parsed.values['trust-anchor'] ?? [], json: parsed.values.json ?? false, dataDir: parsed.values['data-dir'] };
}

async function readAnchor(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`--trust-anchor: cannot read ${path} (${error.code ?? error.message})`);
  });
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UserError(`--trust-anchor: ${path} holds no PEM certificate`);
  return text;
}

const VALIDITY_TEXT = {
  trusted: 'TRUSTED: intact, and signed by a certificate you trust',
  valid: 'VALID: intact, but the signer is not among your trust anchors (--trust-anchor)',
  invalid: 'INVALID: the file or its credentials were changed or damaged',
  none: 'NO CREDENTIALS: this file carries no C2PA manifest',
} as const;

export function formatVerifyReport(report: VerifyReport): string {
  const lines = [`${report.path}`, `  ${VALIDITY_TEXT[report.validity]}`];
  if (report.signer) lines.push(`  signed by ${report.signer.subject} (issuer ${report.signer.issuer})${report.signer.signedAt ? `, timestamped ${report.signer.signedAt}` : ', no trusted timestamp'}`);
  lines.push(...failureLines(report.failures, '  '));
  if (report.take) lines.push(...takeLines(report.take, '  '));
  for (const ingredient of report.ingredients) {
    lines.push(`  ingredient "${ingredient.title}" (${ingredient.relationship}): ${ingredient.validity}`);
    lines.push(...failureLines(ingredient.failures, '    '));
    if (ingredient.take) lines.push(...takeLines(ingredient.take, '    '));
  }
  return lines.join('\n');
}

function failureLines(failures: CredentialFailure[], indent: string): string[] {
  return failures.map((f) => `${indent}✗ ${f.code}: ${f.explanation}`);
}

function takeLines(take: NonNullable<VerifyReport['take']>, indent: string): string[] {
  const gate = take.gate ? `gate ${take.gate.decision}, quality ${take.gate.qualityScore.toFixed(2)}` : 'no gate verdict';
  return [`${indent}${take.shotId} take ${take.takeNo}: ${take.engineId} (${take.provider} ${take.model}), job ${take.providerJobId ?? '-'}, prompt sha256 ${take.promptSha256.slice(0, 16)}…, ${gate}`];
}
