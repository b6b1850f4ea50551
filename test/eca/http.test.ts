import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Socket } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { EcaError, createEcaClient, resolveBaseUrl, type EcaCredentials } from '../../eca/src/index';
import { IBKR_SAMPLE_REQUEST, fileOf, makeTempDir, removeDir, startTestEmulator, type TestEmulator } from './helpers/emulator';
import { closeServer, hasOpenssl, listen, selfSignedCertificate } from './helpers/loopback';

describe('client HTTP behaviour', () => {
  let setup: TestEmulator;
  let credentials: EcaCredentials;
  let tempDir: string;

  before(async () => {
    setup = await startTestEmulator();
    credentials = setup.credentials;
    tempDir = await makeTempDir('http');
  });
  after(async () => {
    await setup.close();
    await removeDir(tempDir);
  });

  test('redirect is an invalid response naming Location', async () => {
    let requests = 0;
    const server = createHttpServer((_request, response) => {
      requests++;
      response.writeHead(302, { Location: 'https://login.example.com/sso' });
      response.end();
    });
    const port = await listen(server);
    try {
      const client = createEcaClient({ environment: 'custom', baseUrl: `http://127.0.0.1:${port}`, credentials });
      const outcome = await client.update(fileOf('redirect.xml', IBKR_SAMPLE_REQUEST));

      assert.equal(outcome.outcome, 'invalid-response');
      assert.match(outcome.detail ?? '', /HTTP 302 redirect to https:\/\/login\.example\.com\/sso/);
      assert.equal(requests, 1);

      await assert.rejects(
        client.getEnumerations(),
        (error: unknown) => error instanceof EcaError && error.code === 'redirect' && /redirected \(HTTP 302\) to https:\/\/login\.example\.com\/sso/.test(error.message),
      );
    } finally {
      await closeServer(server);
    }
  });

  test('request carries JSON, User-Agent and one-line base64', async () => {
    let seen: { headers: Record<string, unknown>; body: string } | undefined;
    const server = createHttpServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ timestamp: 1, isProcessed: false }));
      });
    });
    const port = await listen(server);
    try {
      const client = createEcaClient({ environment: 'custom', baseUrl: `http://127.0.0.1:${port}/`, credentials });
      const outcome = await client.update(fileOf('headers.xml', IBKR_SAMPLE_REQUEST));
      assert.equal(outcome.outcome, 'not-processed');
      assert.equal(outcome.detail, null);

      const { version } = JSON.parse(await readFile(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
      assert.equal(seen?.headers['content-type'], 'application/json');
      assert.equal(seen?.headers['user-agent'], `ibkr-am-requests/${version}`);
      const body = JSON.parse(seen?.body ?? '{}') as { CSID?: string; payload?: string };
      assert.deepEqual(Object.keys(body).sort(), ['CSID', 'payload']);
      assert.equal(body.CSID, setup.local.csid);
      assert.match(body.payload ?? '', /^[A-Za-z0-9+/]+=*$/);
      // A binary OpenPGP message starts with a packet tag byte, never with armor text.
      assert.ok((Buffer.from(body.payload ?? '', 'base64')[0] ?? 0) >= 0x80);
    } finally {
      await closeServer(server);
    }
  });

  test('connection refused raises, nothing sent', async () => {
    const server = createTcpServer();
    const port = await listen(server);
    await closeServer(server);
    const client = createEcaClient({ environment: 'local', baseUrl: `http://127.0.0.1:${port}`, credentials });

    await assert.rejects(
      client.update(fileOf('refused.xml', IBKR_SAMPLE_REQUEST)),
      (error: unknown) =>
        error instanceof EcaError &&
        error.code === 'connection' &&
        /Could not connect to 127\.0\.0\.1:\d+: ECONNREFUSED\. Nothing was sent\. Start the emulator/.test(error.message),
    );
  });

  test('TLS handshake that never ends hits connect timeout', async () => {
    const sockets = new Set<Socket>();
    const server = createTcpServer((socket) => sockets.add(socket));
    const port = await listen(server);
    try {
      const client = createEcaClient({ environment: 'custom', baseUrl: `https://127.0.0.1:${port}`, credentials, connectTimeoutMs: 200 });
      await assert.rejects(
        client.update(fileOf('stall.xml', IBKR_SAMPLE_REQUEST)),
        (error: unknown) => error instanceof EcaError && error.code === 'connection' && /Connecting to 127\.0\.0\.1:\d+ timed out after 200 ms\. Nothing was sent/.test(error.message),
      );
    } finally {
      await closeServer(server, sockets);
    }
  });

  test('self-signed certificate is a named TLS error', { skip: hasOpenssl() ? false : 'openssl is not installed' }, async () => {
    const { key, cert, certFile } = await selfSignedCertificate(tempDir);
    const server = createHttpsServer({ key, cert }, (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ timestamp: 1, isProcessed: false }));
    });
    const port = await listen(server);
    try {
      const untrusted = createEcaClient({ environment: 'custom', baseUrl: `https://127.0.0.1:${port}`, credentials });
      await assert.rejects(
        untrusted.update(fileOf('tls.xml', IBKR_SAMPLE_REQUEST)),
        (error: unknown) =>
          error instanceof EcaError &&
          error.code === 'connection' &&
          /The TLS connection to 127\.0\.0\.1:\d+ failed: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/.test(error.message) &&
          /give its certificate file as the CA file/.test(error.message),
      );

      const trusted = createEcaClient({ environment: 'custom', baseUrl: `https://127.0.0.1:${port}`, credentials, caFile: certFile });
      const outcome = await trusted.update(fileOf('tls.xml', IBKR_SAMPLE_REQUEST));
      assert.equal(outcome.outcome, 'not-processed');
    } finally {
      await closeServer(server);
    }
  });

  test('CA file refused for production', () => {
    assert.throws(
      () => createEcaClient({ environment: 'production', credentials, caFile: '/tmp/ca.pem' }),
      (error: unknown) => error instanceof EcaError && error.code === 'config' && /accepted only for the custom and local environments/.test(error.message),
    );
  });

  test('invalid timeout is a config error', () => {
    assert.throws(
      () => createEcaClient({ environment: 'local', credentials, requestTimeoutMs: -5 }),
      (error: unknown) => error instanceof EcaError && error.code === 'config' && /requestTimeoutMs must be from 1 to 600000 milliseconds; got -5/.test(error.message),
    );
    // Above 2^31-1 ms Node's timer would fire after 1 ms; the bound keeps well below that.
    assert.throws(
      () => createEcaClient({ environment: 'local', credentials, requestTimeoutMs: 3_000_000_000 }),
      (error: unknown) => error instanceof EcaError && error.code === 'config' && /requestTimeoutMs must be from 1 to 600000 milliseconds; got 3000000000/.test(error.message),
    );
  });

  test('base URL rules per environment', () => {
    assert.equal(resolveBaseUrl('production'), 'https://api.ibkr.com');
    assert.equal(resolveBaseUrl('qa'), 'https://qa.interactivebrokers.com');
    assert.equal(resolveBaseUrl('local'), 'http://127.0.0.1:8642');
    assert.equal(resolveBaseUrl('custom', 'https://eca.example.com/'), 'https://eca.example.com');
    assert.throws(() => resolveBaseUrl('custom'), /custom environment needs a base URL/);
    assert.throws(() => resolveBaseUrl('custom', 'http://eca.example.com'), /plain http to a host that is not loopback/);
    assert.throws(() => resolveBaseUrl('production', 'https://evil.example.com'), /production environment always uses https:\/\/api\.ibkr\.com/);
    assert.throws(() => resolveBaseUrl('custom', 'not a url'), /is not a valid URL/);
    assert.throws(() => resolveBaseUrl('custom', 'https://user:pw@eca.example.com'), /must not contain credentials/);
    // local sends the emulator's test firm credentials, so it stays on loopback.
    assert.throws(() => resolveBaseUrl('local', 'https://example.com'), /local environment is the emulator on loopback.*Use the custom environment/);
    assert.equal(resolveBaseUrl('local', 'http://localhost:9000'), 'http://localhost:9000');
    assert.throws(() => resolveBaseUrl('custom', 'https://eca.example.com/ws/eca/'), /ends in \/ws\/eca; give the base without it, e\.g\. https:\/\/eca\.example\.com\./);
    assert.throws(() => resolveBaseUrl('custom', 'https://eca.example.com/ws/eca'), /ends in \/ws\/eca/);
  });
});
