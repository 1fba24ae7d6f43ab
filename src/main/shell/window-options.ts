/**
 * The main window's options, as a pure value so a test can check every security setting
 * without Electron (index.ts passes them to new BrowserWindow).
 */
import { SECURE_WEB_PREFERENCES } from './security';

export function mainWindowOptions(preloadPath: string) {
  return {
    title: 'Shotline',
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 560,
    show: false,
    backgroundColor: '#15171c',
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: preloadPath },
  } as const;
}
