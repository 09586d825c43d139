// One set of realtime event names: docs/protocol.md's event tables, the server's table
// (`hallway --list-events`) and the web client's event map (web/src/lib/protocol/events.ts) must
// name the same events, client → server and server → client separately.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';

import { compareSets, eventsFromClientSource, eventsFromProtocolDoc, eventsFromServerOutput,
  namesFromTsConst } from './lib/events.mjs';
import { REPO_ROOT, cleanupAll, runBinary } from './lib/hallway.mjs';

after(cleanupAll);

const DOC = path.join(REPO_ROOT, 'docs/protocol.md');
const CLIENT = path.join(REPO_ROOT, 'web/src/lib/protocol/events.ts');

test('docs/protocol.md, hallway --list-events and the web client name the same events', async () => {
  const doc = eventsFromProtocolDoc(fs.readFileSync(DOC, 'utf8'));
  const r = await runBinary(['--list-events']);
  assert.equal(r.code, 0, `hallway --list-events exited ${r.code}: ${r.stderr}`);
  const server = eventsFromServerOutput(r.stdout);
  const client = eventsFromClientSource(CLIENT);
  const problems = [];
  for (const side of ['client', 'server']) {
    const label = side === 'client' ? 'client → server' : 'server → client';
    for (const line of compareSets({ 'docs/protocol.md': doc[side], 'hallway --list-events': server[side],
      'web/src/lib/protocol/events.ts': client[side] })) {
      problems.push(`${label}: ${line}`);
    }
  }
  assert.deepEqual(problems, [], `the event sets differ:\n  ${problems.join('\n  ')}`);
});

// The parsers themselves, on inputs shaped like the real ones, so that a parser that finds
// nothing (and would compare empty sets) cannot pass.
test('the markdown parser reads every table, two-name rows and aliases', () => {
  const md = fs.readFileSync(DOC, 'utf8');
  const doc = eventsFromProtocolDoc(md);
  // Two sections of tables (the chat's and the calls'), read together per direction.
  const split = eventsFromProtocolDoc([
    '| event (client → server) | payload |', '|---|---|', '| `a:one` / `a:two` | x |', '',
    '| event (server → client) | payload |', '|---|---|', '| `b:one` | x |', '', 'text', '',
    '| event (client → server) | payload |', '|---|---|', '| `c:one` (alias `c:old`) | x |', '',
  ].join('\n'));
  assert.deepEqual(split, { client: ['a:one', 'a:two', 'c:one', 'c:old'], server: ['b:one'] });
  for (const n of ['user:match', 'chat:typing:start', 'chat:typing:stop', 'chat:leave', 'chat:clear',
    'leave-room', 'close-room', 'stats:get']) assert.ok(doc.client.includes(n), `client table has ${n}`);
  for (const n of ['connection:established', 'user:matched', 'chat:typing:start', 'chat:typing:stop',
    'chat:ended', 'realtime:stats']) assert.ok(doc.server.includes(n), `server table has ${n}`);
  assert.ok(!doc.client.includes('connection:established'), 'the tables are kept apart');
});

test('the TypeScript parser reads arrays, objects and Object.keys(object)', () => {
  const src = `
    // a comment with 'not:an-event'
    export const CLIENT_EVENTS = ['user:match', "chat:message", /* 'x:y' */ 'chat:leave'] as const;
    export const SERVER_EVENTS = {
      'user:matched': userMatchedSchema,
      "chat:ended": z.object({ reason: z.enum(['partner_left', 'partner_disconnected']) }),
    } as const;
    export const OTHER = { MATCH: 'user:match', NESTED: { deep: 'no' } };
    const keyed = {
      'stats:get': true,
      'user:next': true, // trailing comment
    } as const satisfies Record<ClientEvent, true>;
    export const KEYS: readonly ClientEvent[] = Object.keys(keyed) as ClientEvent[];
  `;
  assert.deepEqual(namesFromTsConst(src, 'CLIENT_EVENTS'), ['user:match', 'chat:message', 'chat:leave']);
  assert.deepEqual(namesFromTsConst(src, 'SERVER_EVENTS'), ['user:matched', 'chat:ended']);
  assert.deepEqual(namesFromTsConst(src, 'OTHER'), ['user:match']);
  assert.deepEqual(namesFromTsConst(src, 'KEYS'), ['stats:get', 'user:next']);
  assert.throws(() => namesFromTsConst(src, 'MISSING'), /no "const MISSING/);
});

test('a difference is reported with the event and the sources it is missing from', () => {
  assert.deepEqual(compareSets({ a: ['x', 'y'], b: ['x'], c: ['x', 'y', 'y'] }),
    ['c lists twice: y', '"y": in a, c; missing from b']);
  assert.deepEqual(compareSets({ a: ['x'], b: ['x'] }), []);
});
