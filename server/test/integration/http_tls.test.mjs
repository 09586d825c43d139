// TLS: --tls-cert/--tls-key with a throwaway self-signed certificate made by the openssl CLI.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';

import { HOST, cleanupAll, rawExchange, request, runBinary, startServer, tempDir } from './lib/server.mjs';

after(cleanupAll);

function haveOpenssl() {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function makeCert(dir, name) {
  const key = path.join(dir, `${name}-k.pem`);
  const cert = path.join(dir, `${name}-c.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key,
    '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  return { key, cert };
}

const skip = haveOpenssl() ? false : 'the openssl CLI is not installed';

describe('TLS', { timeout: 40000, skip }, () => {
  let dir;
  let a;
  let b;
  before(() => {
    dir = tempDir('hallway-tls-');
    a = makeCert(dir, 'a');
    b = makeCert(dir, 'b');
  });

  test('serves HTTPS with HSTS; listening line says tls: true', { timeout: 15000 }, async () => {
    const s = await startServer({ args: ['--tls-cert', a.cert, '--tls-key', a.key] });
    assert.equal(s.listening.tls, true);
    assert.ok(s.url.startsWith('https://'));
    const r = await request(`https://${HOST}:${s.port}/healthz`, { rejectUnauthorized: false });
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.text).status, 'ok');
    assert.ok(r.headers['strict-transport-security'], 'no HSTS over TLS');
    assert.match(r.headers['strict-transport-security'], /max-age=\d+/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    const page = await request(`https://${HOST}:${s.port}/`, { rejectUnauthorized: false });
    assert.equal(page.status, 200);
    assert.deepEqual(page.body, s.fixture.files['index.html']);
    // Plain HTTP on the TLS port is not answered as HTTP 200.
    const plain = await rawExchange(s.port, `GET /healthz HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`,
      { timeoutMs: 2000 });
    assert.doesNotMatch(plain.text, /^HTTP\/1\.1 200/);
    // Still serving TLS after the garbage.
    const again = await request(`https://${HOST}:${s.port}/healthz`, { rejectUnauthorized: false });
    assert.equal(again.status, 200);
    const { code } = await s.stop();
    assert.equal(code, 0);
  });

  // Resolves {ok, protocol, cipher} or {ok: false, error} for one TLS handshake. The client
  // offers everything its OpenSSL can (SECLEVEL=0), so a refusal is the server's.
  function handshake(port, { cipher, minVersion = 'TLSv1', maxVersion = 'TLSv1.3' } = {}) {
    return new Promise((resolve) => {
      const sock = tls.connect({ host: HOST, port, servername: 'localhost', rejectUnauthorized: false,
        minVersion, maxVersion, ciphers: cipher ? `${cipher}@SECLEVEL=0` : 'DEFAULT@SECLEVEL=0' });
      const done = (r) => { clearTimeout(timer); sock.destroy(); resolve(r); };
      const timer = setTimeout(() => done({ ok: false, error: 'timeout' }), 4000);
      sock.once('secureConnect', () => done({ ok: true, protocol: sock.getProtocol(),
        cipher: sock.getCipher().name }));
      sock.once('error', (e) => done({ ok: false, error: e.code ?? e.message }));
    });
  }

  test('weak TLS is refused: AES128-SHA, non-forward-secret AES128-GCM-SHA256, TLS 1.1',
    { timeout: 15000 }, async () => {
      const s = await startServer({ args: ['--tls-cert', a.cert, '--tls-key', a.key] });
      for (const cipher of ['AES128-SHA', 'AES128-GCM-SHA256', 'AES256-SHA256', 'ECDHE-RSA-AES128-SHA']) {
        const r = await handshake(s.port, { cipher, maxVersion: 'TLSv1.2' });
        assert.equal(r.ok, false, `${cipher} was negotiated: ${JSON.stringify(r)}`);
      }
      const old = await handshake(s.port, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1' });
      assert.equal(old.ok, false, `TLS 1.1 was negotiated: ${JSON.stringify(old)}`);
      // The recommended profile still works.
      const strong = await handshake(s.port, { cipher: 'ECDHE-RSA-AES128-GCM-SHA256',
        maxVersion: 'TLSv1.2' });
      assert.deepEqual(strong, { ok: true, protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256' });
      const chacha = await handshake(s.port, { cipher: 'ECDHE-RSA-CHACHA20-POLY1305',
        maxVersion: 'TLSv1.2' });
      assert.equal(chacha.ok, true, JSON.stringify(chacha));
      const t13 = await handshake(s.port, { minVersion: 'TLSv1.3' });
      assert.equal(t13.ok, true, JSON.stringify(t13));
      assert.equal(t13.protocol, 'TLSv1.3');
      assert.equal((await s.stop()).code, 0);
    });

  // Each case names the setting at fault: the key when it does not match the certificate.
  const failing = {
    'a key that does not match the certificate': [() => ['--tls-cert', a.cert, '--tls-key', b.key], /tls-key/i],
    'a missing certificate file': [() => ['--tls-cert', path.join(dir, 'nope.pem'), '--tls-key', a.key], /tls-cert/i],
    'a certificate file that is not PEM': [() => {
      const junk = path.join(dir, 'junk.pem');
      fs.writeFileSync(junk, 'not a certificate\n');
      return ['--tls-cert', junk, '--tls-key', a.key];
    }, /tls-cert/i],
    'a missing key file': [() => ['--tls-cert', a.cert, '--tls-key', path.join(dir, 'nokey.pem')], /tls-key/i],
  };
  for (const [name, [args, setting]] of Object.entries(failing)) {
    test(`startup fails naming the TLS setting with ${name}`, { timeout: 10000 }, async () => {
      const r = await runBinary(['--host', HOST, '--port', '0', '--data-dir', tempDir(),
        '--web-root', tempDir(), ...args()], { timeoutMs: 6000 });
      assert.equal(r.timedOut, false, 'the server started anyway');
      assert.notEqual(r.code, 0);
      assert.equal(r.signal, null, `crashed: ${r.stderr}`);
      assert.match(r.stderr, setting, `stderr: ${JSON.stringify(r.stderr)}`);
    });
  }
});
