// Disconnect grace (docs/protocol.md §3, "Disconnects") with --reconnect-grace 2s and
// Socket.IO connection state recovery off (--recovery-window 0), so the application logic is
// what is tested: partner:connection {state:'reconnecting'} then {state:'back'} when the guest
// connects again with the same token, and every message acknowledged meanwhile is delivered
// (exactly once); otherwise chat:ended {reason:'partner_disconnected'} after the grace period.
// One more server has recovery on (--recovery-window 10s): a transport-level recovery must not
// deliver a message twice either.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import {
  assertAckError, assertAckOk, cleanupChat, closeAllGuests, connectGuest, emitAck, pairUp,
  payloads, sendAndReceive, sleep, startChatServer, uuid, waitFor, waitPayload,
} from './lib/chat.mjs';

after(cleanupChat);

const GRACE_MS = 2000;
let server;
let recoveryServer;
before(async () => {
  [server, recoveryServer] = await Promise.all([
    startChatServer({ flags: { 'reconnect-grace': '2s', 'recovery-window': '0' } }),
    startChatServer({ flags: { 'reconnect-grace': '2s', 'recovery-window': '10s' } }),
  ]);
});
afterEach(() => closeAllGuests());
after(async () => {
  closeAllGuests();
  await Promise.all([server?.stop(), recoveryServer?.stop()]);
});

const DROPS = {
  'engine closed': (s) => s.io.engine.close(),
  'TCP connection destroyed': (s) => s.io.engine.transport.ws._socket.destroy(),
  'socket.disconnect()': (s) => s.disconnect(),
};

const textMsg = (text) => ({ id: uuid(), type: 'text', text });

describe('a guest that comes back within the grace period', { timeout: 30000 }, () => {
  for (const [how, drop] of Object.entries(DROPS)) {
    test(`${how}: reconnecting → back, no acknowledged message lost either way`, async () => {
      const { a, b, roomId } = await pairUp(server);
      await sendAndReceive(a, b, 'before');
      // b's last message before the drop is acked, so it must reach a.
      const last = await sendAndReceive(b, a, 'b before the drop');
      assert.equal(last.msg.text, 'b before the drop');

      const markA = a.socket.received.length;
      drop(b.socket);
      assert.deepEqual(await waitPayload(a.socket, 'partner:connection', { from: markA }),
        { state: 'reconnecting' });

      // a writes while b is away: acked (= sent).
      const away = [textMsg('while you were away 1'), textMsg('while you were away 2'),
        textMsg('while you were away 3')];
      for (const m of away) {
        const ack = await emitAck(a.socket, 'chat:message', m);
        assertAckOk(ack, 'a message to a partner in its grace period');
        assert.equal(ack.id, m.id);
      }

      await sleep(300);
      const b2 = { ...b, socket: await connectGuest(server, b.token) };
      assert.deepEqual(await waitPayload(b2.socket, 'connection:established'),
        { userId: b.user.id, username: b.user.username });
      assert.deepEqual(await waitPayload(a.socket, 'partner:connection',
        { from: markA, pred: (p) => p?.state === 'back' }), { state: 'back' });

      // Every message sent meanwhile arrives at the new connection, in order, once.
      await waitFor(b2.socket, 'chat:message', { pred: (p) => p?.id === away.at(-1).id });
      await sleep(200);
      const got = payloads(b2.socket, 'chat:message');
      assert.deepEqual(got.map((m) => m.id), away.map((m) => m.id));
      assert.deepEqual(got.map((m) => m.text), away.map((m) => m.text));

      // The chat goes on in both directions, in the same room, and never ended.
      await sendAndReceive(b2, a, 'I am back');
      await sendAndReceive(a, b2, 'welcome back');
      await sleep(GRACE_MS + 300);
      assert.deepEqual(payloads(a.socket, 'chat:ended'), []);
      assert.deepEqual(payloads(b2.socket, 'chat:ended'), []);
      assert.deepEqual(payloads(a.socket, 'partner:connection', markA),
        [{ state: 'reconnecting' }, { state: 'back' }]);
      for (const m of payloads(b2.socket, 'user:matched')) assert.equal(m.roomId, roomId);
      await sendAndReceive(a, b2, 'still here after the grace period');
    });
  }
});

describe('the partner leaves while the guest is away', { timeout: 30000 }, () => {
  test('chat:leave during the grace period: the guest learns on return that the chat ended',
    async () => {
      const { a, b } = await pairUp(server);
      b.socket.io.engine.close();
      await waitPayload(a.socket, 'partner:connection');
      assertAckOk(await emitAck(a.socket, 'chat:leave'));
      const b2 = await connectGuest(server, b.token);
      await waitPayload(b2, 'connection:established');
      assert.deepEqual(await waitPayload(b2, 'chat:ended', { timeoutMs: 2000 }),
        { reason: 'partner_left' }, 'the returning guest must learn that its partner left');
      assertAckError(await emitAck(b2, 'chat:message', textMsg('still there?')), 'not_in_chat');
      await sleep(200);
      assert.deepEqual(payloads(a.socket, 'partner:connection'), [{ state: 'reconnecting' }],
        'no "back" to a guest who left');
    });
});

describe('a guest that does not come back', { timeout: 30000 }, () => {
  test('the partner gets chat:ended {reason:"partner_disconnected"} after ~2 s', async () => {
    const { a, b } = await pairUp(server);
    const t0 = Date.now();
    b.socket.io.engine.close();
    const rec = await waitFor(a.socket, 'partner:connection');
    assert.deepEqual(rec.payload, { state: 'reconnecting' });
    const ended = await waitFor(a.socket, 'chat:ended', { timeoutMs: GRACE_MS + 4000 });
    assert.deepEqual(ended.payload, { reason: 'partner_disconnected' });
    const waited = ended.at - t0;
    assert.ok(waited >= GRACE_MS - 200, `chat ended after ${waited} ms (grace ${GRACE_MS})`);
    assert.ok(waited <= GRACE_MS + 2500, `chat ended only after ${waited} ms (grace ${GRACE_MS})`);
    assert.equal(payloads(a.socket, 'partner:connection').length, 1, 'no "back"');
    assertAckError(await emitAck(a.socket, 'chat:message', textMsg('hello?')), 'not_in_chat');
    assertAckOk(await emitAck(a.socket, 'user:match', { mode: 'text' }), 'a can look again');

    // b's session is still valid, but the chat is over for it too.
    const b2 = { ...b, socket: await connectGuest(server, b.token) };
    await waitPayload(b2.socket, 'connection:established');
    assertAckError(await emitAck(b2.socket, 'chat:message', textMsg('sorry')), 'not_in_chat');
    await sleep(200);
    assert.deepEqual(payloads(b2.socket, 'chat:message'), []);
    assert.equal(payloads(a.socket, 'partner:connection').length, 1, 'no "back" after the grace');
  });

  test('socket.disconnect() without coming back ends the chat the same way', async () => {
    const { a, b } = await pairUp(server);
    b.socket.disconnect();
    assert.deepEqual(await waitPayload(a.socket, 'partner:connection'), { state: 'reconnecting' });
    assert.deepEqual(await waitPayload(a.socket, 'chat:ended', { timeoutMs: GRACE_MS + 4000 }),
      { reason: 'partner_disconnected' });
  });

  test('messages to an away partner are acked; they are dropped, not delivered, after the grace',
    async () => {
      const { a, b } = await pairUp(server);
      b.socket.io.engine.close();
      await waitPayload(a.socket, 'partner:connection');
      assertAckOk(await emitAck(a.socket, 'chat:message', textMsg('lost in the void')));
      await waitPayload(a.socket, 'chat:ended', { timeoutMs: GRACE_MS + 4000 });
      const b2 = await connectGuest(server, b.token);
      await waitPayload(b2, 'connection:established');
      await sleep(300);
      assert.deepEqual(payloads(b2, 'chat:message'), [], 'a message of an ended chat was delivered');
    });
});

describe('with connection state recovery on (--recovery-window 10s)', { timeout: 30000 }, () => {
  test('a recovered transport delivers what was sent meanwhile exactly once', async () => {
    const url = recoveryServer;
    // b reconnects by itself (socket.io-client), recovering its session.
    const { a, b: bRec } = await pairUp(url, { bOpts: { reconnection: true,
      reconnectionDelay: 700, reconnectionDelayMax: 700, randomizationFactor: 0 } });
    await sendAndReceive(a, bRec, 'before');

    const markA = a.socket.received.length;
    const markB = bRec.socket.received.length;
    bRec.socket.io.engine.transport.ws._socket.destroy();
    await waitPayload(a.socket, 'partner:connection', { from: markA });
    const away = [textMsg('r1'), textMsg('r2')];
    for (const m of away) assertAckOk(await emitAck(a.socket, 'chat:message', m));
    await waitFor(bRec.socket, '$connect', { from: markB, timeoutMs: 5000 });
    assert.equal(bRec.socket.recovered, true, 'the transport did not recover');
    await waitFor(bRec.socket, 'chat:message', { from: markB, pred: (p) => p?.id === away[1].id });
    await waitPayload(a.socket, 'partner:connection', { from: markA,
      pred: (p) => p?.state === 'back' });
    await sleep(300);
    const got = payloads(bRec.socket, 'chat:message', markB).map((m) => m.id);
    assert.deepEqual(got, away.map((m) => m.id), 'each message exactly once, in order');
    await sendAndReceive(bRec, a, 'recovered and chatting');
  });
});
