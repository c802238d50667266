import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Settings, settingsSchema } from '../shared/ipc/contract.js';

export interface SettingsStore {
  get(): Settings;
  update(patch: Partial<Settings>): Settings;
}

/**
 * Settings kept as settings.json in `folder` (the app's user-data folder). A missing or damaged file
 * gives the defaults rather than an error: losing preferences must never stop anyone from working.
 */
export function createSettingsStore(folder: string): SettingsStore {
  const file = join(folder, 'settings.json');
  let current = read(file);
  return {
    get: () => current,
    update(patch) {
      current = settingsSchema.parse({ ...current, ...patch });
      mkdirSync(folder, { recursive: true });
      // Written beside and renamed over, so a crash mid-write leaves the previous settings whole.
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, `${JSON.stringify(current, null, 2)}\n`, { mode: 0o600 });
      renameSync(temp, file);
      return current;
    },
  };
}

function read(file: string): Settings {
  try {
    const parsed = settingsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // Missing or unreadable: fall through to the defaults.
  }
  return settingsSchema.parse({});
}
