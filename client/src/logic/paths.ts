import * as path from 'node:path';

/**
 * Resolves a path from a setting: `~` or `~/...` is taken from the home folder, and anything
 * else must be absolute because settings have no folder that a relative path could be relative to.
 */
export function resolveSettingPath(settingName: string, value: string, home: string): { path: string } | { error: string } {
  const text = value.trim();
  if (text === '~') {
    return { path: home };
  }
  if (text.startsWith('~/') || text.startsWith('~\\')) {
    return { path: path.join(home, text.slice(2)) };
  }
  if (!path.isAbsolute(text)) {
    return { error: `Invalid ${settingName} "${text}": use an absolute path (or one starting with ~/).` };
  }
  return { path: path.normalize(text) };
}
