/**
 * The body of POST /v1/videos as the emulated server reads it: multipart/form-data
 * (the SDK always sends multipart, even without a file), parsed with the multipart
 * reader built into Node's fetch `Request`. Strict like the real API: an unknown field,
 * a `seconds` outside '4' | '8' | '12', a size off the list, or a reference image of
 * another size is a 400 in OpenAI's error shape, worded as the provider words it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { JobRequest } from '../common/job-book';
import { imageDimensions } from './image-dimensions';

export const WIRE_SECONDS = ['4', '8', '12'] as const;
export const WIRE_SIZES = ['720x1280', '1280x720', '1024x1792', '1792x1024'] as const;
/** Sizes the base sora-2 model refused: only sora-2-pro made them. */
export const PRO_ONLY_SIZES: readonly string[] = ['1024x1792', '1792x1024'];
const REFERENCE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const KNOWN_FIELDS = new Set(['model', 'prompt', 'seconds', 'size', 'input_reference', 'input_reference[image_url]', 'input_reference[file_id]']);

/** Frame rate of the emulated clips: the protocol has no fps field. */
export const CLIP_FPS = 30;

/** The reference image as it arrived. */
export interface ReceivedReference {
  via: 'file' | 'image_url';
  mediaType: string;
  filename: string | null;
  bytes: number;
  /** From the image's own header; null for an https URL the emulator cannot fetch. */
  width: number | null;
  height: number | null;
}

export interface OpenAIVideoRequest extends JobRequest {
  seconds: (typeof WIRE_SECONDS)[number];
  size: (typeof WIRE_SIZES)[number];
  reference: ReceivedReference | null;
  /** Every field name the body carried, as sent: proves what was (not) sent. */
  fieldNames: string[];
}

export interface WireError {
  message: string;
  param: string | null;
  code: string | null;
}

export async function readCreateBody(headers: IncomingHttpHeaders, body: Buffer): Promise<OpenAIVideoRequest | WireError> {
  const contentType = headers['content-type'] ?? '';
  if (!/^multipart\/form-data;/i.test(contentType)) {
    return { message: `Invalid Content-Type header (${contentType || 'none'}), expected multipart/form-data.`, param: null, code: null };
  }
  let form: FormData;
  try {
    form = await new Request('http://emulator/v1/videos', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
  } catch (error) {
    return { message: `Could not parse multipart form: ${(error as Error).message}`, param: null, code: null };
  }
  const fieldNames = [...form.keys()];
  const unknown = fieldNames.find((name) => !KNOWN_FIELDS.has(name));
  if (unknown !== undefined) return { message: `Unknown parameter: '${unknown}'.`, param: unknown, code: 'unknown_parameter' };

  const text = (name: string): string | undefined => {
    const value = form.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const prompt = text('prompt');
  if (!prompt?.trim()) return { message: "Missing required parameter: 'prompt'.", param: 'prompt', code: 'missing_required_parameter' };
  const model = text('model') ?? 'sora-2';
  const seconds = text('seconds') ?? '4';
  if (!isOneOf(WIRE_SECONDS, seconds)) return { message: "Invalid type for 'seconds': expected one of '4', '8', or '12'", param: 'seconds', code: null };
  const size = text('size') ?? '720x1280';
  if (!isOneOf(WIRE_SIZES, size)) {
    return { message: `Invalid value: '${size}'. Supported values are: ${WIRE_SIZES.map((s) => `'${s}'`).join(', ')}.`, param: 'size', code: 'invalid_value' };
  }
  if (PRO_ONLY_SIZES.includes(size) && /^sora-2(?!-pro)/.test(model)) {
    return { message: `Invalid value: '${size}'. This size is only available with sora-2-pro.`, param: 'size', code: 'invalid_value' };
  }
  const [width, height] = size.split('x').map(Number) as [number, number];

  const reference = await readReference(form);
  if ('message' in reference) return reference;
  if (reference.value && reference.value.width !== null && (reference.value.width !== width || reference.value.height !== height)) {
    return { message: 'Inpaint image must match the requested width and height', param: null, code: null };
  }
  return {
    clientReference: '',
    model,
    prompt,
    seconds,
    size,
    durationSeconds: Number(seconds),
    width,
    height,
    fps: CLIP_FPS,
    audio: true, // every clip has sound
    reference: reference.value,
    fieldNames,
  };
}

async function readReference(form: FormData): Promise<{ value: ReceivedReference | null } | WireError> {
  const file = form.get('input_reference');
  const url = form.get('input_reference[image_url]');
  if (form.has('input_reference[file_id]')) return { message: 'Uploaded file references are not supported by this server.', param: 'input_reference', code: null };
  if (file !== null && url !== null) return { message: "Provide either an 'input_reference' file or 'input_reference[image_url]', not both.", param: 'input_reference', code: null };
  if (file !== null) {
    if (typeof file === 'string') return { message: "Invalid 'input_reference': expected a file upload.", param: 'input_reference', code: null };
    return describeImage(Buffer.from(await file.arrayBuffer()), file.type, 'file', file.name || null);
  }
  if (typeof url === 'string') {
    const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
    // An https URL cannot be fetched from loopback: taken as it is, unchecked.
    if (!data) return /^https:\/\//.test(url) ? { value: { via: 'image_url', mediaType: '', filename: null, bytes: 0, width: null, height: null } } : { message: "Invalid 'input_reference[image_url]': expected an https URL or a base64 data URL.", param: 'input_reference[image_url]', code: null };
    return describeImage(Buffer.from(data[2]!, 'base64'), data[1]!, 'image_url', null);
  }
  return { value: null };
}

function describeImage(bytes: Buffer, mediaType: string, via: ReceivedReference['via'], filename: string | null): { value: ReceivedReference } | WireError {
  const param = via === 'file' ? 'input_reference' : 'input_reference[image_url]';
  if (!REFERENCE_TYPES.includes(mediaType)) {
    return { message: `Invalid file format '${mediaType || 'unknown'}'. Supported formats are: ${REFERENCE_TYPES.join(', ')}.`, param, code: 'invalid_value' };
  }
  const dimensions = imageDimensions(bytes);
  if (!dimensions || `image/${dimensions.format}` !== mediaType) {
    return { message: `The image is not a valid ${mediaType.slice('image/'.length).toUpperCase()} file.`, param, code: 'invalid_image' };
  }
  return { value: { via, mediaType, filename, bytes: bytes.length, width: dimensions.width, height: dimensions.height } };
}

function isOneOf<T extends string>(allowed: readonly T[], value: string): value is T {
  return (allowed as readonly string[]).includes(value);
}
