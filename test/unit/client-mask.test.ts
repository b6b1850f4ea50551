import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskSecret, redactSecrets } from '../../client/src/logic/mask';

void describe('maskSecret', () => {
  void it('shows two characters of a long secret', () => {
    assert.equal(maskSecret('AB12345678'), 'AB****');
  });

  void it('shows nothing of a short secret', () => {
    assert.equal(maskSecret('abc'), '****');
    assert.equal(maskSecret(''), '****');
  });
});

void describe('redactSecrets', () => {
  void it('replaces every occurrence', () => {
    assert.equal(redactSecrets('x secret y secret', ['secret']), 'x **** y ****');
  });

  void it('replaces the longer of overlapping secrets first', () => {
    const text = redactSecrets('answer: blue whale', ['blue', 'blue whale']);
    assert.equal(text, 'answer: ****');
    assert.doesNotMatch(text, /whale/);
  });

  void it('skips undefined and one-character secrets', () => {
    assert.equal(redactSecrets('a b c', [undefined, 'a', '']), 'a b c');
  });

  void it('treats regular expression characters literally', () => {
    assert.equal(redactSecrets('value a.b*c here', ['a.b*c']), 'value **** here');
  });
});
