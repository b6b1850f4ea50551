import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkCustomUrl, resolveEnvironment } from '../../client/src/logic/environments';

void describe('resolveEnvironment', () => {
  void it('local uses the emulator port on 127.0.0.1', () => {
    const result = resolveEnvironment({ environment: 'local', customUrl: '', emulatorPort: 9123 });
    assert.ok('environment' in result);
    assert.equal(result.environment.baseUrl, 'http://127.0.0.1:9123');
    assert.equal(result.environment.host, '127.0.0.1:9123');
  });

  void it('qa and production use the fixed IBKR hosts', () => {
    const qa = resolveEnvironment({ environment: 'qa', customUrl: 'https://ignored.example', emulatorPort: 8765 });
    const production = resolveEnvironment({ environment: 'production', customUrl: '', emulatorPort: 8765 });
    assert.ok('environment' in qa);
    assert.ok('environment' in production);
    assert.equal(qa.environment.baseUrl, 'https://qa.interactivebrokers.com');
    assert.equal(production.environment.baseUrl, 'https://api.ibkr.com');
    assert.equal(production.environment.host, 'api.ibkr.com');
  });

  void it('custom uses ibkr.customUrl without a trailing slash', () => {
    const result = resolveEnvironment({ environment: 'custom', customUrl: ' https://eca.example.internal:8443/prefix/ ', emulatorPort: 8765 });
    assert.ok('environment' in result);
    assert.equal(result.environment.baseUrl, 'https://eca.example.internal:8443/prefix');
    assert.equal(result.environment.host, 'eca.example.internal:8443');
  });

  void it('unknown environment names the setting and the choices', () => {
    const result = resolveEnvironment({ environment: 'staging', customUrl: '', emulatorPort: 8765 });
    assert.ok('error' in result);
    assert.match(result.error, /ibkr\.environment "staging"/);
    assert.match(result.error, /local, qa, production or custom/);
  });

  void it('local rejects a port outside 1-65535', () => {
    for (const port of [0, 70000, 1.5, Number.NaN]) {
      const result = resolveEnvironment({ environment: 'local', customUrl: '', emulatorPort: port });
      assert.ok('error' in result, `port ${port}`);
      assert.match(result.error, /ibkr\.emulator\.port/);
    }
  });
});

void describe('checkCustomUrl', () => {
  void it('empty URL asks for one', () => {
    const result = checkCustomUrl('  ');
    assert.ok('error' in result);
    assert.match(result.error, /ibkr\.customUrl is empty/);
  });

  void it('plain http allowed only for loopback', () => {
    assert.ok('baseUrl' in checkCustomUrl('http://127.0.0.1:9000'));
    assert.ok('baseUrl' in checkCustomUrl('http://localhost:9000'));
    const remote = checkCustomUrl('http://eca.example.internal');
    assert.ok('error' in remote);
    assert.match(remote.error, /ibkr\.customUrl/);
    assert.match(remote.error, /https/);
  });

  void it('rejects credentials, query and a /ws/eca path', () => {
    for (const url of ['https://user:pw@eca.example.internal', 'https://eca.example.internal/?a=1', 'https://eca.example.internal/ws/eca/']) {
      const result = checkCustomUrl(url);
      assert.ok('error' in result, url);
      assert.match(result.error, /^Invalid ibkr\.customUrl/, url);
    }
  });

  void it('rejects text that is not a URL', () => {
    const result = checkCustomUrl('eca.example.internal');
    assert.ok('error' in result);
    assert.match(result.error, /eca\.example\.internal/);
  });
});
