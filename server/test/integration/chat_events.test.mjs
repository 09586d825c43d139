// The realtime event table (gateway/events.hpp): `hallway --list-events` prints the names the
// server accepts and emits; they are the names of docs/protocol.md's event tables (§3 chat, §5
// calls), every listed client event is handled (never answered unknown_event) and an unlisted
// name is unknown_event.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  assertAckError, cleanupChat, closeAllGuests, emitAck, guest, startChatServer,
} from './lib/chat.mjs';
import { REPO_ROOT, runBinary } from './lib/server.mjs';

after(cleanupChat);

// The contract as of issue 12, spelled out so that a name dropped from the table fails here.
const CALLS = ['webrtc:offer', 'webrtc:answer', 'webrtc:ice-candidate', 'webrtc:call-end',
  'webrtc:call-reject', 'webrtc:video-reveal'];
const CLIENT = ['user:match', 'user:match:cancel', 'user:next', 'user:report', 'chat:message',
  'chat:delivered', 'chat:read', 'chat:typing:start', 'chat:typing:stop', 'chat:leave',
  'chat:clear', 'leave-room', 'close-room', 'stats:get', ...CALLS];
const SERVER = ['connection:established', 'user:matched', 'chat:message',
  'chat:message:delivered', 'chat:message:read', 'chat:typing:start', 'chat:typing:stop',
  'chat:ended', 'partner:connection', 'realtime:stats', ...CALLS, 'webrtc:call-timeout'];

/**
 * The event names of the "event (client → server)" and "event (server → client)" tables of
 * docs/protocol.md (§3 chat, §5 calls): every `backticked` event name in a row's first cell.
 */
function protocolEvents() {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'protocol.md'), 'utf8');
  assert.ok(doc.includes('## 3. Realtime events'), 'docs/protocol.md has no section 3');
  const lines = doc.split('\n');
  const tables = { client: null, server: null };
  let current = null;
  for (const line of lines) {
    if (!line.startsWith('|')) { current = null; continue; }
    const first = line.split('|')[1].trim();
    if (first.startsWith('event (client → server)')) { current = tables.client ??= []; continue; }
    if (first.startsWith('event (server → client)')) { current = tables.server ??= []; continue; }
    if (current === null || /^-+$/.test(first)) continue;
    for (const m of first.matchAll(/`([^`]+)`/g)) {
      if (/^[a-z][a-z:-]*$/.test(m[1])) current.push(m[1]);
    }
  }
  assert.ok(tables.client && tables.server, 'both event tables found in docs/protocol.md');
  return tables;
}

let listed;
before(async () => {
  const r = await runBinary(['--list-events']);
  assert.equal(r.timedOut, false);
  assert.equal(r.code, 0, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stderr, '');
  listed = JSON.parse(r.stdout);
});

describe('hallway --list-events', { timeout: 20000 }, () => {
  test('prints {"client":[...],"server":[...]} on one line and exits 0', async () => {
    const r = await runBinary(['--list-events', '--port', 'not-a-port']);
    assert.equal(r.code, 0, 'an action like --help: the other flags are not looked at');
    assert.equal(r.stdout.split('\n').length, 2, 'one line and a newline');
    assert.deepEqual(Object.keys(listed), ['client', 'server']);
    assert.deepEqual(listed.client, CLIENT);
    assert.deepEqual(listed.server, SERVER);
  });

  test('the same names as docs/protocol.md §3, both ways', () => {
    const doc = protocolEvents();
    assert.deepEqual([...doc.client].sort(), [...listed.client].sort(),
      'client → server events: docs/protocol.md vs --list-events');
    assert.deepEqual([...doc.server].sort(), [...listed.server].sort(),
      'server → client events: docs/protocol.md vs --list-events');
  });
});

describe('every listed client event is handled', { timeout: 30000 }, () => {
  let server;
  before(async () => { server = await startChatServer(); });
  after(async () => {
    closeAllGuests();
    await server?.stop();
  });

  test('each gets an ack other than unknown_event; unlisted names get unknown_event', async () => {
    const g = await guest(server);
    for (const event of listed.client) {
      const ack = await emitAck(g.socket, event, {});
      assert.ok(ack && typeof ack.ok === 'boolean', `${event}: ${JSON.stringify(ack)}`);
      assert.notEqual(ack.error?.code, 'unknown_event', `${event} is listed but not handled`);
    }
    for (const event of ['user:matches', 'User:match', 'chat:leave:now', 'report']) {
      assertAckError(await emitAck(g.socket, event, {}), 'unknown_event');
    }
    assert.equal(g.socket.connected, true);
  });
});
