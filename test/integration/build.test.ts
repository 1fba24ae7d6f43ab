/**
 * `npm test` builds first; this checks that what was built is what a user runs: the
 * bundled CLI starts under plain Node, without Electron.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../support/cli-process';

const cli = join(projectRoot, 'out/main/cli.js');

describe('the built bundle (npm test builds it first)', () => {
  it('exists', () => {
    expect(existsSync(cli), `${cli} is missing: run npm run build`).toBe(true);
  });

  it('runs the shotline bin under plain Node and prints usage', () => {
    const out = execFileSync(process.execPath, [join(projectRoot, 'bin/shotline.js'), '--help']).toString();
    expect(out).toMatch(/^Usage:\n  shotline render <storyboard> --out <file.mp4>/);
  });

  it('keeps electron out of the CLI bundle', () => {
    expect(readFileSync(cli, 'utf8')).not.toMatch(/from ["']electron["']|require\(["']electron["']\)/);
  });
});
