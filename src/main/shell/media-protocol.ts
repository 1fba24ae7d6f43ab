/**
 * The app's `shotline-media:` protocol: how the page loads clips and posters from the data
 * folder without any file:// access. The answer comes from the same function as the
 * browser mode's /media route (bridge/media-files.ts), so both refuse the same things.
 * Kept free of Electron imports: index.ts registers `handleMediaRequest` with
 * protocol.handle.
 */
import { MEDIA_SCHEME, mediaPathOf } from '../../shared/media-url';
import { serveMediaFile, type MediaRequest } from '../bridge/media-files';

/** What protocol.registerSchemesAsPrivileged needs: a standard, secure scheme that streams (video seeks with ranges). */
export const MEDIA_SCHEME_PRIVILEGES = {
  scheme: MEDIA_SCHEME,
  privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true, bypassCSP: false, corsEnabled: false },
} as const;

export type MediaServer = (dataDir: string, request: MediaRequest) => Promise<Response>;

/** The handler for protocol.handle(MEDIA_SCHEME, ...): the URL's path parameter, its Range header, its verb. */
export function mediaProtocolHandler(dataDir: string, serve: MediaServer = serveMediaFile): (request: Request) => Promise<Response> {
  return (request) => {
    const url = new URL(request.url);
    if (url.protocol !== `${MEDIA_SCHEME}:`) return Promise.resolve(new Response('not a media URL', { status: 400 }));
    return serve(dataDir, { path: mediaPathOf(url), range: request.headers.get('range'), method: request.method });
  };
}
