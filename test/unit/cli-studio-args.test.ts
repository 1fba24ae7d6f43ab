/** `shotline studio` flags: the port range, the data folder, --no-open; anything else is refused naming itself. */
import { describe, expect, it } from 'vitest';
import { parseStudioArgs } from '../../src/main/cli/studio-command';
import { UserError } from '../../src/shared/errors';

describe('shotline studio arguments', () => {
  it('defaults to any free port and opening the browser', () => {
    expect(parseStudioArgs([])).toEqual({ port: 0, dataDir: undefined, open: true });
    expect(parseStudioArgs(['--port', '8080', '--data-dir', '/tmp/d', '--no-open'])).toEqual({ port: 8080, dataDir: '/tmp/d', open: false });
    expect(parseStudioArgs(['--port=65535']).port).toBe(65_535);
  });

  it.each(['70000', '65536', '-1', '1.5', 'x', '', '0x10', '1e3'])('refuses --port %j naming the flag and the range', (port) => {
    const parse = () => parseStudioArgs([`--port=${port}`]);
    expect(parse).toThrow(UserError);
    expect(parse).toThrow(`--port: must be a whole number from 0 to 65535, got "${port}"`);
  });

  it('refuses unknown flags and positional arguments with the usage', () => {
    expect(() => parseStudioArgs(['--host', '0.0.0.0'])).toThrow(/Usage: shotline studio/);
    expect(() => parseStudioArgs(['board.yaml'])).toThrow(/unexpected argument "board.yaml"/);
  });
});
