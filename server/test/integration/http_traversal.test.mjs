// Path traversal: raw request targets (node's http client would normalise them) must never
// reach a file outside the web root; a symlink inside the root that stays inside is fine.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { HOST, cleanupAll, get, parseResponse, rawExchange, startServer } from './lib/server.mjs';

after(cleanupAll);

describe('path traversal', { timeout: 30000 }, () => {
  let s;
  before(async () => { s = await startServer(); });
  after(async () => { await s?.stop(); });

  const attempt = async (target) => {
    const raw = await rawExchange(s.port,
      `GET ${target} HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`, { timeoutMs: 3000 });
    assert.ok(!raw.text.includes(s.fixture.secret), `${target} leaked the secret`);
    const r = parseResponse(raw.text);
    return r;
  };

  const targets = [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/%252e%252e/secret.txt',
    '/..%5csecret.txt',
    '/docs/../../secret.txt',
    '/./../secret.txt',
    '/%2e%2e/%2e%2e/secret.txt',
    '/..%2f..%2fsecret.txt',
    '/escape/../../secret.txt',
  ];
  for (const target of targets) {
    test(`GET ${target} → 400/403/404, never the secret`, async () => {
      const r = await attempt(target);
      assert.ok([400, 403, 404].includes(r.status), `${target} → ${r.status}`);
    });
  }

  test('GET /escape/secret.txt (symlink out of the root) → 403', async () => {
    const r = await attempt('/escape/secret.txt');
    assert.equal(r.status, 403);
  });

  test('GET /inside.txt (symlink that stays inside the root) → 200 with the target file', async () => {
    const r = await get(s, '/inside.txt');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, s.fixture.files['app.js']);
  });

  test('the server is still healthy after the attempts', async () => {
    const r = await get(s, '/healthz');
    assert.equal(r.status, 200);
  });
});
