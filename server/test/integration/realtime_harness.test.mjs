// Self-test of the realtime helpers (lib/realtime.mjs) that needs no Hallway binary: packet
// helpers, the buffered WebSocket client against a throwaway `ws` server, and the TCP-state
// probe used by the slow-reader tests.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, describe, test } from 'node:test';

import { WebSocketServer } from 'ws';

import {
  WsConn, cleanupRealtime, isSioEvent, parseOpenPacket, parseSioPacket, pollUntil, serverClosed,
  serverEndState, sioEvent, sleep, splitOffset, splitPayload, toBuffers,
} from './lib/realtime.mjs';

after(cleanupRealtime);

describe('packet helpers', () => {
  test('parseSioPacket: types, attachments, namespace, ack id, payload', () => {
    assert.deepEqual(parseSioPacket('0'), { type: 0, attachments: 0, nsp: '/', id: null, data: undefined });
    assert.deepEqual(parseSioPacket('0/admin,{"sid":"x"}'),
      { type: 0, attachments: 0, nsp: '/admin', id: null, data: { sid: 'x' } });
    assert.deepEqual(parseSioPacket('2["a",1]'), { type: 2, attachments: 0, nsp: '/', id: null, data: ['a', 1] });
    assert.deepEqual(parseSioPacket('212["foo"]'), { type: 2, attachments: 0, nsp: '/', id: 12, data: ['foo'] });
    assert.deepEqual(parseSioPacket('3/admin,13["bar"]'),
      { type: 3, attachments: 0, nsp: '/admin', id: 13, data: ['bar'] });
    assert.deepEqual(parseSioPacket('52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]'),
      { type: 5, attachments: 2, nsp: '/admin', id: null,
        data: ['baz', { _placeholder: true, num: 0 }, { _placeholder: true, num: 1 }] });
    assert.deepEqual(parseSioPacket('61-15["bar",{"_placeholder":true,"num":0}]'),
      { type: 6, attachments: 1, nsp: '/', id: 15, data: ['bar', { _placeholder: true, num: 0 }] });
    assert.deepEqual(parseSioPacket('1/admin,'), { type: 1, attachments: 0, nsp: '/admin', id: null, data: undefined });
    assert.deepEqual(parseSioPacket('40/random'.slice(1)), { type: 0, attachments: 0, nsp: '/random', id: null, data: undefined });
    assert.throws(() => parseSioPacket('9'));
  });

  test('sioEvent / isSioEvent', () => {
    assert.equal(sioEvent('echo', ['x', 1]), '42["echo","x",1]');
    assert.equal(sioEvent('echo', [], { id: 7 }), '427["echo"]');
    assert.equal(sioEvent('e', [1], { nsp: '/a', id: 3 }), '42/a,3["e",1]');
    assert.equal(isSioEvent('42["echo",1]', 'echo'), true);
    assert.equal(isSioEvent('425["echo",1]', 'echo'), true);
    assert.equal(isSioEvent('42["other"]', 'echo'), false);
    assert.equal(isSioEvent('43["echo"]', 'echo'), false);
    assert.equal(isSioEvent(Buffer.from('42["echo"]'), 'echo'), false);
  });

  test('parseOpenPacket, splitPayload, splitOffset, toBuffers', () => {
    assert.deepEqual(parseOpenPacket('0{"sid":"a"}'), { sid: 'a' });
    assert.throws(() => parseOpenPacket('40'));
    assert.deepEqual(splitPayload('4hello\x1e2\x1e4world'), ['4hello', '2', '4world']);
    assert.deepEqual(splitPayload(''), []);
    assert.deepEqual(splitOffset([1, 'a', 'off']), { args: [1, 'a'], offset: 'off' });
    assert.throws(() => splitOffset([1]));
    const ab = Uint8Array.from([1, 2]).buffer;
    assert.deepEqual(toBuffers([ab, { x: Uint8Array.from([3]) }, 'ok', [new Uint16Array([1])]]),
      [Buffer.from([1, 2]), { x: Buffer.from([3]) }, 'ok', [Buffer.from([1, 0])]]);
  });
});

describe('WsConn against a throwaway ws server', { timeout: 10000 }, () => {
  let httpServer;
  let wss;
  let port;
  const serverSide = [];

  test('setup', async () => {
    httpServer = http.createServer();
    httpServer.on('upgrade', (req, socket, head) => {
      if (req.headers.origin === 'http://evil.example') {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 6\r\nConnection: close\r\n\r\nnot ok');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    });
    wss = new WebSocketServer({ noServer: true });
    wss.on('connection', (ws) => {
      serverSide.push(ws);
      // Three messages in one burst, then echo everything back.
      ws.send('0{"sid":"s1"}');
      ws.send('2');
      ws.send('40');
      ws.on('error', () => {}); // e.g. the invalid UTF-8 test
      ws.on('message', (d, isBinary) => {
        if (!isBinary && d.toString() === '3') return; // pongs are not echoed
        if (!isBinary && d.toString() === 'close-me') ws.close(4000, 'bye');
        else if (!isBinary && d.toString() === 'burst') for (let i = 0; i < 5; i += 1) ws.send(`42[${i}]`);
        else ws.send(d, { binary: isBinary });
      });
    });
    await new Promise((r) => httpServer.listen(0, '127.0.0.1', r));
    port = httpServer.address().port;
  });

  test('buffers messages that arrive together, text vs binary, nextNonPing, answerPings', async () => {
    const c = WsConn.open(`ws://127.0.0.1:${port}/`);
    await c.waitOpen();
    assert.equal(await c.next(), '0{"sid":"s1"}');
    assert.equal(await c.nextNonPing(), '40'); // skips the "2"
    c.send(Uint8Array.from([9, 8]));
    const bin = await c.next();
    assert.ok(Buffer.isBuffer(bin));
    assert.deepEqual([...bin], [9, 8]);
    c.send('burst');
    const got = [];
    for (let i = 0; i < 5; i += 1) got.push(await c.next());
    assert.deepEqual(got, ['42[0]', '42[1]', '42[2]', '42[3]', '42[4]']);
    c.answerPings();
    const pongs = new Promise((resolve) => serverSide.at(-1).once('message',
      (d) => resolve(d.toString())));
    serverSide.at(-1).send('2');
    assert.equal(await pongs, '3');
    assert.equal(c.pingsAnswered, 1);
    await assert.rejects(c.next(100), /timed out/);
    c.send('close-me');
    assert.deepEqual(await c.waitClose(), { code: 4000, reason: 'bye' });
    await assert.rejects(c.next(100), /closed/);
  });

  test('a refused upgrade is reported with its status and body', async () => {
    const c = WsConn.open(`ws://127.0.0.1:${port}/`, { origin: 'http://evil.example' });
    await c.waitClose();
    assert.equal(c.opened, false);
    assert.equal(c.unexpected.status, 403);
    assert.equal(c.unexpected.body, 'not ok');
    await assert.rejects(c.waitOpen(), /closed before open/);
  });

  test('sendRawText sends unchecked bytes in a text frame (the ws server rejects them: 1007)',
    async () => {
      const c = WsConn.open(`ws://127.0.0.1:${port}/`);
      await c.waitOpen();
      c.sendRawText(Buffer.from([0x34, 0xff, 0xfe]));
      const info = await c.waitClose();
      assert.equal(info.code, 1007);
    });

  test('teardown', async () => {
    for (const ws of serverSide) ws.terminate();
    wss.close();
    await new Promise((r) => httpServer.close(r));
  });
});

describe('TCP state probe', { timeout: 15000 }, () => {
  test('sees a server-side close while the client does not read', async () => {
    const conns = [];
    const srv = net.createServer((s) => {
      conns.push(s);
      // Fill the paused client's buffers, then close.
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => { while (s.write(chunk)) { /* until the kernel buffers are full */ } };
      pump();
    });
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    const { port } = srv.address();
    const client = net.connect({ port, host: '127.0.0.1' });
    await new Promise((r) => client.once('connect', r));
    client.pause();
    const clientPort = client.localPort;
    await pollUntil(() => conns.length === 1, 2000);
    await sleep(100);
    assert.equal(serverEndState(port, clientPort), 'ESTABLISHED');
    assert.equal(serverClosed(port, clientPort), false);
    conns[0].destroy();
    assert.ok(await pollUntil(() => serverClosed(port, clientPort), 3000),
      `state ${serverEndState(port, clientPort)}`);
    client.destroy();
    srv.close();
  });
});
