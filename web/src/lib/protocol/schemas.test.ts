import { describe, expect, it } from 'vitest';

import { CLIENT_EVENTS, SERVER_EVENTS } from './events';
import {
  ackSchemas,
  check,
  connectErrorData,
  guestSchema,
  restErrorSchema,
  serverSchemas,
  iceServersSchema,
  uploadedFileSchema,
} from './schemas';

const uuid = '0b6f1c62-6f43-4a3e-9a4e-1d2f3c4b5a69';
const file = {
  name: 'photo.png',
  size: 2048,
  mime: 'image/png',
  kind: 'image',
  url: '/api/files/f_3Kx9?k=AbC-_d12',
};
const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\n' };
const answer = { type: 'answer', sdp: 'v=0\r\n' };
const cand = 'candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host generation 0';
const voice = { ...file, name: 'voice-note.webm', mime: 'audio/webm', kind: 'voice', duration: 12 };

// For every server event: payloads it must accept and payloads it must refuse.
const serverCases: { [E in keyof typeof serverSchemas]: { valid: unknown[]; invalid: unknown[] } } = {
  'connection:established': {
    valid: [{ userId: 'u1', username: 'BraveOtter12' }],
    invalid: [{ userId: 'u1' }, { userId: 1, username: 'x' }, null, 'x'],
  },
  'user:matched': {
    valid: [
      { roomId: 'r1', mode: 'text', partner: { username: 'a', language: 'en' }, commonInterests: ['x'], polite: true },
      { roomId: 'r1', mode: 'video', partner: { username: 'a', language: null }, commonInterests: [], polite: false },
    ],
    invalid: [
      { roomId: '', mode: 'text', partner: { username: 'a', language: null }, commonInterests: [], polite: true },
      { roomId: 'r1', mode: 'audio', partner: { username: 'a', language: null }, commonInterests: [], polite: true },
      { roomId: 'r1', mode: 'text', partner: { username: 'a' }, commonInterests: [], polite: true },
      { roomId: 'r1', mode: 'text', partner: { username: 'a', language: null }, commonInterests: 'x', polite: true },
      { roomId: 'r1', mode: 'text', partner: { username: 'a', language: null }, commonInterests: [] },
    ],
  },
  'chat:message': {
    valid: [
      { id: uuid, type: 'text', text: 'hi <b>there</b>', timestamp: 1700000000000 },
      { id: uuid, type: 'file', file, timestamp: 1 },
      { id: uuid, type: 'voice', file: voice, timestamp: 1 },
      { id: uuid, type: 'file', file: { ...file, url: '/api/files/abc' }, timestamp: 1 },
      { id: uuid, type: 'file', file: { ...file, kind: 'archive', mime: 'application/zip' }, timestamp: 1 },
    ],
    invalid: [
      { id: uuid, type: 'text', text: '', timestamp: 1 },
      { id: uuid, type: 'file', text: 'x', timestamp: 1 },
      { id: uuid, type: 'file', fileId: 'f1', timestamp: 1 },
      { id: uuid, type: 'image', file, timestamp: 1 },
      { id: uuid, type: 'file', file: { ...file, kind: 'program' }, timestamp: 1 },
      { id: uuid, type: 'file', file: { ...file, name: '' }, timestamp: 1 },
      { id: uuid, type: 'file', file: { ...file, size: -1 }, timestamp: 1 },
      { id: uuid, type: 'file', file: { ...file, size: 1.5 }, timestamp: 1 },
      { id: uuid, type: 'voice', file: { ...voice, duration: -2 }, timestamp: 1 },
      { id: uuid, type: 'file', file: { ...file, url: undefined }, timestamp: 1 },
      // Never another origin, scheme or path: the page points <img>/<a> at what it says.
      { id: uuid, type: 'file', file: { ...file, url: 'https://evil.example/x.png' }, timestamp: 1 },
      { id: uuid, type: 'file', file: { ...file, url: '//evil.example/api/files/x' }, timestamp: 1 },
      { id: uuid, type: 'file', file: { ...file, url: 'javascript:alert(1)' }, timestamp: 1 },
      { id: uuid, type: 'file', file: { ...file, url: 'data:image/png;base64,AAAA' }, timestamp: 1 },
      { id: uuid, type: 'file', file: { ...file, url: '/api/files/../guest' }, timestamp: 1 },
      { id: uuid, type: 'file', file: { ...file, url: '/api/files/..' }, timestamp: 1 },
      { id: uuid, type: 'file', file: { ...file, url: '/api/files/.?k=1' }, timestamp: 1 },
      { id: uuid, type: 'file', file: { ...file, url: '/api/files/%2e%2e' }, timestamp: 1 },
      { id: uuid, type: 'file', file: { ...file, url: '/api/files/a/b' }, timestamp: 1 },
      { id: uuid, type: 'file', file: { ...file, url: '/api/files/a?k=1#frag' }, timestamp: 1 },
      { id: uuid, type: 'file', file: { ...file, url: '/api/files/a b' }, timestamp: 1 },
      { id: uuid, type: 'text', text: 'x', timestamp: '1' },
      { id: uuid, type: 'text', text: 'x', timestamp: -1 },
      { id: '', type: 'text', text: 'x', timestamp: 1 },
      { type: 'text', text: 'x', timestamp: 1 },
      { id: uuid, type: 'text', text: 'x'.repeat(4001), timestamp: 1 },
    ],
  },
  'chat:message:delivered': {
    valid: [{ ids: [uuid] }, { ids: [uuid, uuid] }],
    invalid: [{ ids: [] }, { ids: uuid }, { ids: [1] }, {}],
  },
  'chat:message:read': { valid: [{ upTo: uuid }], invalid: [{ upTo: 1 }, {}, [uuid]] },
  'chat:typing:start': { valid: [{}, undefined], invalid: ['x', 1, null] },
  'chat:typing:stop': { valid: [{}, undefined], invalid: ['x', 1, null] },
  'chat:ended': {
    valid: [{ reason: 'partner_left' }, { reason: 'partner_disconnected' }],
    invalid: [{ reason: 'bored' }, {}, null],
  },
  'partner:connection': {
    valid: [{ state: 'reconnecting' }, { state: 'back' }],
    invalid: [{ state: 'gone' }, {}, 'back'],
  },
  'realtime:stats': {
    valid: [{ online: 3, searching: 1, chatting: 2 }, { online: 0, searching: 0, chatting: 0 }],
    invalid: [{ online: -1, searching: 0, chatting: 0 }, { online: 1.5, searching: 0, chatting: 0 }, { online: 1 }],
  },
  'webrtc:offer': {
    valid: [
      { from: 'u1', offer, callType: 'video' },
      { from: 'u1', offer, callType: 'audio' },
      { from: 'u1', offer: { type: 'offer', sdp: 'x'.repeat(64 * 1024) }, callType: 'audio' },
    ],
    invalid: [
      { offer, callType: 'video' },
      { from: '', offer, callType: 'video' },
      { from: 'u1', offer: answer, callType: 'video' },
      { from: 'u1', offer: { type: 'offer', sdp: '' }, callType: 'video' },
      { from: 'u1', offer: { type: 'offer', sdp: 'x'.repeat(64 * 1024 + 1) }, callType: 'video' },
      { from: 'u1', offer, callType: 'screen' },
      { from: 'u1', offer },
    ],
  },
  'webrtc:answer': {
    valid: [{ from: 'u1', answer }],
    invalid: [{ from: 'u1', answer: offer }, { from: 'u1' }, { answer }, { from: 'u1', answer: { type: 'answer' } }],
  },
  'webrtc:ice-candidate': {
    valid: [
      { from: 'u1', candidate: { candidate: cand, sdpMid: '0', sdpMLineIndex: 0 } },
      { from: 'u1', candidate: { candidate: cand, sdpMid: null, sdpMLineIndex: null, usernameFragment: null } },
      { from: 'u1', candidate: { candidate: cand, usernameFragment: 'abcd' } },
      { from: 'u1', candidate: { candidate: '' } },
    ],
    invalid: [
      { from: 'u1', candidate: cand },
      { from: 'u1', candidate: { candidate: 'x'.repeat(4097) } },
      { from: 'u1', candidate: { candidate: cand, sdpMLineIndex: -1 } },
      { from: 'u1', candidate: { candidate: cand, sdpMLineIndex: 0.5 } },
      { from: 'u1', candidate: { sdpMid: '0' } },
      { candidate: { candidate: cand } },
    ],
  },
  'webrtc:call-end': {
    valid: [{ from: 'u1', reason: 'hangup' }, { reason: 'timeout' }, { reason: 'chat_ended' }, { reason: 'something_new' }],
    invalid: [{ from: 'u1' }, { reason: 1 }, { from: '', reason: 'hangup' }, null],
  },
  'webrtc:call-reject': { valid: [{ from: 'u1' }], invalid: [{}, { from: 1 }, null] },
  'webrtc:call-timeout': { valid: [{}, undefined], invalid: ['x', 1, null] },
  'webrtc:video-reveal': {
    valid: [{ from: 'u1', reveal: true }, { from: 'u1', reveal: false }],
    invalid: [{ from: 'u1', reveal: 'yes' }, { from: 'u1' }, { reveal: true }],
  },
};

describe('server event schemas', () => {
  it('cover exactly the server events', () => {
    expect(Object.keys(serverSchemas).sort()).toEqual([...SERVER_EVENTS].sort());
    expect(Object.keys(serverCases).sort()).toEqual([...SERVER_EVENTS].sort());
  });

  for (const [event, { valid, invalid }] of Object.entries(serverCases)) {
    const schema = serverSchemas[event as keyof typeof serverSchemas];
    it(`${event}: accepts valid payloads`, () => {
      for (const p of valid) expect(check(schema, p), JSON.stringify(p)).toMatchObject({ ok: true });
    });
    it(`${event}: refuses invalid payloads`, () => {
      for (const p of invalid) expect(check(schema, p), JSON.stringify(p)).toMatchObject({ ok: false });
    });
  }

  it('unknown fields are tolerated and stripped', () => {
    const r = check(serverSchemas['chat:ended'], { reason: 'partner_left', extra: 1 });
    expect(r).toEqual({ ok: true, value: { reason: 'partner_left' } });
  });

  it('an issue names the path and never the value', () => {
    const r = check(serverSchemas['chat:message'], { id: uuid, type: 'text', text: 42, timestamp: 1 });
    expect(r).toEqual({ ok: false, issue: 'text: invalid_type' });
  });
});

describe('ack schemas', () => {
  it('cover exactly the client events', () => {
    expect(Object.keys(ackSchemas).sort()).toEqual([...CLIENT_EVENTS].sort());
  });

  it('every ack accepts a well-formed error', () => {
    for (const schema of Object.values(ackSchemas)) {
      expect(
        check(schema, { ok: false, error: { code: 'rate_limited', message: 'slow down', retryAfterMs: 200 } }),
      ).toMatchObject({ ok: true });
      expect(check(schema, { ok: false, error: { code: 'invalid_payload', message: 'm', field: 'text' } })).toMatchObject({ ok: true });
      expect(check(schema, { ok: false })).toMatchObject({ ok: false });
      expect(check(schema, { ok: false, error: { message: 'no code' } })).toMatchObject({ ok: false });
      expect(check(schema, null)).toMatchObject({ ok: false });
      expect(check(schema, 'ok')).toMatchObject({ ok: false });
    }
  });

  it('user:match / user:next: state and an optional, nullable fallbackInMs', () => {
    for (const e of ['user:match', 'user:next'] as const) {
      const s = ackSchemas[e];
      expect(check(s, { ok: true, state: 'searching', fallbackInMs: 5000 })).toMatchObject({ ok: true });
      expect(check(s, { ok: true, state: 'searching', fallbackInMs: null })).toMatchObject({ ok: true });
      expect(check(s, { ok: true, state: 'matched' })).toMatchObject({ ok: true });
      expect(check(s, { ok: true, state: 'lost' })).toMatchObject({ ok: false });
      expect(check(s, { ok: true, state: 'searching', fallbackInMs: -5 })).toMatchObject({ ok: false });
      expect(check(s, { ok: true, state: 'searching', fallbackInMs: '5' })).toMatchObject({ ok: false });
    }
  });

  it('user:match:cancel', () => {
    expect(check(ackSchemas['user:match:cancel'], { ok: true, state: 'idle' })).toMatchObject({ ok: true });
    expect(check(ackSchemas['user:match:cancel'], { ok: true })).toMatchObject({ ok: false });
  });

  it('chat:message: id and timestamp', () => {
    const s = ackSchemas['chat:message'];
    expect(check(s, { ok: true, id: uuid, timestamp: 1 })).toMatchObject({ ok: true });
    expect(check(s, { ok: true, id: uuid })).toMatchObject({ ok: false });
    expect(check(s, { ok: true, timestamp: 1 })).toMatchObject({ ok: false });
  });

  it('stats:get: the counts', () => {
    const s = ackSchemas['stats:get'];
    expect(check(s, { ok: true, online: 1, searching: 0, chatting: 0 })).toMatchObject({ ok: true });
    expect(check(s, { ok: true, online: 'many', searching: 0, chatting: 0 })).toMatchObject({ ok: false });
  });

  it('plain {ok:true} acks', () => {
    for (const e of [
      'user:report',
      'chat:delivered',
      'chat:read',
      'chat:typing:start',
      'chat:leave',
      'webrtc:offer',
      'webrtc:answer',
      'webrtc:ice-candidate',
      'webrtc:call-end',
      'webrtc:call-reject',
      'webrtc:video-reveal',
    ] as const) {
      expect(check(ackSchemas[e], { ok: true })).toMatchObject({ ok: true });
      expect(check(ackSchemas[e], { ok: 'yes' })).toMatchObject({ ok: false });
    }
  });
});

describe('REST and connect errors', () => {
  it('guest', () => {
    const g = { token: 't', expiresAt: '2030-01-01T00:00:00Z', user: { id: 'i', username: 'u', language: null, interests: [] } };
    expect(check(guestSchema, g)).toMatchObject({ ok: true });
    expect(check(guestSchema, { ...g, token: '' })).toMatchObject({ ok: false });
    expect(check(guestSchema, { ...g, user: { id: 'i' } })).toMatchObject({ ok: false });
  });

  it('connect error data', () => {
    expect(check(connectErrorData, { code: 'token_expired', message: 'm' })).toMatchObject({ ok: true });
    expect(check(connectErrorData, undefined)).toMatchObject({ ok: false });
  });
});

describe('event lists', () => {
  it('list every client event of docs/protocol.md, aliases and additions included', () => {
    expect([...CLIENT_EVENTS].sort()).toEqual(
      [
        'user:match',
        'user:match:cancel',
        'user:next',
        'user:report',
        'chat:message',
        'chat:delivered',
        'chat:read',
        'chat:typing:start',
        'chat:typing:stop',
        'chat:leave',
        'chat:clear',
        'leave-room',
        'close-room',
        'stats:get',
        'webrtc:offer',
        'webrtc:answer',
        'webrtc:ice-candidate',
        'webrtc:call-end',
        'webrtc:call-reject',
        'webrtc:video-reveal',
      ].sort(),
    );
    expect(new Set(SERVER_EVENTS).size).toBe(17);
  });
});

describe('GET /api/ice-servers', () => {
  const turn = {
    urls: ['turn:turn.example:3478?transport=udp', 'turn:turn.example:3478?transport=tcp', 'turns:turn.example:5349'],
    username: '1700003600:guest-1',
    credential: 'c2VjcmV0',
  };
  it('STUN and TURN entries, the policy and the ttl', () => {
    const body = { iceServers: [{ urls: ['stun:stun.example:3478'] }, turn], iceTransportPolicy: 'relay', ttl: 3600 };
    expect(check(iceServersSchema, body)).toEqual({ ok: true, value: body });
    expect(check(iceServersSchema, { iceServers: [], iceTransportPolicy: 'all', ttl: 0 })).toMatchObject({ ok: true });
    expect(check(iceServersSchema, { iceServers: [{ urls: 'stun:a:1' }], iceTransportPolicy: 'all', ttl: 1 })).toMatchObject({ ok: true });
  });
  it('refuses other schemes, policies and shapes', () => {
    for (const bad of [
      { iceServers: [{ urls: ['https://evil.example/'] }], iceTransportPolicy: 'all', ttl: 1 },
      { iceServers: [{ urls: ['stun: a'] }], iceTransportPolicy: 'all', ttl: 1 },
      { iceServers: [{ urls: [] }], iceTransportPolicy: 'all', ttl: 1 },
      { iceServers: [turn], iceTransportPolicy: 'none', ttl: 1 },
      { iceServers: [turn], iceTransportPolicy: 'relay' },
      { iceServers: [turn], iceTransportPolicy: 'relay', ttl: -1 },
      { iceServers: turn, iceTransportPolicy: 'relay', ttl: 1 },
    ]) {
      expect(check(iceServersSchema, bad), JSON.stringify(bad)).toMatchObject({ ok: false });
    }
  });
});

describe('files', () => {
  const uploaded = { fileId: 'f_3Kx9', ...file, expiresAt: 1_700_000_000_000 };

  it('the 201 answer of POST /api/files', () => {
    expect(check(uploadedFileSchema, uploaded)).toEqual({ ok: true, value: uploaded });
    const v = { ...uploaded, kind: 'voice', mime: 'audio/ogg', duration: 3.5 };
    expect(check(uploadedFileSchema, v)).toMatchObject({ ok: true, value: { duration: 3.5 } });
  });

  it('refuses an answer without an id, a bad url or a bad kind', () => {
    for (const bad of [
      { ...uploaded, fileId: '' },
      { ...uploaded, fileId: undefined },
      { ...uploaded, url: 'http://127.0.0.1/api/files/x' },
      { ...uploaded, kind: 'executable' },
      { ...uploaded, expiresAt: 'tomorrow' },
      { error: { code: 'file_too_large', message: 'x' } },
    ]) {
      expect(check(uploadedFileSchema, bad), JSON.stringify(bad)).toMatchObject({ ok: false });
    }
  });

  it('error bodies of the files API', () => {
    const body = { error: { code: 'rate_limited', message: 'too many uploads', retryAfterMs: 4200 } };
    expect(check(restErrorSchema, body)).toEqual({ ok: true, value: body });
    expect(check(restErrorSchema, { error: { code: 'file_too_large' } })).toMatchObject({ ok: false });
  });
});
