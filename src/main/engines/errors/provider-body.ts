/**
 * Every provider shapes its error body differently; this reads any of them into one
 * record so that the kind decision (provider-hints.ts) does not care who answered:
 *   OpenAI    {error:{message,type,code,param}}   (the SDK hands over only the inner object)
 *   Runway    {error:"human message"}             (the SDK hands over the whole body)
 *   Google    {error:{code,message,status,details:[{reason}]}}
 *   Kling     {code,message,request_id}           (code 0 means success)
 *   Luma      {detail:"..."} | {detail:[{loc,msg,type}]}   (FastAPI)
 *   ComfyUI   {error:{type,message,details}, node_errors} | {error:"no prompt"}
 * and, for job failures, Runway tasks {failure, failureCode}.
 */

export interface ProviderErrorInfo {
  /** The provider's own words, as short as they come. */
  message?: string;
  /** OpenAI `code`, ComfyUI `error.type`, or another string code. */
  code?: string;
  /** OpenAI `type` (insufficient_quota is sometimes only here). */
  type?: string;
  /** Google RPC status name. */
  rpcStatus?: string;
  /** Runway task failureCode. */
  failureCode?: string;
  /** Kling's envelope code (top-level numeric `code`, non-zero). */
  envelopeCode?: number;
  /** Google `details[].reason` values (API_KEY_INVALID). */
  reasons: string[];
}

/** A body as text: JSON when it parses, otherwise the text itself (an HTML error page, a plain sentence). */
export function parseBodyText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      // Garbage that merely starts like JSON: keep the text, it is all we have.
    }
  }
  return text;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Gateways answer with HTML pages; their <title> (or text) is the useful part. */
function textOfPlainBody(text: string): string | undefined {
  if (!/<[a-z!][^>]*>/i.test(text)) return asText(text);
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1];
  const stripped = (title ?? text.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ').replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
  return stripped || undefined;
}

/** FastAPI's 422 `detail` list: "body.prompt: field required; ..." */
function textOfDetailList(detail: unknown[]): string | undefined {
  const parts = detail.slice(0, 5).map((item) => {
    const entry = asRecord(item);
    if (!entry) return asText(item);
    const location = Array.isArray(entry.loc) ? entry.loc.map(String).join('.') : undefined;
    const message = asText(entry.msg) ?? asText(entry.message);
    return location && message ? `${location}: ${message}` : message;
  });
  const text = parts.filter((part): part is string => part !== undefined).join('; ');
  return text || undefined;
}

function googleReasons(details: unknown): string[] {
  if (!Array.isArray(details)) return [];
  return details.map((item) => asText(asRecord(item)?.reason)).filter((reason): reason is string => reason !== undefined);
}

/** ComfyUI explains a validation failure per node; the first node's first error names the culprit. */
function firstComfyNodeError(nodeErrors: unknown): string | undefined {
  const nodes = asRecord(nodeErrors);
  if (!nodes) return undefined;
  for (const node of Object.values(nodes)) {
    const entry = asRecord(node);
    const first = asRecord(Array.isArray(entry?.errors) ? entry.errors[0] : undefined);
    if (!first) continue;
    const message = [asText(first.message), asText(first.details)].filter(Boolean).join(': ');
    const classType = asText(entry?.class_type);
    if (message) return classType ? `${classType}: ${message}` : message;
  }
  return undefined;
}

function readInnerError(inner: Record<string, unknown>, info: ProviderErrorInfo): void {
  info.message = asText(inner.message) ?? info.message;
  info.type = asText(inner.type) ?? info.type;
  // Google's inner `code` repeats the HTTP status; only a string code is the provider's own.
  if (typeof inner.code === 'string') info.code = inner.code.trim() || info.code;
  if (typeof inner.status === 'string') info.rpcStatus = inner.status;
  info.reasons.push(...googleReasons(inner.details));
  // ComfyUI's `details` is a string that completes the message.
  const details = asText(inner.details);
  if (details && info.message && !info.message.includes(details)) info.message = `${info.message}: ${details}`;
}

/** Reads whatever a provider sent (parsed JSON, text, or nothing) into one record. */
export function readProviderError(body: unknown): ProviderErrorInfo {
  const info: ProviderErrorInfo = { reasons: [] };
  if (typeof body === 'string') {
    const parsed = parseBodyText(body);
    if (typeof parsed === 'string') {
      const message = textOfPlainBody(parsed);
      if (message !== undefined) info.message = message;
      return info;
    }
    return readProviderError(parsed);
  }
  if (Array.isArray(body)) {
    const message = textOfDetailList(body);
    if (message !== undefined) info.message = message;
    return info;
  }
  const record = asRecord(body);
  if (!record) return info;

  const error = record.error;
  const inner = asRecord(error);
  if (inner) readInnerError(inner, info);
  else if (asText(error)) info.message = asText(error);

  if (typeof record.code === 'number' && record.code !== 0) info.envelopeCode = record.code;
  else if (typeof record.code === 'string' && /^\d+$/.test(record.code) && record.code !== '0') info.envelopeCode = Number(record.code);
  else if (typeof record.code === 'string' && !info.code) info.code = record.code;
  if (!info.type && typeof record.type === 'string') info.type = record.type;

  info.message ??=
    asText(record.message) ??
    asText(record.failure) ??
    asText(record.failure_reason) ??
    asText(record.detail) ??
    (Array.isArray(record.detail) ? textOfDetailList(record.detail) : undefined) ??
    asText(record.task_status_msg);
  if (typeof record.failureCode === 'string') info.failureCode = record.failureCode;
  info.reasons.push(...googleReasons(record.details));

  const nodeError = firstComfyNodeError(record.node_errors);
  if (nodeError && !(info.message ?? '').includes(nodeError)) {
    info.message = info.message ? `${info.message} (${nodeError})` : nodeError;
  }
  return info;
}
