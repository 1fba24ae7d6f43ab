/**
 * What `shotline verify` and the desktop's provenance panel show about a file's content
 * credentials (C2PA), whoever made the file.
 */

/** trusted: valid and signed by a certificate that chains to a trust anchor given; valid: intact, signer not trusted here; invalid: tampered or broken; none: no credentials. */
export type CredentialValidity = 'trusted' | 'valid' | 'invalid' | 'none';

export interface CredentialFailure {
  /** The C2PA validation code, e.g. assertion.bmffHash.mismatch. */
  code: string;
  explanation: string;
}

/** What Shotline's own assertion says about a take, when the file has one. */
export interface TakeSummary {
  episodeTitle: string;
  shotId: string;
  takeNo: number;
  engineId: string;
  provider: string;
  model: string;
  providerJobId: string | null;
  promptSha256: string;
  gate: { decision: string; qualityScore: number; checks: { name: string; outcome: string; measured: string }[] } | null;
}

export interface IngredientReport {
  title: string;
  relationship: string;
  validity: CredentialValidity;
  failures: CredentialFailure[];
  take: TakeSummary | null;
}

export interface VerifyReport {
  path: string;
  validity: CredentialValidity;
  signer: { subject: string; issuer: string; signedAt: string | null } | null;
  failures: CredentialFailure[];
  /** Shotline's assertion on the file itself (a take), when it has one. */
  take: TakeSummary | null;
  ingredients: IngredientReport[];
}
