/**
 * How a file of the data folder is named to the page. The app serves it through the
 * `shotline-media:` protocol, a browser through `/media` on the loopback bridge; both
 * carry the absolute path as a query parameter and both refuse anything outside the data
 * folder (src/main/bridge/media-files.ts decides).
 */
export const MEDIA_SCHEME = 'shotline-media';

/** The app's URL for a file: `shotline-media://file/?path=...`. */
export function electronMediaUrl(filePath: string): string {
  return `${MEDIA_SCHEME}://file/?path=${encodeURIComponent(filePath)}`;
}

/** The loopback bridge's URL for a file; the token rides along because <video> cannot send headers. */
export function browserMediaUrl(filePath: string, token: string): string {
  return `/media?path=${encodeURIComponent(filePath)}&token=${encodeURIComponent(token)}`;
}

/** The path a media URL asks for, or null when it names none. */
export function mediaPathOf(url: URL): string | null {
  const path = url.searchParams.get('path');
  return path && path.length > 0 ? path : null;
}
