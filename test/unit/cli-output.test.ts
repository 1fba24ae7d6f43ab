import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, openSync, closeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProgressEvent } from '../../src/shared/api';
import { safeOutput, type OutputStream } from '../../src/main/cli/output';
import { createProgressView } from '../../src/main/cli/progress';

const outputModule = fileURLToPath(new URL('../../src/main/cli/output.ts', import.meta.url));

/** A stream that accepts `okWrites` writes and then fails the way `how` says. */
function failingStream(how: 'throw' | 'epipe', okWrites = 0, tty = false): OutputStream & { attempts: number; written: string } {
  let attempts = 0;
  let written = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (attempts > okWrites && how === 'epipe') return callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      written += chunk.toString();
      callback();
    },
  }) as Writable & { attempts: number; written: string; isTTY?: boolean; columns?: number };
  const write = stream.write.bind(stream) as (chunk: string, cb?: (error?: Error | null) => void) => boolean;
  stream.write = ((chunk: string, cb?: (error?: Error | null) => void) => {
    attempts++;
    if (attempts > okWrites && how === 'throw') throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return write(chunk, cb);
  }) as Writable['write'];
  Object.defineProperty(stream, 'attempts', { get: () => attempts });
  Object.defineProperty(stream, 'written', { get: () => written });
  if (tty) Object.assign(stream, { isTTY: true, columns: 100 });
  return stream;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('safeOutput', () => {
  it('passes text through while the stream works', async () => {
    const stream = failingStream('throw', 10);
    const out = safeOutput(stream);
    out.write('one\n');
    out.write('');
    out.write('two\n');
    await tick();
    expect(stream.written).toBe('one\ntwo\n');
    expect(out.gone).toBe(false);
  });

  it('swallows a write that throws and drops every later write', () => {
    const stream = failingStream('throw');
    const out = safeOutput(stream);
    expect(() => out.write('lost\n')).not.toThrow();
    expect(out.gone).toBe(true);
    expect((out.failure as NodeJS.ErrnoException).code).toBe('ENOSPC');
    out.write('also lost\n');
    out.write('and this\n');
    expect(stream.attempts).toBe(1);
  });

  it("swallows an 'error' event (EPIPE) that would otherwise end the process", async () => {
    const stream = failingStream('epipe', 1);
    const out = safeOutput(stream);
    out.write('kept\n');
    out.write('lost\n');
    await tick();
    expect(out.gone).toBe(true);
    expect((out.failure as NodeJS.ErrnoException).code).toBe('EPIPE');
    out.write('dropped\n');
    expect(stream.attempts).toBe(2);
    expect(stream.written).toBe('kept\n');
  });

  it('settle waits for pending writes, but not for a reader that never reads', async () => {
    const stuck = new Writable({ write() {} }); // never calls back
    const out = safeOutput(stuck);
    await out.settle(10); // nothing pending: at once
    out.write('held forever');
    const started = Date.now();
    await out.settle(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(out.gone).toBe(false);

    const slow = new Writable({ write: (_chunk, _encoding, callback) => setTimeout(callback, 20) });
    const slowOut = safeOutput(slow);
    slowOut.write('a');
    slowOut.write('b');
    const before = Date.now();
    await slowOut.settle(5000);
    expect(Date.now() - before).toBeLessThan(1000);
  });

  it('wraps a stream once, so repeated runs add no listeners', () => {
    const stream = failingStream('throw', 10);
    expect(safeOutput(stream)).toBe(safeOutput(stream));
    expect(stream.listenerCount('error')).toBe(1);
  });

  it('also covers errors from writes made around it (Node warnings, console.error)', async () => {
    const stream = failingStream('epipe');
    const out = safeOutput(stream);
    stream.write('someone else\n');
    await tick();
    expect(out.gone).toBe(true);
  });

  it('treats a destroyed stream as gone without writing', () => {
    const stream = failingStream('throw', 10);
    const out = safeOutput(stream);
    (stream as unknown as Writable).destroy();
    out.write('x');
    expect(out.gone).toBe(true);
    expect(stream.attempts).toBe(0);
  });

  it.skipIf(!existsSync('/dev/full'))('survives /dev/full (ENOSPC) through fs.createWriteStream', async () => {
    const stream = createWriteStream('/dev/full');
    const out = safeOutput(stream);
    out.write('a finished report that cannot be written\n');
    expect(out.gone).toBe(false); // not known yet: the failure comes after write() returned
    await out.settle(5000);
    expect(out.gone).toBe(true);
    expect((out.failure as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(() => out.write('more')).not.toThrow();
  });

  it('survives a real closed pipe (EPIPE): a reader that closed its end', async () => {
    const child = spawn(process.execPath, ['-e', "require('fs').closeSync(0); process.stdout.write('closed'); setTimeout(() => {}, 5000)"], { stdio: ['pipe', 'pipe', 'ignore'] });
    try {
      await new Promise((resolve) => child.stdout!.once('data', resolve));
      const out = safeOutput(child.stdin!);
      for (let i = 0; i < 20; i++) out.write('x'.repeat(70_000));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(out.gone).toBe(true);
      expect((out.failure as NodeJS.ErrnoException).code).toBe('EPIPE');
    } finally {
      child.kill();
    }
  });
});

/** Runs a script against the real process.stdout/stderr of a child, wired as `stdio` says. */
function runWithStdio(script: string, stdio: ['ignore', number | 'pipe', number | 'pipe'], closeStderrAtOnce = false): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const code = `const { safeOutput } = await import(${JSON.stringify(outputModule)});\n${script}`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio });
  if (closeStderrAtOnce) child.stderr!.destroy();
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  if (!closeStderrAtOnce) child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (exitCode) => resolve({ code: exitCode, stdout, stderr })));
}

describe('safeOutput on the real process streams', () => {
  it.skipIf(!existsSync('/dev/full'))('process.stdout on /dev/full: the process carries on and exits 0', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const result = await runWithStdio(
        `const out = safeOutput(process.stdout);
         out.write('report\\n');
         await new Promise((r) => setTimeout(r, 50));
         out.write('more\\n');
         process.stderr.write(out.gone + ' ' + out.failure.code + '\\n');`,
        ['ignore', full, 'pipe'],
      );
      expect(result).toMatchObject({ code: 0, stderr: 'true ENOSPC\n' });
    } finally {
      closeSync(full);
    }
  }, 20_000);

  it('process.stderr whose reader is gone (EPIPE): progress keeps going, the work finishes', async () => {
    const result = await runWithStdio(
      `const err = safeOutput(process.stderr);
       for (let i = 0; i < 200; i++) { err.write('progress line ' + i + ' ' + 'x'.repeat(2000) + '\\n'); await new Promise((r) => setTimeout(r, 1)); }
       process.stdout.write('finished ' + err.gone + '\\n');`,
      ['ignore', 'pipe', 'pipe'],
      true,
    );
    expect(result).toMatchObject({ code: 0, stdout: 'finished true\n' });
  }, 20_000);
});

describe('progress views on a failing stream', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const events: ProgressEvent[] = [
    { episodeId: 'ep', type: 'shot', shotId: 's01', state: 'running' },
    { episodeId: 'ep', type: 'shot', shotId: 's02', state: 'running' },
    { episodeId: 'ep', type: 'shot', shotId: 's01', state: 'accepted', engineId: 'animatic' },
    { episodeId: 'ep', type: 'stitch', progress: 0.5 },
    { episodeId: 'ep', type: 'log', shotId: 's02', message: 'retrying' },
  ];

  it('the TTY bars stop drawing after the first failed write and leave no timer behind', () => {
    vi.useFakeTimers();
    const stream = failingStream('throw', 1, true);
    const view = createProgressView(safeOutput(stream));
    view.update(events[0]!);
    vi.advanceTimersByTime(150); // first frame: written
    view.update(events[1]!);
    vi.advanceTimersByTime(150); // second frame: the write throws
    expect(stream.attempts).toBe(2);
    for (const event of events) expect(() => view.update(event)).not.toThrow();
    vi.advanceTimersByTime(1000);
    expect(() => view.notice('Cancelling')).not.toThrow();
    expect(() => view.finish()).not.toThrow();
    expect(stream.attempts).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('the TTY bars survive an EPIPE error event', async () => {
    const stream = failingStream('epipe', 0, true);
    const out = safeOutput(stream);
    const view = createProgressView(out);
    view.update(events[0]!);
    view.finish();
    await tick();
    expect(out.gone).toBe(true);
    for (const event of events) view.update(event);
    view.finish();
    expect(stream.attempts).toBe(1);
  });

  it('the plain view stops writing after a failure', () => {
    const stream = failingStream('throw', 2);
    const view = createProgressView(safeOutput(stream));
    for (const event of events) expect(() => view.update(event)).not.toThrow();
    view.notice('Cancelling');
    view.finish();
    expect(stream.attempts).toBe(3);
  });

  it('draws below a notice instead of over it', () => {
    vi.useFakeTimers();
    const stream = failingStream('throw', 100, true);
    const view = createProgressView(safeOutput(stream));
    view.update(events[0]!);
    vi.advanceTimersByTime(150);
    view.notice('\nCancelling\n');
    view.finish();
    const frames = stream.written.split('Cancelling\n');
    expect(frames[1]).not.toMatch(/\x1b\[\d+F/); // no cursor-up into the notice
    expect(frames[1]).toMatch(/s01/);
  });

  it('draws nothing when no event ever came', () => {
    const stream = failingStream('throw', 100, true);
    createProgressView(safeOutput(stream)).finish();
    expect(stream.attempts).toBe(0);
  });
});
