/**
 * Gemini's `generateContent` on loopback, as @google/genai 2.x speaks to it, for the AI
 * checks (clip score, character consistency). Binds 127.0.0.1 only.
 *
 *   POST /v1beta/models/{model}:generateContent          (literal colon)
 *     {contents:[{role, parts:[{text} | {inlineData:{mimeType, data}}]}],
 *      systemInstruction?:{parts:[{text}]},
 *      generationConfig?:{responseMimeType, responseSchema, maxOutputTokens, temperature, thinkingConfig}}
 *     -> 200 {candidates:[{content:{role:'model', parts:[{text:<JSON>}]}, finishReason:'STOP', index:0}],
 *             usageMetadata:{promptTokenCount, candidatesTokenCount, totalTokenCount, thoughtsTokenCount?}, modelVersion, responseId}
 *
 * Auth as Google answers it: no `x-goog-api-key` is 403 PERMISSION_DENIED, a wrong one is
 * 400 INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID. An unknown model is 404; a
 * malformed body (unknown field, an image whose bytes are not its mimeType, a schema
 * without responseMimeType application/json) is 400 INVALID_ARGUMENT naming the field;
 * thinkingBudget 0 on a model that cannot stop thinking (Pro) is 400, as on the real API.
 *
 * Answers are deterministic: rules registered by the test (`when(match, answer)`: the
 * first rule whose match hits the request's text wins), else defaults derived from the
 * request: which schema was asked for (a score or a character comparison) and a hash of
 * the text. An answer longer than maxOutputTokens is cut there with finishReason
 * MAX_TOKENS, as the real API does.
 *
 * Tokens: text at 4 characters a token (contents, system instruction and the response
 * schema as JSON); each image by Gemini 2.x's tiling (258 tokens per crop, see
 * src/main/media/ai/tokens.ts). Billing: every 200 answer (a malformed one too) at the
 * price table the app uses, rounded up per call; errors and hangs bill nothing.
 *
 * Fault knobs (counted ones fire on the next N calls, then stop): 429 RESOURCE_EXHAUSTED
 * with Retry-After and RetryInfo; 5xx; a hang (accepted, never answered); a 200 whose
 * candidate text is cut mid-JSON; `down` (503 until turned off); thinking tokens added
 * to the usage (billed as output).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { costMicrosForUsage, tokenPriceFor, type GeminiUsage } from '../../../src/main/media/ai/prices';
import { imageTokens } from '../../../src/main/media/ai/tokens';
import { closeServer, listenOnLoopback } from '../common/loopback';

export interface VisionFaultKnobs {
  /** The next N calls answer 429 RESOURCE_EXHAUSTED with Retry-After: retryAfterSeconds. */
  rateLimits: number;
  retryAfterSeconds: number;
  /** The next N calls answer serverErrorStatus (default 503). */
  serverErrors: number;
  serverErrorStatus: number;
  /** The next N calls are accepted and never answered. */
  hangs: number;
  /** The next N answers are 200 with the candidate's JSON text cut in half (billed: the model did answer). */
  malformedAnswers: number;
  /** Every call answers 503 until turned off. */
  down: boolean;
  /** Thinking tokens reported (and billed as output) on every answer where thinking was not turned off. */
  thoughtsTokenCount: number;
}

const NO_FAULTS: Readonly<VisionFaultKnobs> = {
  rateLimits: 0,
  retryAfterSeconds: 7,
  serverErrors: 0,
  serverErrorStatus: 503,
  hangs: 0,
  malformedAnswers: 0,
  down: false,
  thoughtsTokenCount: 0,
};

/** What one call sent, as read off the wire. */
export interface VisionRequest {
  model: string;
  /** Every text part (system instruction first), joined by newlines. */
  text: string;
  images: { mimeType: string; width: number; height: number; bytes: number }[];
  generationConfig: Record<string, unknown>;
  /** The x-goog-api-key header as sent (tests check that the right key arrived). */
  apiKey: string | undefined;
  /** The status answered (null for a hang). */
  status: number | null;
  body: Record<string, unknown>;
}

export interface InvoiceLine {
  model: string;
  usage: GeminiUsage;
  micros: number;
}

type Answer = Record<string, unknown>;
type Matcher = string | RegExp | ((request: VisionRequest) => boolean);

const ROUTE = /^\/v1beta\/models\/([^/:]+):generateContent$/;
const TOP_LEVEL_FIELDS = new Set(['contents', 'systemInstruction', 'generationConfig', 'safetySettings', 'tools', 'toolConfig', 'cachedContent']);
const GENERATION_FIELDS = new Set([
  'temperature', 'topP', 'topK', 'candidateCount', 'maxOutputTokens', 'stopSequences', 'responseMimeType', 'responseSchema',
  'responseJsonSchema', 'presencePenalty', 'frequencyPenalty', 'seed', 'thinkingConfig', 'mediaResolution', 'responseLogprobs', 'logprobs',
]);
const IMAGE_SIGNATURES: Record<string, (b: Buffer) => boolean> = {
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/webp': (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
};
const RPC_STATUS: Record<number, string> = { 400: 'INVALID_ARGUMENT', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 502: 'UNAVAILABLE', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED' };
const MAX_BODY_BYTES = 20 * 1024 * 1024;

export class GeminiVisionEmulator {
  faults: VisionFaultKnobs = { ...NO_FAULTS };
  readonly requests: VisionRequest[] = [];
  readonly invoice: InvoiceLine[] = [];
  private readonly rules: { match: Matcher; answer: Answer | ((request: VisionRequest) => Answer) }[] = [];
  private readonly server: Server;
  private baseUrl = '';

  constructor(private readonly options: { apiKey: string; port?: number }) {
    this.server = createServer((req, res) => {
      this.dispatch(req, res).catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) this.sendError(res, 500, `emulator fault: ${String(error)}`);
      });
    });
  }

  async start(): Promise<string> {
    this.baseUrl = await listenOnLoopback(this.server, this.options.port);
    return this.baseUrl;
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }

  get url(): string {
    return this.baseUrl;
  }

  /** Total billed, in whole micro-dollars (each call rounded up on its own). */
  get invoiceMicros(): number {
    return this.invoice.reduce((sum, line) => sum + line.micros, 0);
  }

  setFaults(changes: Partial<VisionFaultKnobs>): void {
    this.faults = { ...this.faults, ...changes };
  }

  /** Forgets faults and rules (not the invoice or the recorded requests). */
  reset(): void {
    this.faults = { ...NO_FAULTS };
    this.rules.length = 0;
  }

  /**
   * When the request's text contains `match` (or the RegExp/function matches), answer
   * with these fields over the defaults. Earlier rules win.
   */
  when(match: Matcher, answer: Answer | ((request: VisionRequest) => Answer)): void {
    this.rules.push({ match, answer });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const route = ROUTE.exec(url.pathname);
    if (!route || req.method !== 'POST') return this.sendError(res, 404, `Method not found: ${req.method} ${url.pathname}`);
    const model = decodeURIComponent(route[1]!);
    const raw = await readBody(req);
    const apiKey = typeof req.headers['x-goog-api-key'] === 'string' ? req.headers['x-goog-api-key'] : undefined;
    const record: VisionRequest = { model, text: '', images: [], generationConfig: {}, apiKey, status: null, body: {} };
    this.requests.push(record);
    const answer = (status: number, send: () => void) => {
      record.status = status;
      send();
    };

    if (this.faults.down) return answer(503, () => this.sendError(res, 503, 'The service is currently unavailable.'));
    if (this.faults.hangs > 0) {
      this.faults.hangs -= 1;
      return; // never answered; close() drops it
    }
    if (this.faults.serverErrors > 0) {
      this.faults.serverErrors -= 1;
      const status = this.faults.serverErrorStatus;
      return answer(status, () => this.sendError(res, status, status === 503 ? 'The model is overloaded. Please try again later.' : 'An internal error has occurred.'));
    }
    if (this.faults.rateLimits > 0) {
      this.faults.rateLimits -= 1;
      const seconds = this.faults.retryAfterSeconds;
      return answer(429, () =>
        this.sendError(res, 429, 'You exceeded your current quota, please check your plan and billing details.', { 'retry-after': String(seconds) }, [
          { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }] },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${seconds}s` },
        ]),
      );
    }
    if (apiKey === undefined) {
      return answer(403, () => this.sendError(res, 403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."));
    }
    if (apiKey !== this.options.apiKey) {
      return answer(400, () =>
        this.sendError(res, 400, 'API key not valid. Please pass a valid API key.', {}, [
          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
        ]),
      );
    }
    const price = tokenPriceFor(model);
    if (!price) {
      return answer(404, () => this.sendError(res, 404, `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`));
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return answer(400, () => this.sendError(res, 400, 'Invalid JSON payload received. Unexpected token.'));
    }
    const problem = readRequest(body, record);
    if (problem) return answer(400, () => this.sendError(res, 400, problem));

    const config = record.generationConfig;
    const thinking = (config.thinkingConfig ?? {}) as { thinkingBudget?: unknown };
    if (/pro/.test(model) && thinking.thinkingBudget === 0) {
      return answer(400, () => this.sendError(res, 400, 'Budget 0 is invalid. This model only works in thinking mode.'));
    }

    const fields = this.answerFor(record);
    const schema = config.responseSchema as { propertyOrdering?: string[] } | undefined;
    let text = JSON.stringify(orderFields(fields, schema?.propertyOrdering));
    let finishReason = 'STOP';
    const maxOutput = typeof config.maxOutputTokens === 'number' ? config.maxOutputTokens : Infinity;
    if (Math.ceil(text.length / 4) > maxOutput) {
      text = text.slice(0, Math.max(1, maxOutput * 4));
      finishReason = 'MAX_TOKENS';
    }
    if (this.faults.malformedAnswers > 0) {
      this.faults.malformedAnswers -= 1;
      text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    }
    const usage: GeminiUsage = {
      promptTokenCount: Math.ceil(record.text.length / 4) + Math.ceil(JSON.stringify(config.responseSchema ?? {}).length / 4) + record.images.reduce((sum, image) => sum + imageTokens(image.width, image.height), 0),
      candidatesTokenCount: Math.ceil(text.length / 4),
      thoughtsTokenCount: thinking.thinkingBudget === 0 ? 0 : this.faults.thoughtsTokenCount,
    };
    const micros = costMicrosForUsage(price, usage);
    this.invoice.push({ model, usage, micros });
    answer(200, () =>
      sendJson(res, 200, {
        candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason, index: 0 }],
        usageMetadata: {
          promptTokenCount: usage.promptTokenCount,
          candidatesTokenCount: usage.candidatesTokenCount,
          totalTokenCount: usage.promptTokenCount + usage.candidatesTokenCount + usage.thoughtsTokenCount,
          ...(usage.thoughtsTokenCount > 0 ? { thoughtsTokenCount: usage.thoughtsTokenCount } : {}),
          promptTokensDetails: [
            { modality: 'TEXT', tokenCount: usage.promptTokenCount - record.images.reduce((sum, image) => sum + imageTokens(image.width, image.height), 0) },
            ...(record.images.length > 0 ? [{ modality: 'IMAGE', tokenCount: record.images.reduce((sum, image) => sum + imageTokens(image.width, image.height), 0) }] : []),
          ],
        },
        modelVersion: model,
        responseId: randomBytes(8).toString('base64url'),
      }),
    );
  }

  /** Rules first, then the defaults for the schema asked for. */
  private answerFor(request: VisionRequest): Answer {
    const schema = request.generationConfig.responseSchema as { properties?: Record<string, unknown> } | undefined;
    const properties = Object.keys(schema?.properties ?? {});
    const base = defaultAnswer(request, properties);
    for (const rule of this.rules) {
      const hit = typeof rule.match === 'string' ? request.text.includes(rule.match) : rule.match instanceof RegExp ? rule.match.test(request.text) : rule.match(request);
      if (hit) return { ...base, ...(typeof rule.answer === 'function' ? rule.answer(request) : rule.answer) };
    }
    return base;
  }

  private sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}, details: unknown[] = []): void {
    sendJson(res, status, { error: { code: status, message, status: RPC_STATUS[status] ?? 'UNKNOWN', ...(details.length > 0 ? { details } : {}) } }, headers);
  }
}

/** The environment that points the SDK (and Shotline) at this emulator. */
export function geminiVisionEnv(emulator: GeminiVisionEmulator, apiKey: string): Record<string, string> {
  return { GEMINI_API_KEY: apiKey, GOOGLE_GEMINI_BASE_URL: emulator.url };
}

/** A deterministic default: a score in 0.62..0.96 from the request's text, or "consistent" for a comparison. */
function defaultAnswer(request: VisionRequest, properties: string[]): Answer {
  const hash = createHash('sha256').update(request.text).digest();
  const score = 0.62 + (hash[0]! % 35) / 100;
  if (properties.includes('consistent')) return { consistent: true, score: Math.round(score * 100) / 100, reason: 'The character looks the same in every image.', outliers: [] };
  if (properties.includes('promptAdherence')) {
    return { promptAdherence: Math.round((score + 0.03) * 100) / 100, artifacts: Math.round((score - 0.02) * 100) / 100, score: Math.round(score * 100) / 100, reason: 'The frames match the prompt with minor softness.' };
  }
  return { result: 'ok' };
}

function orderFields(fields: Answer, order: string[] | undefined): Answer {
  if (!order) return fields;
  const ordered: Answer = {};
  for (const key of order) if (key in fields) ordered[key] = fields[key];
  for (const [key, value] of Object.entries(fields)) if (!(key in ordered)) ordered[key] = value;
  return ordered;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fills `record` from the body; returns Google-style wording of the first problem. */
function readRequest(body: unknown, record: VisionRequest): string | undefined {
  if (!isRecord(body)) return 'Invalid JSON payload received. Expected an object.';
  record.body = body;
  for (const field of Object.keys(body)) {
    if (!TOP_LEVEL_FIELDS.has(field)) return `Invalid JSON payload received. Unknown name "${field}": Cannot find field.`;
  }
  const texts: string[] = [];
  if (body.systemInstruction !== undefined) {
    const system = body.systemInstruction;
    if (!isRecord(system) || !Array.isArray(system.parts)) return 'systemInstruction: must be a Content with parts';
    for (const part of system.parts) {
      if (!isRecord(part) || typeof part.text !== 'string') return 'systemInstruction.parts: only text parts are supported';
      texts.push(part.text);
    }
  }
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified';
  for (const [i, content] of contents.entries()) {
    if (!isRecord(content) || !Array.isArray(content.parts) || content.parts.length === 0) return `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`;
    if (content.role !== undefined && content.role !== 'user' && content.role !== 'model') return `contents[${i}].role: ${JSON.stringify(content.role)} is not user or model`;
    for (const [j, part] of content.parts.entries()) {
      if (!isRecord(part)) return `contents[${i}].parts[${j}]: must be an object`;
      if (typeof part.text === 'string') {
        texts.push(part.text);
        continue;
      }
      const inline = part.inlineData;
      if (!isRecord(inline)) return `contents[${i}].parts[${j}]: only text and inlineData parts are supported here`;
      const mimeType = inline.mimeType;
      if (typeof mimeType !== 'string' || !IMAGE_SIGNATURES[mimeType]) return `contents[${i}].parts[${j}].inlineData.mimeType: Unsupported MIME type: ${String(mimeType)}`;
      if (typeof inline.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(inline.data)) return `contents[${i}].parts[${j}].inlineData.data: Invalid value (not base64)`;
      const bytes = Buffer.from(inline.data, 'base64');
      if (!IMAGE_SIGNATURES[mimeType]!(bytes)) return `contents[${i}].parts[${j}]: Unable to process input image. The bytes are not ${mimeType}.`;
      const size = imageSize(mimeType, bytes);
      record.images.push({ mimeType, bytes: bytes.length, ...size });
    }
  }
  record.text = texts.join('\n');
  const config = body.generationConfig ?? {};
  if (!isRecord(config)) return 'generationConfig: must be an object';
  for (const field of Object.keys(config)) {
    if (!GENERATION_FIELDS.has(field)) return `Invalid JSON payload received. Unknown name "${field}" at 'generation_config': Cannot find field.`;
  }
  record.generationConfig = config;
  if (config.responseSchema !== undefined) {
    if (config.responseMimeType !== 'application/json') return 'generation_config.response_schema: responseMimeType must be application/json when a response schema is set';
    if (!isRecord(config.responseSchema) || config.responseSchema.type !== 'OBJECT') return 'generation_config.response_schema.type: this emulator answers OBJECT schemas only';
  }
  if (config.maxOutputTokens !== undefined && (typeof config.maxOutputTokens !== 'number' || !Number.isInteger(config.maxOutputTokens) || config.maxOutputTokens < 1)) {
    return 'generation_config.max_output_tokens: must be a positive integer';
  }
  return undefined;
}

/** PNG from IHDR; other formats are counted as one small tile. */
function imageSize(mimeType: string, bytes: Buffer): { width: number; height: number } {
  if (mimeType === 'image/png' && bytes.length >= 24) return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  return { width: 384, height: 384 };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
