/**
 * The request zip, written by yazl. Readers must accept it: fflate (which the emulator uses) and
 * Info-ZIP's `unzip -t` where it is installed; the header fields carry the entry's method, size,
 * UTF-8 flag and time.
 */

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { unzipSync } from 'fflate';

import { zipRequestFile } from '../../eca/src/transport';

const XML = Buffer.from(`<AcctMgmtRequests>${'<SecurityQuestions reference_user_name="u"><Details question="1" answer="a"/></SecurityQuestions>\n'.repeat(2000)}</AcctMgmtRequests>`);
const HAS_UNZIP = spawnSync('unzip', ['-v'], { stdio: 'ignore' }).status === 0;

describe('request zip', () => {
  test('fflate reads the entry back', async () => {
    const zip = await zipRequestFile('batch.xml', XML);
    const entries = unzipSync(zip);

    assert.deepEqual(Object.keys(entries), ['batch.xml']);
    assert.ok(Buffer.from(entries['batch.xml']!).equals(XML), 'entry content equals the input');
    assert.ok(zip.length < XML.length / 4, `deflated to ${zip.length} of ${XML.length} bytes`);
  });

  test('empty file', async () => {
    const entries = unzipSync(await zipRequestFile('empty.xml', new Uint8Array()));

    assert.deepEqual(Object.keys(entries), ['empty.xml']);
    assert.equal(entries['empty.xml']!.length, 0);
  });

  test('non-ASCII name sets the UTF-8 flag', async () => {
    const name = 'Sicherheitsfragen-März.xml';
    const zip = await zipRequestFile(name, XML);
    const flags = Buffer.from(zip).readUInt16LE(6);

    assert.equal(flags & 0x0800, 0x0800);
    assert.deepEqual(Object.keys(unzipSync(zip)), [name]);
  });

  test('header fields: method and local time', async () => {
    const modified = new Date(2026, 11, 4, 13, 45, 30);
    const header = Buffer.from(await zipRequestFile('batch.xml', XML, modified));
    const time = header.readUInt16LE(10);
    const date = header.readUInt16LE(12);

    assert.equal(header.readUInt32LE(0), 0x04034b50);
    assert.equal(header.readUInt16LE(8), 8, 'deflate');
    assert.deepEqual([date >> 9, (date >> 5) & 0xf, date & 0x1f], [2026 - 1980, 12, 4]);
    assert.deepEqual([time >> 11, (time >> 5) & 0x3f, (time & 0x1f) * 2], [13, 45, 30]);
  });

  test('Info-ZIP unzip -t accepts it', { skip: HAS_UNZIP ? false : 'unzip is not installed' }, async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'ibkr-zip-'));
    try {
      const file = path.join(folder, 'batch.zip');
      writeFileSync(file, await zipRequestFile('batch.xml', XML));
      const output = execFileSync('unzip', ['-t', file], { encoding: 'utf8' });

      assert.match(output, /No errors detected/);
      assert.ok(execFileSync('unzip', ['-p', file, 'batch.xml']).equals(XML), 'unzip -p prints the input');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
