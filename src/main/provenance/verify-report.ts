/**
 * `shotline verify`'s report (the desktop shows the same): a file's content credentials
 * as c2pa-rs validated them, with what Shotline's own assertions say about each take
 * (engine, model, prompt hash, gate scores and decision) read out of the manifests.
 */
import type { CredentialFailure, TakeSummary, VerifyReport } from '../../shared/provenance';
import type { CredentialsReport, ManifestAssertion } from './c2pa';
import { SHOTLINE_ASSERTION } from './manifests';
import type { TakeProvenance } from './take-record';

export function toVerifyReport(report: CredentialsReport): VerifyReport {
  return {
    path: report.path,
    validity: report.state,
    signer: report.signer ? { subject: report.signer.subject, issuer: report.signer.issuer, signedAt: report.signer.signedAt } : null,
    failures: distinct(report.failures),
    take: takeSummary(report.assertions),
    ingredients: report.ingredients.map((ingredient) => ({
      title: ingredient.title,
      relationship: ingredient.relationship,
      validity: ingredient.state,
      failures: distinct(ingredient.failures),
      take: takeSummary(ingredient.assertions),
    })),
  };
}

/** Shotline's take assertion, when the manifest has one (files from other tools have none). */
function takeSummary(assertions: readonly ManifestAssertion[]): TakeSummary | null {
  const data = assertions.find((a) => a.label === SHOTLINE_ASSERTION.take)?.data as Partial<TakeProvenance> | undefined;
  if (!data?.engine || !data.shot) return null;
  return {
    episodeTitle: data.episode?.title ?? '',
    shotId: data.shot.id,
    takeNo: data.takeNo ?? 0,
    engineId: data.engine.id,
    provider: data.engine.provider,
    model: data.engine.model,
    providerJobId: data.providerJobId ?? null,
    promptSha256: data.promptSha256 ?? '',
    gate: data.gate
      ? { decision: data.gate.decision, qualityScore: data.gate.qualityScore, checks: data.gate.checks.map((c) => ({ name: c.name, outcome: c.outcome, measured: c.measured })) }
      : null,
  };
}

/** c2pa-rs repeats a code once per place it applies (claim and ingredient): once is enough here. */
function distinct(failures: readonly CredentialFailure[]): CredentialFailure[] {
  const seen = new Set<string>();
  return failures.flatMap(({ code, explanation }) => {
    const key = `${code}\u0000${explanation}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ code, explanation }];
  });
}
