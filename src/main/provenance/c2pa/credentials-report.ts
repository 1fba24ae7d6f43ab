/**
 * The plain report of a file's content credentials, made from what c2pa-rs's reader
 * returns: its manifest store JSON (`reader.json()`) and its crJSON (`reader.crJson()`,
 * the only place with the signing certificate's subject and issuer).
 *
 * The top-level state is c2pa-rs's own validation_state. An ingredient gets its own
 * state, by the same rules c2pa-rs applies to the active manifest, from two sources:
 *  - the validation results recorded in the ingredient when it was added (a take whose
 *    media was tampered with before the export was signed shows up only there: c2pa-rs
 *    then still calls the export Trusted);
 *  - the deltas the reader found now, for the ingredient's manifest carried in the store
 *    (trust in *this* reader's anchors, a signature broken since).
 */

export type CredentialState = 'trusted' | 'valid' | 'invalid' | 'none';

export interface CredentialFailure {
  /** The C2PA validation status code, e.g. assertion.bmffHash.mismatch. */
  code: string;
  explanation: string;
  /** Which manifest part it is about (a JUMBF URI), when c2pa-rs says. */
  url?: string;
}

export interface ManifestAssertion {
  label: string;
  data: unknown;
}

export interface CredentialSigner {
  /** The leaf certificate's subject and issuer, as `CN=..., O=...`. */
  subject: string;
  issuer: string;
  serialNumber: string | null;
  /** The certificate's validity: without a timestamp the file stops validating after notAfter. */
  notBefore: string | null;
  notAfter: string | null;
  /** When it was signed, from a trusted RFC 3161 timestamp; null without one. */
  signedAt: string | null;
  /** The timestamp authority's certificate subject, when there is a timestamp. */
  timestampAuthority: string | null;
}

export interface IngredientCredentials {
  title: string;
  relationship: string;
  /** Its assertion's label in the parent manifest (c2pa.ingredient.v3__1): actions' parameters.ingredients point at it. */
  label: string | null;
  format: string | null;
  /** 'none': the ingredient has no credentials of its own (a reference image, say). */
  state: CredentialState;
  failures: CredentialFailure[];
  signer: CredentialSigner | null;
  /** The ingredient's own active manifest's assertions (com.shotline.take, c2pa.actions.v2, ...). */
  assertions: ManifestAssertion[];
}

export interface CredentialsReport {
  path: string;
  format: string | null;
  state: CredentialState;
  signer: CredentialSigner | null;
  /** The active manifest's failures and those the reader found now in its ingredients' manifests. */
  failures: CredentialFailure[];
  manifestLabel: string | null;
  title: string | null;
  claimGenerator: string | null;
  assertions: ManifestAssertion[];
  ingredients: IngredientCredentials[];
  /** Why there is no report of credentials (format unknown to c2pa-rs), when state is 'none'. */
  note?: string;
}

/* The parts of c2pa-rs's JSON we read (everything else is ignored). */
interface StatusEntry {
  code: string;
  url?: string;
  explanation?: string;
}
export interface StatusCodes {
  success?: StatusEntry[];
  informational?: StatusEntry[];
  failure?: StatusEntry[];
}
interface ValidationResultsJson {
  activeManifest?: StatusCodes;
  ingredientDeltas?: { ingredientAssertionURI: string; validationDeltas: StatusCodes }[];
}
export interface IngredientJson {
  title?: string;
  format?: string;
  relationship?: string;
  active_manifest?: string;
  label?: string;
  validation_results?: ValidationResultsJson;
  validation_status?: StatusEntry[];
}
interface ManifestJson {
  title?: string;
  label?: string;
  claim_generator_info?: { name?: string; version?: string }[];
  assertions?: { label: string; data: unknown }[];
  ingredients?: IngredientJson[];
  signature_info?: { time?: string };
}
export interface ManifestStoreJson {
  active_manifest?: string;
  manifests?: Record<string, ManifestJson>;
  validation_results?: ValidationResultsJson;
  validation_state?: string;
}
interface CertificateInfoJson {
  serialNumber?: string;
  issuer?: Record<string, string>;
  subject?: Record<string, string>;
  validity?: { notBefore?: string; notAfter?: string };
}
export interface CrJson {
  manifests?: {
    label?: string;
    signature?: { certificateInfo?: CertificateInfoJson; timeStampInfo?: { timestamp?: string; certificateInfo?: CertificateInfoJson } };
  }[];
}

const UNTRUSTED = 'signingCredential.untrusted';
const TRUSTED = 'signingCredential.trusted';
const STATES: Record<string, CredentialState> = { Trusted: 'trusted', Valid: 'valid', Invalid: 'invalid' };

export function credentialsReport(file: string, format: string, store: ManifestStoreJson, crJson: CrJson): CredentialsReport {
  const label = store.active_manifest ?? null;
  const active = label ? store.manifests?.[label] : undefined;
  const results = store.validation_results ?? {};
  const deltas = results.ingredientDeltas ?? [];
  const failures = [...(results.activeManifest?.failure ?? []), ...deltas.flatMap((delta) => delta.validationDeltas.failure ?? [])].map(failure);
  const state = active ? (STATES[store.validation_state ?? ''] ?? 'invalid') : 'invalid';
  return {
    path: file,
    format,
    state,
    signer: active && label ? signerOf(label, active, crJson) : null,
    failures: active ? failures : [{ code: 'claim.missing', explanation: 'the manifest store names an active manifest it does not contain' }],
    manifestLabel: label,
    title: active?.title ?? null,
    claimGenerator: claimGeneratorOf(active),
    assertions: assertionsOf(active),
    ingredients: (active?.ingredients ?? []).map((ingredient) => ingredientReport(ingredient, label, store, crJson)),
  };
}

/** The state of an ingredient c2pa-rs has no verdict for: the recorded results patched with this reader's deltas. */
function ingredientReport(ingredient: IngredientJson, parentLabel: string | null, store: ManifestStoreJson, crJson: CrJson): IngredientCredentials {
  const base = {
    title: ingredient.title ?? '(untitled)',
    relationship: ingredient.relationship ?? 'componentOf',
    label: ingredient.label ?? null,
    format: ingredient.format ?? null,
  };
  const ownLabel = ingredient.active_manifest;
  const own = ownLabel ? store.manifests?.[ownLabel] : undefined;
  if (!ownLabel || !own) return { ...base, state: 'none', failures: [], signer: null, assertions: [] };

  const recorded = recordedResults(ingredient);
  const assertionUri = parentLabel && ingredient.label ? `self#jumbf=/c2pa/${parentLabel}/c2pa.assertions/${ingredient.label}` : null;
  const delta = store.validation_results?.ingredientDeltas?.find((d) => d.ingredientAssertionURI === assertionUri)?.validationDeltas ?? {};
  const { state, failures } = ingredientState(recorded, delta);
  return { ...base, state, failures, signer: signerOf(ownLabel, own, crJson), assertions: assertionsOf(own) };
}

/** c2pa-rs's rules (validation_results.rs): valid = claim signature validated and inside validity, every failure tolerated; trusted = valid, trusted, no failure. */
export function ingredientState(recorded: StatusCodes, delta: StatusCodes): { state: CredentialState; failures: CredentialFailure[] } {
  const deltaSuccess = new Set((delta.success ?? []).map((s) => s.code));
  const deltaFailure = new Set((delta.failure ?? []).map((s) => s.code));
  const success = new Set([...(recorded.success ?? []).map((s) => s.code), ...deltaSuccess]);
  if (deltaFailure.has(UNTRUSTED)) success.delete(TRUSTED);
  const failures = [...(recorded.failure ?? []).filter((f) => !(f.code === UNTRUSTED && deltaSuccess.has(TRUSTED))), ...(delta.failure ?? [])];
  const unique = failures.filter((f, index) => failures.findIndex((g) => g.code === f.code && g.url === f.url) === index).map(failure);
  const valid = success.has('claimSignature.validated') && success.has('claimSignature.insideValidity') && unique.every((f) => f.code === UNTRUSTED);
  const state: CredentialState = !valid ? 'invalid' : success.has(TRUSTED) && unique.length === 0 ? 'trusted' : 'valid';
  return { state, failures: unique };
}

/**
 * What was recorded in an ingredient when it was added. v1/v2 ingredients (other tools,
 * older c2pa-rs) record only their failures, as validation_status: no failure there means
 * the signature was checked and held.
 */
export function recordedResults(ingredient: IngredientJson): StatusCodes {
  return (
    ingredient.validation_results?.activeManifest ?? {
      success: [{ code: 'claimSignature.validated' }, { code: 'claimSignature.insideValidity' }],
      failure: ingredient.validation_status ?? [],
    }
  );
}

function signerOf(label: string, manifest: ManifestJson, crJson: CrJson): CredentialSigner | null {
  const signature = crJson.manifests?.find((m) => m.label === label)?.signature;
  const certificate = signature?.certificateInfo;
  if (!certificate) return null;
  const stamp = signature.timeStampInfo;
  return {
    subject: distinguishedName(certificate.subject),
    issuer: distinguishedName(certificate.issuer),
    serialNumber: certificate.serialNumber ?? null,
    notBefore: certificate.validity?.notBefore ?? null,
    notAfter: certificate.validity?.notAfter ?? null,
    signedAt: stamp?.timestamp ?? manifest.signature_info?.time ?? null,
    timestampAuthority: stamp?.certificateInfo ? distinguishedName(stamp.certificateInfo.subject) : null,
  };
}

function distinguishedName(name: Record<string, string> | undefined): string {
  return Object.entries(name ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
}

function claimGeneratorOf(manifest: ManifestJson | undefined): string | null {
  const first = manifest?.claim_generator_info?.[0];
  if (!first?.name) return null;
  return first.version ? `${first.name} ${first.version}` : first.name;
}

function assertionsOf(manifest: ManifestJson | undefined): ManifestAssertion[] {
  return (manifest?.assertions ?? []).map((assertion) => ({ label: assertion.label, data: assertion.data }));
}

function failure(entry: StatusEntry): CredentialFailure {
  return { code: entry.code, explanation: entry.explanation ?? entry.code, ...(entry.url ? { url: entry.url } : {}) };
}
