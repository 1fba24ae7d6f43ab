/** The user's settings that live with the data (key/value rows); one statement each. */
import type { Db } from './database';

export const SETTING = {
  /** 'true': take credentials carry the prompt's text, not only its SHA-256. */
  credentialsIncludePrompt: 'credentials.include_prompt',
} as const;

export class SettingsStore {
  constructor(private readonly db: Db) {}

  get(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  set(key: string, value: string | null): void {
    if (value === null) this.db.prepare('DELETE FROM settings WHERE key = ?').run(key);
    else this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}
