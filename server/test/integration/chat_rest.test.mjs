// Guest REST API (docs/protocol.md §2): POST /api/guest (defaults, normalisation, every invalid
// field), the JWT (shape, claims, expiresAt), GET /api/guest/me and POST /api/guest/refresh
// with good, missing, tampered, foreign, unsigned, expired and orphan tokens, the session's
// sliding inactivity TTL (--session-ttl 1s), the per-address creation rate limit
// (--guest-create-rate 3) and GET /api/stats.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  ISSUER, api, assertApiError, cleanupChat, closeAllGuests, connectGuest, createGuest, decodeJwt,
  emitAck, forgeToken, getMe, postGuest, refresh, refusedConnect, restStats, sleep,
  startChatServer, tamperPayload, tamperSignature, unsignedToken, waitPayload,
} from './lib/chat.mjs';

after(cleanupChat);

let server; // defaults except a known secret and unlimited creation
let ttlServer; // --session-ttl 1s --token-lifetime 1h
let rateServer; // --guest-create-rate 3, otherwise default token lifetime
before(async () => {
  [server, ttlServer, rateServer] = await Promise.all([
    startChatServer(),
    startChatServer({ flags: { 'session-ttl': '1s', 'token-lifetime': '1h' } }),
    startChatServer({ flags: { 'guest-create-rate': '3' } }),
  ]);
});
after(async () => {
  closeAllGuests();
  await Promise.all([server?.stop(), ttlServer?.stop(), rateServer?.stop()]);
});

const GENERATED_NAME = /^[A-Z][a-z]+[A-Z][a-z]+[0-9]{4}$/;
const USERNAME = /^[A-Za-z0-9_]{3,20}$/;

function assertUserShape(user) {
  assert.deepEqual(Object.keys(user).sort(), ['id', 'interests', 'language', 'username']);
  assert.equal(typeof user.id, 'string');
  assert.ok(user.id.length > 0);
  assert.match(user.username, USERNAME);
  assert.ok(user.language === null || typeof user.language === 'string');
  assert.ok(Array.isArray(user.interests));
}

function assertJwtFor(token, user, lifetimeS = 7200) {
  const { header, payload, parts } = decodeJwt(token);
  assert.equal(parts.length, 3);
  assert.equal(header.alg, 'HS256');
  assert.equal(payload.iss, ISSUER);
  assert.equal(payload.aud, ISSUER);
  assert.equal(payload.sub, user.id, 'sub = guest id');
  const now = Date.now() / 1000;
  assert.equal(typeof payload.exp, 'number');
  assert.ok(Math.abs(payload.exp - (now + lifetimeS)) < 30,
    `exp ${payload.exp} is not now + ${lifetimeS} s (now ${now})`);
  return payload;
}

describe('POST /api/guest: creation and normalisation', { timeout: 30000 }, () => {
  test('no body at all → 201, generated AdjectiveNoun1234 username, language null, no interests',
    async () => {
      const r = await postGuest(server, undefined);
      assert.equal(r.status, 201, r.text);
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
      assert.deepEqual(Object.keys(r.json).sort(), ['expiresAt', 'token', 'user']);
      assertUserShape(r.json.user);
      assert.match(r.json.user.username, GENERATED_NAME);
      assert.equal(r.json.user.language, null);
      assert.deepEqual(r.json.user.interests, []);
    });

  test('empty object, null fields and "" username → generated username', async () => {
    for (const body of [{}, { username: null, language: null, interests: null }, { username: '' }]) {
      const r = await postGuest(server, body);
      assert.equal(r.status, 201, `${JSON.stringify(body)}: ${r.text}`);
      assert.match(r.json.user.username, GENERATED_NAME, JSON.stringify(body));
      assert.equal(r.json.user.language, null);
    }
  });

  test('generated usernames differ between guests; ids are unique', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => createGuest(server, {})));
    const ids = new Set(users.map((g) => g.user.id));
    assert.equal(ids.size, users.length);
    const names = new Set(users.map((g) => g.user.username));
    assert.ok(names.size >= users.length - 1, `generated names repeat: ${[...names]}`);
  });

  test('full body → 201 with the profile, JWT (HS256, iss=aud=hallway, sub=id, exp 2 h), expiresAt',
    async () => {
      const g = await createGuest(server, { username: 'Alice_01', language: 'en-US',
        interests: ['music', 'rock climbing'] });
      assert.deepEqual(g.user.username, 'Alice_01');
      assert.equal(g.user.language, 'en-US');
      assert.deepEqual(g.user.interests, ['music', 'rock climbing']);
      assert.match(g.token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      const claims = assertJwtFor(g.token, g.user);
      assert.match(g.expiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'ISO 8601 UTC');
      assert.ok(Math.abs(Date.parse(g.expiresAt) / 1000 - claims.exp) <= 1,
        `expiresAt ${g.expiresAt} ≠ exp ${claims.exp}`);
    });

  test('username limits: 3 and 20 characters, [A-Za-z0-9_] accepted as given', async () => {
    for (const name of ['abc', 'A'.repeat(20), 'x_Y_9', '___', '007']) {
      const g = await createGuest(server, { username: name });
      assert.equal(g.user.username, name);
    }
  });

  test('language is returned in canonical case', async () => {
    const cases = { 'en-us': 'en-US', EN: 'en', 'zh-hant-tw': 'zh-Hant-TW', 'PT-br': 'pt-BR',
      fr: 'fr', 'es-419': 'es-419', 'sr-latn-rs': 'sr-Latn-RS' };
    for (const [given, canonical] of Object.entries(cases)) {
      const g = await createGuest(server, { language: given });
      assert.equal(g.user.language, canonical, `language ${given}`);
    }
  });

  test('interests are trimmed, ASCII lower-cased, deduplicated, order kept', async () => {
    const g = await createGuest(server, {
      interests: ['  Music ', 'ART', 'music', 'Rock Climbing', '  art  ', 'Été'],
    });
    assert.deepEqual(g.user.interests, ['music', 'art', 'rock climbing', 'Été']);
  });

  test('interest limits: 10 tags, 1 and 30 code points (not bytes) accepted', async () => {
    const ten = Array.from({ length: 10 }, (_, i) => `tag${i}`);
    assert.deepEqual((await createGuest(server, { interests: ten })).user.interests, ten);
    const edge = ['a', 'b'.repeat(30), 'é'.repeat(30), '😀'.repeat(30)];
    assert.deepEqual((await createGuest(server, { interests: edge })).user.interests, edge);
    assert.deepEqual((await createGuest(server, { interests: [] })).user.interests, []);
  });
});

describe('POST /api/guest: invalid input → 400 invalid_payload naming the field',
  { timeout: 30000 }, () => {
    const cases = [
      ['username too short (2)', { username: 'ab' }, 'username'],
      ['username too long (21)', { username: 'a'.repeat(21) }, 'username'],
      ['username with a space', { username: 'bad name' }, 'username'],
      ['username with a dash', { username: 'bad-name' }, 'username'],
      ['username with a non-ASCII letter', { username: 'émile' }, 'username'],
      ['username not a string', { username: 12345 }, 'username'],
      ['language "english"', { language: 'english' }, 'language'],
      ['language "en_US"', { language: 'en_US' }, 'language'],
      ['language with a 1-letter primary subtag', { language: 'e-US' }, 'language'],
      ['language longer than 35 chars', { language: 'en-Latn-US-valencia-abcdefgh-bcdefghi' },
        'language'],
      ['language not a string', { language: ['en'] }, 'language'],
      ['interests not an array (string)', { interests: 'music' }, 'interests'],
      ['interests not an array (object)', { interests: { 0: 'music' } }, 'interests'],
      ['11 interests', { interests: Array.from({ length: 11 }, (_, i) => `t${i}`) }, 'interests'],
      ['an empty interest', { interests: ['music', ''] }, 'interests'],
      ['a whitespace-only interest', { interests: ['   '] }, 'interests'],
      ['a 31-char interest', { interests: ['x'.repeat(31)] }, 'interests'],
      ['a 31-code-point interest', { interests: ['é'.repeat(31)] }, 'interests'],
      ['a non-string interest', { interests: ['music', 42] }, 'interests'],
      ['a null interest', { interests: [null] }, 'interests'],
      ['an interest with a control character', { interests: ['a\u0001b'] }, 'interests'],
    ];
    for (const [name, body, field] of cases) {
      test(`${name} → field "${field}"`, async () => {
        const r = await postGuest(server, body);
        assertApiError(r, 400, 'invalid_payload', field);
        assert.match(r.headers.get('content-type') ?? '', /application\/json/);
      });
    }

    test('a body that is not a JSON object → 400 invalid_payload', async () => {
      for (const body of ['not json', '[1,2]', '"str"', '{"username":']) {
        const r = await postGuest(server, body);
        assertApiError(r, 400, 'invalid_payload');
      }
    });
  });

describe('GET /api/guest/me and POST /api/guest/refresh', { timeout: 30000 }, () => {
  let g;
  before(async () => {
    g = await createGuest(server, { username: 'Me_Guest', language: 'de', interests: ['chess'] });
  });

  test('valid token → 200 {user} identical to the created guest', async () => {
    const r = await getMe(server, g.token);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { user: g.user });
  });

  test('a token forged with the server secret for that guest is accepted (forging sanity check)',
    async () => {
      const r = await getMe(server, forgeToken(g.user.id));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.user.id, g.user.id);
    });

  function assert401(r, code) {
    assertApiError(r, 401, code);
    const www = r.headers.get('www-authenticate') ?? '';
    assert.match(www, /^Bearer\b/i, `WWW-Authenticate: ${www}`);
    assert.match(www, /error="invalid_token"/, `WWW-Authenticate: ${www}`);
  }

  const bad = {
    'missing Authorization header': () => [undefined, {}],
    'Basic instead of Bearer': () => [undefined, { authorization: `Basic ${g.token}` }],
    'Bearer with an empty token': () => [undefined, { authorization: 'Bearer ' }],
    'garbage token': () => ['not.a.jwt'],
    'two-part token': () => [g.token.split('.').slice(0, 2).join('.')],
    'tampered signature': () => [tamperSignature(g.token)],
    'tampered payload (another sub, same signature)': () => [tamperPayload(g.token, { sub: 'g_x' })],
    'foreign issuer': () => [forgeToken(g.user.id, { iss: 'not-hallway' })],
    'foreign audience': () => [forgeToken(g.user.id, { aud: 'someone-else' })],
    'signed with another secret': () => [forgeToken(g.user.id, {},
      { secret: 'another-secret-that-is-long-enough-0123456789' })],
    'alg none (unsigned)': () => [unsignedToken(g.user.id)],
    'alg HS512 header': () => [forgeToken(g.user.id, {}, { header: { alg: 'HS512', typ: 'JWT' } })],
  };
  for (const [name, make] of Object.entries(bad)) {
    test(`${name} → 401 token_invalid (me and refresh)`, async () => {
      const [token, headers = {}] = make();
      assert401(await getMe(server, token, { headers }), 'token_invalid');
      assert401(await refresh(server, token, { headers }), 'token_invalid');
    });
  }

  test('expired token (exp in the past) → 401 token_expired (me and refresh)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = forgeToken(g.user.id, { iat: now - 7300, exp: now - 100 });
    assert401(await getMe(server, token), 'token_expired');
    assert401(await refresh(server, token), 'token_expired');
  });

  test('good token for a guest that never existed → 401 session_not_found', async () => {
    const token = forgeToken('g_AAAAAAAAAAAAAAAAAAAAAA');
    assert401(await getMe(server, token), 'session_not_found');
    assert401(await refresh(server, token), 'session_not_found');
  });

  test('refresh → 200 {token, expiresAt, user}: a new valid token for the same guest', async () => {
    const r = await refresh(server, g.token);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json).sort(), ['expiresAt', 'token', 'user']);
    assert.deepEqual(r.json.user, g.user);
    assert.notEqual(r.json.token, g.token, 'refresh must issue a fresh token');
    const claims = assertJwtFor(r.json.token, g.user);
    assert.ok(Math.abs(Date.parse(r.json.expiresAt) / 1000 - claims.exp) <= 1);
    const me = await getMe(server, r.json.token);
    assert.equal(me.status, 200, me.text);
    assert.deepEqual(me.json, { user: g.user });
    // The refreshed token also opens a realtime connection as the same guest.
    const s = await connectGuest(server, r.json.token);
    assert.deepEqual(await waitPayload(s, 'connection:established'),
      { userId: g.user.id, username: g.user.username });
    s.disconnect();
  });
});

describe('session inactivity TTL (--session-ttl 1s)', { timeout: 30000 }, () => {
  test('--token-lifetime 1h: exp and expiresAt are 1 h ahead (refresh too)', async () => {
    const g = await createGuest(ttlServer, {});
    const claims = assertJwtFor(g.token, g.user, 3600);
    assert.ok(Math.abs(Date.parse(g.expiresAt) / 1000 - claims.exp) <= 1);
    const r = await refresh(ttlServer, g.token);
    assert.equal(r.status, 200, r.text);
    assertJwtFor(r.json.token, g.user, 3600);
  });

  test('a session left alone expires: me/refresh → 401 session_not_found, connect refused',
    async () => {
      const g = await createGuest(ttlServer, {});
      assert.equal((await getMe(ttlServer, g.token)).status, 200);
      await sleep(1600);
      const me = await getMe(ttlServer, g.token);
      assertApiError(me, 401, 'session_not_found');
      assertApiError(await refresh(ttlServer, g.token), 401, 'session_not_found');
      const { err } = await refusedConnect(ttlServer, g.token);
      assert.equal(err.data?.code, 'session_not_found', JSON.stringify(err.data));
    });

  test('authenticated requests slide the TTL', async () => {
    const g = await createGuest(ttlServer, {});
    for (let i = 0; i < 6; i += 1) {
      await sleep(400);
      const r = await getMe(ttlServer, g.token);
      assert.equal(r.status, 200, `after ${(i + 1) * 400} ms of activity: ${r.text}`);
    }
  });

  test('realtime activity slides the TTL (a guest chatting longer than the TTL stays valid)',
    async () => {
      const g = await createGuest(ttlServer, {});
      const s = await connectGuest(ttlServer, g.token);
      await waitPayload(s, 'connection:established');
      for (let i = 0; i < 6; i += 1) {
        await sleep(400);
        const ack = await emitAck(s, 'stats:get');
        assert.equal(ack?.ok, true, JSON.stringify(ack));
      }
      // 2.4 s after creation, with realtime activity all along and no REST call since.
      const me = await getMe(ttlServer, g.token);
      assert.equal(me.status, 200, `session expired despite realtime activity: ${me.text}`);
      s.disconnect();
    });
});

describe('guest creation rate limit (--guest-create-rate 3 per minute per address)',
  { timeout: 30000 }, () => {
    test('default token lifetime is 2 h; the 4th creation → 429 rate_limited with Retry-After',
      async () => {
        const first = await createGuest(rateServer, {});
        assertJwtFor(first.token, first.user, 7200);
        assert.ok(Math.abs(Date.parse(first.expiresAt) - (Date.now() + 7200e3)) < 30e3);
        await createGuest(rateServer, {});
        await createGuest(rateServer, {});
        const r = await postGuest(rateServer, {});
        assertApiError(r, 429, 'rate_limited');
        const retry = r.headers.get('retry-after');
        assert.match(retry ?? '', /^\d+$/, `Retry-After: ${retry}`);
        assert.ok(Number(retry) >= 1 && Number(retry) <= 60, `Retry-After: ${retry}`);
        // Other endpoints are not limited by guest creation.
        assert.equal((await getMe(rateServer, first.token)).status, 200);
        assert.equal((await api(rateServer, '/api/stats')).status, 200);
      });
  });

describe('GET /api/stats', { timeout: 30000 }, () => {
  test('→ 200 {online, searching, chatting}, non-negative integers', async () => {
    const r = await api(server, '/api/stats');
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(Object.keys(r.json).sort(), ['chatting', 'online', 'searching']);
    for (const v of Object.values(r.json)) assert.ok(Number.isInteger(v) && v >= 0, r.text);
    const s = await restStats(server);
    assert.equal(typeof s.online, 'number');
  });
});
