import { describe, expect, it } from 'vitest';
import {
  engineErrorFromHttp,
  engineErrorFromResponse,
  httpFailureFromResponse,
  kindForHttpStatus,
  submitMayHaveCreatedJob,
  type EngineCallContext,
} from '../../src/main/engines/errors';

const submit = (provider = 'test'): EngineCallContext => ({ provider, operation: 'submit' });
const poll = (provider = 'test'): EngineCallContext => ({ provider, operation: 'poll' });

describe('kindForHttpStatus', () => {
  it.each([
    [400, 'invalid_request'], [404, 'invalid_request'], [405, 'invalid_request'], [409, 'invalid_request'],
    [413, 'invalid_request'], [415, 'invalid_request'], [422, 'invalid_request'], [418, 'invalid_request'],
    [401, 'auth'], [403, 'auth'], [402, 'quota_exhausted'], [408, 'timeout'], [410, 'expired_output'],
    [429, 'rate_limited'], [500, 'unavailable'], [502, 'unavailable'], [503, 'unavailable'], [504, 'timeout'],
    [501, 'unavailable'], [507, 'unavailable'], [520, 'unavailable'], [524, 'timeout'], [200, 'unavailable'],
  ] as const)('%i -> %s', (status, kind) => {
    expect(kindForHttpStatus(status)).toBe(kind);
  });

  it('lets hints refine the status but not invent faults', () => {
    expect(kindForHttpStatus(429, { quotaExhausted: true })).toBe('quota_exhausted');
    expect(kindForHttpStatus(403, { quotaExhausted: true })).toBe('quota_exhausted');
    expect(kindForHttpStatus(503, { quotaExhausted: true })).toBe('unavailable');
    expect(kindForHttpStatus(400, { contentPolicy: true })).toBe('content_policy');
    expect(kindForHttpStatus(422, { contentPolicy: true })).toBe('content_policy');
    expect(kindForHttpStatus(500, { contentPolicy: true })).toBe('unavailable');
    expect(kindForHttpStatus(400, { invalidCredentials: true })).toBe('auth');
    expect(kindForHttpStatus(429, { providerKind: 'auth' })).toBe('auth');
  });
});

describe('submitMayHaveCreatedJob', () => {
  it('is true only where a gateway may have passed the request on', () => {
    const mayExist = [400, 401, 402, 403, 404, 408, 409, 422, 429, 500, 502, 503, 504, 524].filter(submitMayHaveCreatedJob);
    expect(mayExist).toEqual([408, 502, 504, 524]);
  });

  it('is set on every submit error and on no other operation', () => {
    expect(engineErrorFromHttp({ status: 502 }, submit()).details.jobMayExist).toBe(true);
    expect(engineErrorFromHttp({ status: 503 }, submit()).details.jobMayExist).toBe(false);
    expect(engineErrorFromHttp({ status: 429 }, submit()).details.jobMayExist).toBe(false);
    expect(engineErrorFromHttp({ status: 502 }, poll()).details).not.toHaveProperty('jobMayExist');
  });
});

describe('engineErrorFromHttp: provider bodies', () => {
  it('OpenAI: 429 insufficient_quota is an empty account, rate_limit_exceeded a rate', () => {
    const quota = { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } };
    const quotaError = engineErrorFromHttp({ status: 429, body: quota }, submit('openai'));
    expect(quotaError.kind).toBe('quota_exhausted');
    expect(quotaError.details.providerCode).toBe('insufficient_quota');
    expect(quotaError.message).toContain('You exceeded your current quota');

    const rate = { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } };
    const rateError = engineErrorFromHttp({ status: 429, headers: { 'retry-after-ms': '1200' }, body: rate }, submit('openai'));
    expect(rateError.kind).toBe('rate_limited');
    expect(rateError.details).toMatchObject({ retryAfterMs: 1200, httpStatus: 429, providerCode: 'rate_limit_exceeded', jobMayExist: false });
  });

  it('OpenAI: the inner error object alone (as the SDK keeps it) reads the same', () => {
    const inner = { message: 'Your request was rejected by the safety system.', type: 'invalid_request_error', param: null, code: 'moderation_blocked' };
    expect(engineErrorFromHttp({ status: 400, body: inner }, submit('openai')).kind).toBe('content_policy');
    const plain = { message: "Invalid type for 'seconds': expected one of '4', '8', or '12'", type: 'invalid_request_error', param: 'seconds', code: null };
    const error = engineErrorFromHttp({ status: 400, body: plain }, submit('openai'));
    expect(error.kind).toBe('invalid_request');
    expect(error.details.providerCode).toBe('invalid_request_error');
  });

  it('Runway: {error:"..."} bodies, SAFETY failure codes and credits', () => {
    const bad = engineErrorFromHttp({ status: 400, body: { error: 'Invalid asset aspect ratio' } }, submit('runway'));
    expect(bad.kind).toBe('invalid_request');
    expect(bad.message).toBe('runway submit failed: HTTP 400: Invalid asset aspect ratio');
    expect(engineErrorFromHttp({ status: 400, body: { error: 'Prompt rejected', failureCode: 'SAFETY.INPUT.TEXT' } }, submit('runway')).kind).toBe('content_policy');
    expect(engineErrorFromHttp({ status: 400, body: { error: 'You do not have enough credits to run this task.' } }, submit('runway')).kind).toBe('quota_exhausted');
    expect(engineErrorFromHttp({ status: 429, body: { error: 'You have exceeded your daily task limit.' } }, submit('runway')).kind).toBe('rate_limited');
  });

  it('Google: RESOURCE_EXHAUSTED is a rate even when its words say quota; a bad key is auth despite 400', () => {
    const exhausted = { error: { code: 429, message: 'You exceeded your current quota, please check your plan and billing details.', status: 'RESOURCE_EXHAUSTED' } };
    const rate = engineErrorFromHttp({ status: 429, body: exhausted }, submit('google'));
    expect(rate.kind).toBe('rate_limited');
    expect(rate.details.providerCode).toBe('RESOURCE_EXHAUSTED');

    const badKey = {
      error: {
        code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
      },
    };
    expect(engineErrorFromHttp({ status: 400, body: badKey }, submit('google')).kind).toBe('auth');
    const invalid = { error: { code: 400, message: 'durationSeconds must be 8 for 1080p', status: 'INVALID_ARGUMENT' } };
    expect(engineErrorFromHttp({ status: 400, body: invalid }, submit('google')).kind).toBe('invalid_request');
    expect(engineErrorFromHttp({ status: 403, body: { error: { code: 403, message: 'denied', status: 'PERMISSION_DENIED' } } }, poll('google')).kind).toBe('auth');
  });

  it.each([
    [401, 1000, 'auth'], [401, 1004, 'auth'], [429, 1100, 'auth'], [429, 1101, 'quota_exhausted'], [429, 1102, 'quota_exhausted'],
    [403, 1103, 'auth'], [400, 1200, 'invalid_request'], [400, 1201, 'invalid_request'], [404, 1202, 'invalid_request'],
    [404, 1203, 'invalid_request'], [400, 1300, 'content_policy'], [400, 1301, 'content_policy'], [429, 1302, 'rate_limited'],
    [429, 1303, 'rate_limited'], [429, 1304, 'auth'], [500, 5000, 'unavailable'], [503, 5001, 'unavailable'], [504, 5002, 'timeout'],
  ] as const)('Kling: HTTP %i with code %i -> %s', (status, code, kind) => {
    const error = engineErrorFromHttp({ status, body: { code, message: 'kling says no', request_id: 'req-1' } }, submit('kling'));
    expect(error.kind).toBe(kind);
    expect(error.details.providerCode).toBe(String(code));
    expect(error.message).toContain('kling says no');
  });

  it('Kling: an error envelope inside a 200 is still classified by its code', () => {
    const error = engineErrorFromHttp({ status: 200, body: { code: 1301, message: 'content security', request_id: 'r' } }, submit('kling'));
    expect(error.kind).toBe('content_policy');
    expect(error.details.jobMayExist).toBe(false);
  });

  it('Luma: FastAPI detail as a string and as a validation list', () => {
    expect(engineErrorFromHttp({ status: 400, body: { detail: 'Insufficient credits' } }, submit('luma')).kind).toBe('quota_exhausted');
    const list = { detail: [{ loc: ['body', 'prompt'], msg: 'field required', type: 'value_error.missing' }] };
    const error = engineErrorFromHttp({ status: 422, body: list }, submit('luma'));
    expect(error.kind).toBe('invalid_request');
    expect(error.message).toContain('body.prompt: field required');
    expect(engineErrorFromHttp({ status: 400, body: { detail: 'Prompt failed moderation' } }, submit('luma')).kind).toBe('content_policy');
  });

  it('ComfyUI: validation errors name the node; a missing prompt is a bad request', () => {
    const body = {
      error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} },
      node_errors: { '3': { errors: [{ type: 'value_not_in_list', message: 'Value not in list', details: "ckpt_name: 'x.safetensors' not in []" }], class_type: 'CheckpointLoaderSimple' } },
    };
    const error = engineErrorFromHttp({ status: 400, body }, submit('comfyui'));
    expect(error.kind).toBe('invalid_request');
    expect(error.details.providerCode).toBe('prompt_outputs_failed_validation');
    expect(error.message).toContain('CheckpointLoaderSimple: Value not in list');
    expect(engineErrorFromHttp({ status: 400, body: { error: 'no prompt', node_errors: [] } }, submit('comfyui')).message).toContain('no prompt');
  });

  it('gateway HTML and plain text bodies give their gist, not the page', () => {
    const html = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
    const error = engineErrorFromHttp({ status: 502, body: html }, submit('openai'));
    expect(error.kind).toBe('unavailable');
    expect(error.message).toBe('openai submit failed: HTTP 502: 502 Bad Gateway');
    expect(error.details.jobMayExist).toBe(true);
    expect(engineErrorFromHttp({ status: 503, body: 'upstream connect error' }, poll()).message).toContain('upstream connect error');
    expect(engineErrorFromHttp({ status: 500, statusText: 'Internal Server Error' }, poll()).message).toContain('HTTP 500: Internal Server Error');
  });

  it('a download that answers 403/404/410 is an expired link, not an auth or request problem', () => {
    const download: EngineCallContext = { provider: 'runway', operation: 'download' };
    const s3 = '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>';
    expect(engineErrorFromHttp({ status: 403, body: s3 }, download).kind).toBe('expired_output');
    expect(engineErrorFromHttp({ status: 404 }, download).kind).toBe('expired_output');
    expect(engineErrorFromHttp({ status: 401 }, download).kind).toBe('auth');
    expect(engineErrorFromHttp({ status: 403 }, poll()).kind).toBe('auth');
  });

  it('keeps Retry-After on any status that sends it (maintenance 503s do)', () => {
    const error = engineErrorFromHttp({ status: 503, headers: new Headers({ 'retry-after': '120' }) }, poll());
    expect(error.details.retryAfterMs).toBe(120_000);
  });

  it('redacts secrets echoed in bodies and bounds the message length', () => {
    const key = 'sk-live-abcdefghijklmnopqrstuvwxyz';
    const body = { error: { message: `Incorrect API key provided: ${key}. ${'x'.repeat(2000)}`, type: 'invalid_request_error', code: 'invalid_api_key' } };
    const error = engineErrorFromHttp({ status: 401, body }, { provider: 'openai', operation: 'poll', secrets: [key] });
    expect(error.kind).toBe('auth');
    expect(error.message).not.toContain(key);
    expect(error.message.length).toBeLessThanOrEqual(500);
  });
});

describe('httpFailureFromResponse', () => {
  it('reads status, headers and a JSON body from a fetch Response', async () => {
    const response = new Response(JSON.stringify({ code: 1302, message: 'rate', request_id: 'r' }), { status: 429, headers: { 'retry-after': '3' } });
    const error = await engineErrorFromResponse(response, submit('kling'));
    expect(error.kind).toBe('rate_limited');
    expect(error.details).toMatchObject({ retryAfterMs: 3000, providerCode: '1302', httpStatus: 429, jobMayExist: false });
  });

  it('keeps non-JSON text, and reads no more than 64 KiB of it', async () => {
    const failure = await httpFailureFromResponse(new Response('x'.repeat(1_000_000), { status: 500 }));
    expect(typeof failure.body).toBe('string');
    expect((failure.body as string).length).toBe(64 * 1024);
    const garbage = await httpFailureFromResponse(new Response('{not json', { status: 502 }));
    expect(garbage.body).toBe('{not json');
  });

  it('survives a body that fails mid-read', async () => {
    const stream = new ReadableStream({ pull: (controller) => controller.error(new TypeError('terminated')) });
    const failure = await httpFailureFromResponse(new Response(stream, { status: 503, statusText: 'Service Unavailable' }));
    expect(failure).toMatchObject({ status: 503, statusText: 'Service Unavailable' });
    expect(failure.body).toBeUndefined();
  });
});
