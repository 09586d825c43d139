// How long a shared file lives (docs/protocol.md, "Files" — lifetime): until its chat ends
// (leave, next, report, the partner's grace running out), never beyond --file-lifetime, and not
// across a restart (a crash's leftovers are removed at start). Gone means both: the URL answers
// 404 and the bytes are off the disk.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, describe, test } from 'node:test';

import {
  assertAckOk, cleanupChat, closeAllGuests, emitAck, pairUp, startChatServer, uuid, waitPayload,
} from './lib/chat.mjs';
import { download, filesOnDisk, makePng, uploadOk } from './lib/files.mjs';
import { pollUntil } from './lib/realtime.mjs';
import { tempDir } from './lib/server.mjs';

after(cleanupChat);
afterEach(() => closeAllGuests());

/** a uploads a PNG and sends it to b; resolves {up, url (b's)}. */
async function shareOne(srv, a, b) {
  const up = await uploadOk(srv, a.token, makePng(), { type: 'image/png' });
  const id = uuid();
  const mark = b.socket.received.length;
  assertAckOk(await emitAck(a.socket, 'chat:message', { id, type: 'file', fileId: up.fileId }));
  const msg = await waitPayload(b.socket, 'chat:message', { pred: (p) => p?.id === id, from: mark });
  return { up, url: msg.file.url };
}

async function assertGone(srv, urls) {
  for (const url of urls) {
    const d = await download(srv, url);
    assert.equal(d.status, 404, `${url} after the end`);
  }
  assert.ok(await pollUntil(() => filesOnDisk(srv).length === 0, 3000),
    `bytes still on disk: ${filesOnDisk(srv)}`);
}

describe('a chat\'s files end with it', () => {
  test('chat:leave, user:next and user:report each delete the chat\'s files at once', async () => {
    const srv = await startChatServer({ flags: { 'match-fallback': '0s' } });
    try {
      for (const end of [
        (x) => emitAck(x.socket, 'chat:leave'),
        (x) => emitAck(x.socket, 'user:next', { mode: 'text' }),
        (x) => emitAck(x.socket, 'user:report', { reason: 'spam' }),
      ]) {
        const { a, b } = await pairUp(srv);
        const one = await shareOne(srv, a, b);
        const two = await shareOne(srv, b, a);
        assert.equal((await download(srv, one.url)).status, 200);
        assert.equal(filesOnDisk(srv).length, 2);
        assertAckOk(await end(b));
        await assertGone(srv, [one.url, one.up.url, two.url, two.up.url]);
        closeAllGuests();
      }
    } finally { await srv.stop(); }
  });

  test('a partner who never comes back: the files go when its grace runs out, not before', async () => {
    const srv = await startChatServer({ flags: { 'reconnect-grace': '1s' } });
    try {
      const { a, b } = await pairUp(srv);
      const { url } = await shareOne(srv, a, b);
      a.socket.io.engine.close();  // a drops without leaving: the chat waits for it
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await download(srv, url)).status, 200, 'kept during the grace');
      await waitPayload(b.socket, 'chat:ended', { timeoutMs: 5000 });
      await assertGone(srv, [url]);
    } finally { await srv.stop(); }
  });
});

describe('lifetime and restarts', () => {
  test('--file-lifetime: a file expires in a chat that goes on', async () => {
    const srv = await startChatServer({ flags: { 'file-lifetime': '1s' } });
    try {
      const { a, b } = await pairUp(srv);
      const { up, url } = await shareOne(srv, a, b);
      assert.ok(up.expiresAt <= Date.now() + 1000 && up.expiresAt > Date.now() - 1000, 'expiresAt is the lifetime');
      assert.equal((await download(srv, url)).status, 200);
      await new Promise((r) => setTimeout(r, 1300));
      await assertGone(srv, [url, up.url]);
      // The chat itself goes on.
      assertAckOk(await emitAck(a.socket, 'chat:message', { id: uuid(), type: 'text', text: 'still here' }));
    } finally { await srv.stop(); }
  });

  test('files left by a crash (or a stop) are removed at start', async () => {
    const dataDir = tempDir('hallway-data-');
    const dir = path.join(dataDir, 'files');
    fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
    fs.writeFileSync(path.join(dir, '0123456789abcdef0123456789abcdef'), 'left by a crash');
    fs.writeFileSync(path.join(dir, 'tmp', 'upload-partial'), 'half an upload');
    const srv = await startChatServer({ dataDir });
    try {
      assert.deepEqual(filesOnDisk(srv), []);
      assert.ok(srv.logs.some((l) => l.msg === 'files_cleared' && l.count === 2), 'logged with a count');
      const { a, b } = await pairUp(srv);
      const { url } = await shareOne(srv, a, b);
      await srv.stop();
      const again = await startChatServer({ dataDir });
      try {
        assert.equal((await download(again, url)).status, 404);
        assert.deepEqual(filesOnDisk(again), []);
      } finally { await again.stop(); }
    } finally { await srv.stop(); }
  });

  test('logs never carry a file name or content', async () => {
    const srv = await startChatServer({ logLevel: 'debug' });
    try {
      const { a, b } = await pairUp(srv);
      const name = 'secret-name-4242.png';
      await uploadOk(srv, a.token, makePng(), { type: 'image/png', name });
      await shareOne(srv, a, b);
      await srv.stop();
      const all = srv.logs.map((l) => JSON.stringify(l)).join('\n');
      assert.ok(!all.includes('secret-name-4242'), 'no file name in the logs');
      assert.ok(!all.includes('?k='), 'no capability in the logs');
    } finally { await srv.stop(); }
  });
});
