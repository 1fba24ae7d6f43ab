/**
 * The window's security policy, kept free of Electron imports so it can be tested under
 * plain Node. src/main/index.ts applies it (Electron's security checklist: isolated,
 * sandboxed renderers; no navigation away from the app; no new windows; a strict CSP).
 */

/**
 * Identical to the <meta> in src/renderer/index.html (a unit test keeps them in step).
 * The header covers the dev server and the browser mode's bridge; the meta covers the
 * packaged file:// page, which receives no HTTP headers. Clips and posters come from the
 * data folder through the shotline-media: protocol (the app) or /media on the page's own
 * origin (browser mode); file: is never allowed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: shotline-media:",
  "media-src 'self' shotline-media:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** webPreferences for every Shotline window; only the preload path is added per window. */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
} as const;

/**
 * Tells whether a URL is the app's own page. A file: app URL must match the exact file
 * (any file:// page would otherwise count as "ours"); an http(s) app URL (the dev
 * server) matches by origin so that the dev server's client-side routes stay allowed.
 */
export function createAppUrlMatcher(appUrl: string): (url: string | null | undefined) => boolean {
  const app = new URL(appUrl);
  return (candidate) => {
    if (!candidate) return false;
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      return false;
    }
    if (app.protocol === 'file:') return url.protocol === 'file:' && url.host === app.host && url.pathname === app.pathname;
    return url.origin === app.origin;
  };
}

/**
 * The URL to hand to the system browser for a link the page tried to open, or null to
 * drop it. Only https leaves the app: http, file:, javascript: and custom schemes could
 * leak data or launch local handlers.
 */
export function externalLinkTarget(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** Adds the CSP to a response's headers, replacing any policy the server sent. */
export function withContentSecurityPolicy(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const kept = Object.fromEntries(
    Object.entries(headers ?? {}).filter(([name]) => name.toLowerCase() !== 'content-security-policy'),
  );
  return { ...kept, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] };
}
