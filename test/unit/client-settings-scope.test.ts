import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { resolveSettingPath } from '../../client/src/logic/paths';
import { userScopedValue } from '../../client/src/logic/settingsScope';

void describe('userScopedValue', () => {
  void it('uses the user value', () => {
    assert.deepEqual(userScopedValue({ defaultValue: '', globalValue: '/keys/firm.asc' }), { value: '/keys/firm.asc', workspaceValueIgnored: false });
  });

  void it('ignores a workspace value and reports it', () => {
    const result = userScopedValue({ defaultValue: '', globalValue: '/keys/firm.asc', workspaceValue: '/tmp/evil.asc' });
    assert.equal(result.value, '/keys/firm.asc');
    assert.equal(result.workspaceValueIgnored, true);
  });

  void it('falls back to the default, not to the workspace', () => {
    for (const key of ['workspaceValue', 'workspaceFolderValue', 'workspaceLanguageValue', 'workspaceFolderLanguageValue'] as const) {
      const result = userScopedValue({ defaultValue: '', [key]: '/tmp/evil.asc' });
      assert.equal(result.value, '', key);
      assert.equal(result.workspaceValueIgnored, true, key);
    }
  });

  void it('handles a setting that inspect does not know', () => {
    assert.deepEqual(userScopedValue(undefined), { value: undefined, workspaceValueIgnored: false });
  });
});

void describe('resolveSettingPath', () => {
  const home = path.resolve('/home/dev');

  void it('expands ~ and ~/', () => {
    assert.deepEqual(resolveSettingPath('ibkr.x', '~', home), { path: home });
    assert.deepEqual(resolveSettingPath('ibkr.x', '~/keys/firm.asc', home), { path: path.join(home, 'keys', 'firm.asc') });
  });

  void it('keeps an absolute path', () => {
    const absolute = path.resolve('/keys/firm.asc');
    assert.deepEqual(resolveSettingPath('ibkr.x', ` ${absolute} `, home), { path: absolute });
  });

  void it('rejects a relative path naming the setting', () => {
    const result = resolveSettingPath('ibkr.keys.privateKeyFile', 'keys/firm.asc', home);
    assert.ok('error' in result);
    assert.match(result.error, /ibkr\.keys\.privateKeyFile "keys\/firm\.asc"/);
    assert.match(result.error, /absolute path/);
  });
});
