/** The app's transport: the preload's `window.studio` (IPC) plus the media protocol's URLs. */
import type { StudioApi, StudioClient } from '../../../shared/api';
import { electronMediaUrl } from '../../../shared/media-url';

export function electronClient(api: StudioApi): StudioClient {
  // The preload's object is frozen by contextBridge; spread its functions into our own.
  return { ...api, mediaUrl: electronMediaUrl, transport: 'electron' };
}
