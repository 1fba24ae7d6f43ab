import type { StudioApi } from '../../shared/api';

declare global {
  interface Window {
    /**
     * The Studio API, put there by the preload (src/preload/index.ts). Optional on
     * purpose: a page opened in a plain browser has none, and must say so.
     */
    readonly studio?: StudioApi;
  }
}
