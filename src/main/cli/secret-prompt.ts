/**
 * Reading a secret for `shotline keys set`: from a hidden prompt when a person is at a
 * terminal (nothing is echoed, so the key never lands in the scrollback), else from
 * standard input (one value per line, for scripts: `printf '%s\n' "$KEY" | shotline keys set runway`).
 * Never from a command-line argument, which shells keep in their history and `ps` shows
 * to every user of the machine.
 */
import { CancelledError, UserError } from '../../shared/errors';
import type { SafeOutput } from './output';

export interface SecretInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

const MAX_INPUT_BYTES = 64 * 1024;

/** One value per label, in order: prompted one by one at a terminal, else the first lines of standard input. */
export async function readSecrets(labels: string[], input: SecretInput, prompt: SafeOutput): Promise<string[]> {
  if (input.isTTY && typeof input.setRawMode === 'function') {
    const values: string[] = [];
    for (const label of labels) values.push(await readHidden(label, input, prompt));
    return values;
  }
  const lines = (await readAll(input)).split(/\r?\n/);
  const values = labels.map((_, i) => lines[i] ?? '');
  const missing = labels.filter((_, i) => values[i] === '');
  if (missing.length > 0) {
    throw new UserError(`standard input: expected ${labels.length} line(s) (${labels.join(', then ')}); missing: ${missing.join(', ')}`);
  }
  return values;
}

async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > MAX_INPUT_BYTES) throw new UserError(`standard input: more than ${MAX_INPUT_BYTES} bytes; expected a key per line`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Raw mode: every key press arrives alone and nothing is echoed. Enter ends, Backspace erases, Ctrl-C cancels. */
function readHidden(label: string, input: SecretInput, prompt: SafeOutput): Promise<string> {
  prompt.write(`${label}: `);
  input.setRawMode!(true);
  input.resume();
  let value = '';
  return new Promise<string>((resolve, reject) => {
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode!(false);
      input.pause();
      prompt.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new CancelledError('cancelled: no key was stored'));
        if (char === '\u0004') return finish(); // Ctrl-D ends the input like Enter
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    input.on('data', onData);
  });
}
