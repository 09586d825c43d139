// Calls (docs/protocol.md §5) with real socket.io-client guests: signaling relayed only inside a
// chat with `from`, the server's call states (ring timeout, busy on glare, end with the chat),
// size caps, relay-only privacy, GET /api/ice-servers, and the TURN credentials checked by a
// real coturn started from deploy/coturn/turnserver.conf.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';

import {
  api, assertAckError, assertAckOk, baseUrl, cleanupChat, closeAllGuests, emitAck, guest, pairUp,
  startChatServer, waitPayload,
} from './lib/chat.mjs';
import { findSamples, parsePrometheusText } from './lib/prometheus.mjs';
import { getMetrics, runBinary, sleep } from './lib/server.mjs';
import { allocate, startCoturn, stopAllCoturn } from './lib/turn.mjs';

after(cleanupChat);
after(stopAllCoturn);
afterEach(() => closeAllGuests());

const SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n';
const offer = (callType = 'audio', sdp = SDP) => ({ offer: { type: 'offer', sdp }, callType });
const answer = (sdp = SDP) => ({ answer: { type: 'answer', sdp } });
const cand = (candidate) => ({ candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } });
const HOST_CAND = 'candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host generation 0';
const SRFLX_CAND = 'candidate:2 1 udp 1686052607 198.51.100.9 61000 typ srflx raddr 192.168.1.20 rport 54321';
const RELAY_CAND = 'candidate:3 1 udp 41885439 127.0.0.1 50000 typ relay raddr 198.51.100.9 rport 61000';

/** a (impolite) and b (polite) of a fresh pair. */
async function pair(srv, mode = 'text') {
  const p = await pairUp(baseUrl(srv), { mode });
  return p.ma.polite ? { a: p.b, b: p.a } : { a: p.a, b: p.b };
}

describe('signaling between the two guests of a chat', () => {
  let server;
  before(async () => { server = await startChatServer({ flags: { 'ring-timeout': '1s' } }); });
  after(async () => server?.stop());

  test('offer, answer, candidates and reveal are relayed with from; hang-up ends it for both', async () => {
    const { a, b } = await pair(server);
    assertAckOk(await emitAck(a.socket, 'webrtc:offer', offer('video')));
    const o = await waitPayload(b.socket, 'webrtc:offer');
    assert.equal(o.from, a.user.id);
    assert.equal(o.callType, 'video');
    assert.deepEqual(o.offer, { type: 'offer', sdp: SDP });
    assertAckOk(await emitAck(b.socket, 'webrtc:answer', answer()));
    assert.deepEqual((await waitPayload(a.socket, 'webrtc:answer')).answer, { type: 'answer', sdp: SDP });
    assertAckOk(await emitAck(b.socket, 'webrtc:ice-candidate', cand(HOST_CAND)));
    const c = await waitPayload(a.socket, 'webrtc:ice-candidate');
    assert.deepEqual(c, { from: b.user.id, candidate: { candidate: HOST_CAND, sdpMid: '0', sdpMLineIndex: 0 } });
    assertAckOk(await emitAck(a.socket, 'webrtc:video-reveal', { reveal: true }));
    assert.deepEqual(await waitPayload(b.socket, 'webrtc:video-reveal'), { from: a.user.id, reveal: true });
    assertAckOk(await emitAck(a.socket, 'webrtc:call-end'));
    assert.deepEqual(await waitPayload(b.socket, 'webrtc:call-end'), { from: a.user.id, reason: 'hangup' });
    assertAckError(await emitAck(a.socket, 'webrtc:call-end'), 'no_call');
  });

  test('a third guest cannot signal into the pair, and nothing leaks to another chat', async () => {
    const { a, b } = await pair(server);
    const other = await pair(server);
    const lone = await guest(baseUrl(server));
    assertAckError(await emitAck(lone.socket, 'webrtc:offer', offer()), 'not_in_chat');
    assertAckOk(await emitAck(other.a.socket, 'webrtc:offer', offer()));
    await waitPayload(other.b.socket, 'webrtc:offer');
    await sleep(200);
    for (const g of [a, b, lone]) {
      assert.ok(!g.socket.received.some((r) => r.event.startsWith('webrtc:')), 'no signal reached another chat');
    }
    assertAckError(await emitAck(a.socket, 'webrtc:answer', answer()), 'no_call');
    assertAckError(await emitAck(a.socket, 'webrtc:ice-candidate', cand(HOST_CAND)), 'no_call');
  });

  test('an unanswered call ends at the ring timeout for both; decline reaches the caller', async () => {
    const { a, b } = await pair(server);
    assertAckOk(await emitAck(a.socket, 'webrtc:offer', offer()));
    await Promise.all([waitPayload(a.socket, 'webrtc:call-timeout', { timeoutMs: 3000 }),
      waitPayload(b.socket, 'webrtc:call-timeout', { timeoutMs: 3000 })]);
    assertAckError(await emitAck(b.socket, 'webrtc:answer', answer()), 'no_call');
    assertAckOk(await emitAck(a.socket, 'webrtc:offer', offer()));
    assertAckOk(await emitAck(b.socket, 'webrtc:call-reject'));
    assert.equal((await waitPayload(a.socket, 'webrtc:call-reject')).from, b.user.id);
  });

  test('glare: the polite side\'s offer is busy, the impolite side\'s wins', async () => {
    const { a, b } = await pair(server);  // a impolite, b polite
    assertAckOk(await emitAck(b.socket, 'webrtc:offer', offer()));
    assertAckOk(await emitAck(a.socket, 'webrtc:offer', offer('video')), 'the impolite offer wins');
    assert.equal((await waitPayload(b.socket, 'webrtc:offer')).callType, 'video');
    assertAckError(await emitAck(b.socket, 'webrtc:offer', offer()), 'busy');
    assertAckOk(await emitAck(b.socket, 'webrtc:answer', answer()));
  });

  test('the end of the chat ends its call for both; sizes are capped', async () => {
    const { a, b } = await pair(server);
    assertAckOk(await emitAck(a.socket, 'webrtc:offer', offer()));
    assertAckOk(await emitAck(b.socket, 'webrtc:answer', answer()));
    assertAckOk(await emitAck(a.socket, 'chat:leave'));
    assert.equal((await waitPayload(b.socket, 'webrtc:call-end')).reason, 'chat_ended');
    const p = await pair(server);
    assertAckError(await emitAck(p.a.socket, 'webrtc:offer', offer('audio', 'x'.repeat(16 * 1024 + 1))),
      'invalid_payload', 'offer');
    assertAckError(await emitAck(p.a.socket, 'webrtc:offer', { offer: { type: 'offer' }, callType: 'audio' }),
      'invalid_payload', 'offer');
    assertAckOk(await emitAck(p.a.socket, 'webrtc:offer', offer()));
    assertAckError(await emitAck(p.a.socket, 'webrtc:ice-candidate', cand(`candidate:${'x'.repeat(1100)}`)),
      'invalid_payload', 'candidate');
  });

  test('a participant gone beyond its reconnect grace ends the call for the other', async () => {
    const srv = await startChatServer({ flags: { 'reconnect-grace': '1s' } });
    try {
      const { a, b } = await pair(srv);
      assertAckOk(await emitAck(a.socket, 'webrtc:offer', offer()));
      assertAckOk(await emitAck(b.socket, 'webrtc:answer', answer()));
      a.socket.io.engine.close();  // the transport drops and never comes back
      await waitPayload(b.socket, 'partner:connection', { pred: (p) => p?.state === 'reconnecting' });
      assert.ok(!b.socket.received.some((r) => r.event === 'webrtc:call-end'), 'not during the grace');
      const end = await waitPayload(b.socket, 'webrtc:call-end', { timeoutMs: 5000 });
      assert.equal(end.reason, 'chat_ended');
      assert.equal(end.from, undefined, 'the server ended it');
    } finally { await srv.stop(); }
  });

  test('an ICE burst passes', async () => {
    const { a, b } = await pair(server);
    assertAckOk(await emitAck(a.socket, 'webrtc:offer', offer()));
    const acks = await Promise.all(Array.from({ length: 60 },
      () => emitAck(a.socket, 'webrtc:ice-candidate', cand(HOST_CAND))));
    for (const ack of acks) assertAckOk(ack);
    await waitPayload(b.socket, 'webrtc:ice-candidate', { pred: () => b.socket.received
      .filter((r) => r.event === 'webrtc:ice-candidate').length === 60 });
  });

  test('metrics: calls started, answered, and ended by reason', async () => {
    const parsed = parsePrometheusText((await getMetrics(server)).text);
    const one = (name, labels = {}) => findSamples(parsed, name, labels)[0]?.value;
    assert.ok(one('hallway_calls_started_total') >= 6, 'started');
    assert.ok(one('hallway_calls_answered_total') >= 2, 'answered');
    assert.equal(one('hallway_calls_relay_only_total'), 0, 'no TURN: no relay-only call');
    for (const reason of ['hangup', 'rejected', 'timeout', 'chat_ended']) {
      assert.ok(one('hallway_calls_ended_total', { reason }) >= 1, `ended by ${reason}`);
    }
  });

  test('GET /api/ice-servers without TURN: direct, no credentials; 401 without a token', async () => {
    const g = await guest(baseUrl(server));
    const r = await api(baseUrl(server), '/api/ice-servers', { token: g.token });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { iceServers: [], iceTransportPolicy: 'all', ttl: 3600 });
    assert.equal((await api(baseUrl(server), '/api/ice-servers')).status, 401);
  });
});

describe('relay-only calls through a real coturn', () => {
  let coturn;
  let server;
  before(async () => {
    coturn = await startCoturn();
    server = await startChatServer({ flags: {
      'turn-urls': `turn:127.0.0.1:${coturn.port}?transport=udp,turn:127.0.0.1:${coturn.port}?transport=tcp`,
      'turn-secret': coturn.secret, 'turn-ttl': '10m', 'stun-urls': `stun:127.0.0.1:${coturn.port}` } });
  });
  after(async () => {
    await server?.stop();
    await coturn?.stop();
  });

  test('ice-servers: relay policy and TURN REST credentials that coturn accepts; altered or expired ones it refuses', async () => {
    const g = await guest(baseUrl(server));
    const r = await api(baseUrl(server), '/api/ice-servers?mode=video', { token: g.token });
    assert.equal(r.status, 200);
    assert.equal(r.json.iceTransportPolicy, 'relay');
    assert.equal(r.json.ttl, 600);
    assert.deepEqual(r.json.iceServers[0], { urls: [`stun:127.0.0.1:${coturn.port}`] });
    const turn = r.json.iceServers[1];
    const [expiry, user] = turn.username.split(':');
    assert.equal(user, g.user.id);
    assert.ok(Math.abs(Number(expiry) - (Date.now() / 1000 + 600)) < 5, turn.username);
    assert.equal(turn.credential,
      crypto.createHmac('sha1', coturn.secret).update(turn.username).digest('base64'));
    assert.deepEqual(await allocate(coturn.port, { username: turn.username, password: turn.credential }),
      { ok: true, relayed: true });
    const altered = `${Number(expiry) + 1}:${user}`;
    assert.equal((await allocate(coturn.port, { username: altered, password: turn.credential })).error, 401);
    const past = `${Math.floor(Date.now() / 1000) - 10}:${user}`;
    const pastCred = crypto.createHmac('sha1', coturn.secret).update(past).digest('base64');
    assert.equal((await allocate(coturn.port, { username: past, password: pastCred })).error, 401,
      'an expired credential is refused');
  });

  test('host and srflx candidates or addresses in SDP are refused; relay candidates pass with raddr blanked', async () => {
    const { a, b } = await pair(server, 'video');
    assertAckError(await emitAck(a.socket, 'webrtc:offer', offer('video', SDP.replace('c=IN IP4 0.0.0.0', 'c=IN IP4 192.168.1.20'))),
      'relay_only', 'offer');
    assertAckOk(await emitAck(a.socket, 'webrtc:offer', offer('video')));
    assertAckError(await emitAck(a.socket, 'webrtc:ice-candidate', cand(HOST_CAND)), 'relay_only', 'candidate');
    assertAckError(await emitAck(a.socket, 'webrtc:ice-candidate', cand(SRFLX_CAND)), 'relay_only', 'candidate');
    assertAckOk(await emitAck(a.socket, 'webrtc:ice-candidate', cand(RELAY_CAND)));
    const got = await waitPayload(b.socket, 'webrtc:ice-candidate');
    assert.equal(got.candidate.candidate, RELAY_CAND.replace('raddr 198.51.100.9 rport 61000', 'raddr 0.0.0.0 rport 0'));
    assert.ok(!JSON.stringify(b.socket.received).includes('192.168.1.20'), 'the partner never saw a host address');
    const parsed = parsePrometheusText((await getMetrics(server)).text);
    assert.equal(findSamples(parsed, 'hallway_calls_relay_only_total')[0].value, 1);
  });
});

describe('configuration', () => {
  test('--call-privacy relay without a TURN server is a startup error naming the setting', async () => {
    for (const args of [['--call-privacy', 'relay'], ['--call-privacy-text', 'relay'],
      ['--turn-urls', 'turn:127.0.0.1:3478'], ['--turn-urls', 'http://x']]) {
      const r = await runBinary([...args, '--port', '0', '--host', '127.0.0.1'], { timeoutMs: 6000 });
      assert.equal(r.timedOut, false, `the server started with ${args}`);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.equal(r.signal, null);
      assert.match(r.stderr, new RegExp(args[0].slice(2)), r.stderr);
    }
    const r = await runBinary(['--call-privacy', 'relay', '--port', '0'], { timeoutMs: 6000 });
    assert.match(r.stderr, /call-privacy/);
    assert.match(r.stderr, /TURN/);
  });
});
