import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  SECURE_WEB_PREFERENCES,
  createAppUrlMatcher,
  externalLinkTarget,
  withContentSecurityPolicy,
} from '../../src/main/shell/security';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('createAppUrlMatcher', () => {
  it('matches only the exact packaged file, whatever the hash or query', () => {
    const isApp = createAppUrlMatcher('file:///opt/Shot%20line/out/renderer/index.html');
    expect(isApp('file:///opt/Shot%20line/out/renderer/index.html')).toBe(true);
    expect(isApp('file:///opt/Shot%20line/out/renderer/index.html#/episodes?x=1')).toBe(true);
    expect(isApp('file:///opt/Shot%20line/out/renderer/other.html')).toBe(false);
    expect(isApp('file:///etc/passwd')).toBe(false);
    expect(isApp('https://opt/Shot%20line/out/renderer/index.html')).toBe(false);
  });

  it('matches the dev server by origin', () => {
    const isApp = createAppUrlMatcher('http://localhost:5173/');
    expect(isApp('http://localhost:5173/')).toBe(true);
    expect(isApp('http://localhost:5173/some/route')).toBe(true);
    expect(isApp('http://localhost:5174/')).toBe(false);
    expect(isApp('http://localhost.evil.example:5173/')).toBe(false);
    expect(isApp('https://localhost:5173/')).toBe(false);
  });

  it('refuses missing or malformed URLs', () => {
    const isApp = createAppUrlMatcher('http://localhost:5173/');
    expect(isApp(undefined)).toBe(false);
    expect(isApp(null)).toBe(false);
    expect(isApp('')).toBe(false);
    expect(isApp('not a url')).toBe(false);
  });
});

describe('externalLinkTarget', () => {
  it('lets only https out to the system browser', () => {
    expect(externalLinkTarget('https://docs.example.com/guide?q=a b')).toBe('https://docs.example.com/guide?q=a%20b');
    for (const url of ['http://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'ms-settings:', 'smb://host/share', 'nonsense']) {
      expect(externalLinkTarget(url), url).toBeNull();
    }
  });
});

describe('window policy', () => {
  it('isolates and sandboxes renderers with no Node access', () => {
    expect(SECURE_WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
  });

  it('allows no inline or remote scripts', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name = '', ...sources] = d.trim().split(/\s+/);
        return [name, sources] as const;
      }),
    );
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    // Media only from the page's origin or the data-folder protocol: never file:.
    expect(directives.get('media-src')).toEqual(["'self'", 'shotline-media:']);
    expect(directives.get('img-src')).toEqual(["'self'", 'data:', 'shotline-media:']);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toContain('file:');
  });

  it('keeps the <meta> policy in index.html identical to the header policy', () => {
    const html = readFileSync(join(ROOT, 'src/renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html);
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY);
  });

  it('replaces a policy sent by the server, whatever its casing, and keeps other headers', () => {
    const headers = withContentSecurityPolicy({
      'content-security-policy': ["default-src *"],
      'Content-Type': ['text/html'],
    });
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    expect(withContentSecurityPolicy(undefined)).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });
});

/** Every .ts file under a folder, as paths relative to the repository root. */
function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file))
    .map((file) => relative(ROOT, join(ROOT, folder, file)).split('\\').join('/'));
}

describe('process boundaries', () => {
  const importsElectron = (file: string) =>
    /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]electron(?:\/[^'"]*)?['"]/.test(readFileSync(join(ROOT, file), 'utf8'));

  it('only the Electron shell imports electron in src/main, so the CLI runs under plain Node', () => {
    expect(sourceFiles('src/main').filter(importsElectron).sort()).toEqual(['src/main/index.ts', 'src/main/shell/utility-c2pa-worker.ts', 'src/main/shell/utility-worker.ts']);
  });

  it('the renderer and shared code never import electron or Node built-ins', () => {
    const nodeImport = /from\s+['"](?:node:|electron['"])/;
    const offenders = [...sourceFiles('src/renderer'), ...sourceFiles('src/shared')].filter((file) =>
      nodeImport.test(readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
