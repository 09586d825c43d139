import { describe, expect, it } from 'vitest';

import {
  ANNOUNCE,
  initialState,
  reducer,
  statusLines,
  TEXT,
  type Action,
  type OwnMessage,
  type State,
} from './reducer';

const partner = { username: 'BraveOtter12', language: 'en' };
const run = (s: State, ...actions: Action[]) => actions.reduce(reducer, s);
const searching = () => run(initialState, { type: 'search/start', at: 1000, interestsOnly: false });
const chatting = (common: string[] = []) =>
  run(searching(), { type: 'matched', at: 2000, roomId: 'r1', partner, commonInterests: common });
const own = (s: State) => s.items.filter((i): i is OwnMessage => i.kind === 'me');
const statuses = (s: State) => own(s).map((m) => m.status);
const withSent = (...ids: string[]) =>
  run(chatting(), ...ids.map((id, i): Action => ({ type: 'msg/send', at: 3000 + i, id, text: `m${id}` })));

describe('phases', () => {
  it('landing → searching on start, with the interests-only flag', () => {
    const s = run(initialState, { type: 'search/start', at: 5, interestsOnly: true });
    expect(s.phase).toBe('searching');
    expect(s.search).toEqual({ since: 5, fallbackAt: null, interestsOnly: true });
    expect(s.announcement?.text).toBe(ANNOUNCE.searching);
  });

  it('searching → landing on cancel; cancel elsewhere changes nothing', () => {
    expect(run(searching(), { type: 'search/cancel' }).phase).toBe('landing');
    const c = chatting();
    expect(reducer(c, { type: 'search/cancel' })).toBe(c);
  });

  it('searching → chatting on matched, with status lines and notices', () => {
    const s = chatting(['music', 'films']);
    expect(s.phase).toBe('chatting');
    expect(s.search).toBeNull();
    expect(s.chat).toEqual({ roomId: 'r1', mode: 'text', partner, commonInterests: ['music', 'films'], startedAt: 2000 });
    expect(statusLines(s)).toEqual([TEXT.chatting, 'You both like: music, films']);
    expect(s.items.map((i) => i.kind === 'notice' && i.text)).toEqual([TEXT.chatting, 'You both like: music, films']);
    expect(s.announcement?.text).toBe('A stranger joined. Common interests: music, films.');
  });

  it('no common-interest line without common interests', () => {
    expect(statusLines(chatting())).toEqual([TEXT.chatting]);
  });

  it('landing → chatting on matched (a reloaded page returns to its chat)', () => {
    const s = run(initialState, { type: 'matched', at: 1, roomId: 'r9', partner, commonInterests: [] });
    expect(s.phase).toBe('chatting');
  });

  it('matched again for the same room keeps the conversation', () => {
    const s = run(
      withSent('a'),
      { type: 'partner', at: 4000, state: 'reconnecting' },
      { type: 'matched', at: 5000, roomId: 'r1', partner, commonInterests: [] },
    );
    expect(own(s)).toHaveLength(1);
    expect(s.partnerReconnecting).toBe(false);
  });

  it('matched for another room starts a fresh conversation', () => {
    const s = run(withSent('a'), { type: 'matched', at: 5000, roomId: 'r2', partner, commonInterests: [] });
    expect(own(s)).toHaveLength(0);
    expect(s.chat?.roomId).toBe('r2');
  });

  it('the chat keeps its mode (a video chat starts its call at once)', () => {
    const s = run(searching(), { type: 'matched', at: 2000, roomId: 'r3', mode: 'video', partner, commonInterests: [] });
    expect(s.chat?.mode).toBe('video');
  });

  it('chatting → ended with each reason and its status text', () => {
    const cases = [
      ['partner_left', TEXT.partnerLeft],
      ['partner_disconnected', TEXT.partnerLeft],
      ['you_left', TEXT.youLeft],
      ['reported', TEXT.reported],
    ] as const;
    for (const [reason, text] of cases) {
      const s = run(chatting(), { type: 'ended', at: 9, reason });
      expect(s.phase).toBe('ended');
      expect(s.endReason).toBe(reason);
      expect(statusLines(s)).toEqual([text]);
      expect(s.items.at(-1)).toMatchObject({ kind: 'notice', text, at: 9 });
    }
  });

  it('ended is ignored outside a chat, except a report after the end', () => {
    const s = searching();
    expect(reducer(s, { type: 'ended', at: 1, reason: 'partner_left' })).toBe(s);
    const left = run(chatting(), { type: 'ended', at: 1, reason: 'partner_left' });
    expect(reducer(left, { type: 'ended', at: 2, reason: 'partner_disconnected' })).toBe(left);
    const reported = reducer(left, { type: 'ended', at: 3, reason: 'reported' });
    expect(reported.endReason).toBe('reported');
    expect(statusLines(reported)).toEqual([TEXT.reported]);
  });

  it('ended → searching on New clears the conversation', () => {
    const s = run(withSent('a'), { type: 'ended', at: 9, reason: 'partner_left' }, {
      type: 'search/start',
      at: 10,
      interestsOnly: false,
    });
    expect(s.phase).toBe('searching');
    expect(s.items).toEqual([]);
    expect(s.endReason).toBeNull();
    expect(s.chat).toBeNull();
  });

  it('stop goes to the landing from a chat and announces that you left', () => {
    const s = run(withSent('a'), { type: 'stop' });
    expect(s.phase).toBe('landing');
    expect(s.items).toEqual([]);
    expect(s.announcement?.text).toBe(ANNOUNCE.youLeft);
  });
});

describe('search fallback', () => {
  it('the ack sets when the fallback happens', () => {
    const s = reducer(searching(), { type: 'search/ack', at: 1500, fallbackInMs: 5000 });
    expect(s.search?.fallbackAt).toBe(6500);
  });

  it('null or missing fallbackInMs (old server, interests only) means no countdown', () => {
    expect(reducer(searching(), { type: 'search/ack', at: 1, fallbackInMs: null }).search?.fallbackAt).toBeNull();
    expect(reducer(searching(), { type: 'search/ack', at: 1, fallbackInMs: undefined }).search?.fallbackAt).toBeNull();
  });

  it('interests only: no countdown even when the ack names one', () => {
    const s = run(searching(), { type: 'interestsOnly', value: true }, { type: 'search/ack', at: 1, fallbackInMs: 5000 });
    expect(s.interestsOnly).toBe(true);
    expect(s.search?.interestsOnly).toBe(true);
    expect(s.search?.fallbackAt).toBeNull();
  });

  it('an ack after the search ended is ignored', () => {
    const c = chatting();
    expect(reducer(c, { type: 'search/ack', at: 1, fallbackInMs: 5000 })).toBe(c);
  });
});

describe('own messages and receipts', () => {
  it('send adds a sending message; sent takes the server timestamp', () => {
    let s = withSent('a');
    expect(own(s)[0]).toMatchObject({ id: 'a', text: 'ma', status: 'sending', at: 3000 });
    s = reducer(s, { type: 'msg/sent', id: 'a', timestamp: 7777 });
    expect(own(s)[0]).toMatchObject({ status: 'sent', at: 7777 });
  });

  it('send outside a chat and duplicate ids are ignored', () => {
    const s = searching();
    expect(reducer(s, { type: 'msg/send', at: 1, id: 'x', text: 't' })).toBe(s);
    const c = withSent('a');
    expect(reducer(c, { type: 'msg/send', at: 1, id: 'a', text: 't' })).toBe(c);
  });

  it('sending → sent → delivered → read', () => {
    const s = run(
      withSent('a', 'b', 'c'),
      { type: 'msg/sent', id: 'a', timestamp: 1 },
      { type: 'msg/sent', id: 'b', timestamp: 2 },
      { type: 'msg/sent', id: 'c', timestamp: 3 },
      { type: 'msg/delivered', ids: ['a', 'b'] },
    );
    expect(statuses(s)).toEqual(['delivered', 'delivered', 'sent']);
    const r = reducer(s, { type: 'msg/read', upTo: 'b' });
    expect(statuses(r)).toEqual(['read', 'read', 'sent']);
  });

  it('receipts never go backwards, in any order of arrival', () => {
    const s = run(
      withSent('a'),
      { type: 'msg/read', upTo: 'a' },
      { type: 'msg/delivered', ids: ['a'] },
      { type: 'msg/sent', id: 'a', timestamp: 5 },
    );
    expect(statuses(s)).toEqual(['read']);
    expect(own(s)[0]?.at).toBe(5);
  });

  it('delivered before the ack shows delivered; the late ack keeps it', () => {
    const s = run(withSent('a'), { type: 'msg/delivered', ids: ['a'] }, { type: 'msg/sent', id: 'a', timestamp: 5 });
    expect(statuses(s)).toEqual(['delivered']);
  });

  it('read up to an unknown id changes nothing', () => {
    const s = run(withSent('a'), { type: 'msg/sent', id: 'a', timestamp: 1 });
    expect(reducer(s, { type: 'msg/read', upTo: 'zzz' })).toBe(s);
  });

  it('failed only from sending; retry turns failed back into sending', () => {
    let s = reducer(withSent('a', 'b'), { type: 'msg/sent', id: 'b', timestamp: 1 });
    s = run(s, { type: 'msg/failed', id: 'a' }, { type: 'msg/failed', id: 'b' });
    expect(statuses(s)).toEqual(['failed', 'sent']);
    s = reducer(s, { type: 'msg/retry', id: 'a' });
    expect(statuses(s)).toEqual(['sending', 'sent']);
    s = reducer(s, { type: 'msg/sent', id: 'a', timestamp: 2 });
    expect(statuses(s)).toEqual(['sent', 'sent']);
  });

  it('a retry of a message that is not failed changes nothing', () => {
    const s = withSent('a');
    expect(reducer(s, { type: 'msg/retry', id: 'a' })).toBe(s);
  });

  it('a failed message that the partner did get turns delivered', () => {
    const s = run(withSent('a'), { type: 'msg/failed', id: 'a' }, { type: 'msg/delivered', ids: ['a'] });
    expect(statuses(s)).toEqual(['delivered']);
  });

  it('read skips failed messages before upTo', () => {
    const s = run(
      withSent('a', 'b'),
      { type: 'msg/failed', id: 'a' },
      { type: 'msg/sent', id: 'b', timestamp: 1 },
      { type: 'msg/read', upTo: 'b' },
    );
    expect(statuses(s)).toEqual(['failed', 'read']);
  });
});

describe('stranger messages', () => {
  it('received messages are added once, stop the typing indicator, and wait to be read', () => {
    let s = run(chatting(), { type: 'typing', value: true });
    s = reducer(s, { type: 'msg/received', id: 'x', text: 'hi', timestamp: 42 });
    expect(s.items.at(-1)).toEqual({ kind: 'stranger', id: 'x', text: 'hi', at: 42 });
    expect(s.partnerTyping).toBe(false);
    expect(s.unreadUpTo).toBe('x');
    expect(reducer(s, { type: 'msg/received', id: 'x', text: 'hi', timestamp: 42 })).toBe(s);
  });

  it('read/sent clears the unread marker only for the newest message', () => {
    const s = run(
      chatting(),
      { type: 'msg/received', id: 'x', text: 'a', timestamp: 1 },
      { type: 'msg/received', id: 'y', text: 'b', timestamp: 2 },
    );
    expect(reducer(s, { type: 'read/sent', upTo: 'x' }).unreadUpTo).toBe('y');
    expect(reducer(s, { type: 'read/sent', upTo: 'y' }).unreadUpTo).toBeNull();
  });

  it('messages outside a chat are dropped', () => {
    const s = searching();
    expect(reducer(s, { type: 'msg/received', id: 'x', text: 'a', timestamp: 1 })).toBe(s);
  });
});

describe('typing and partner connection', () => {
  it('typing start/stop only in a chat', () => {
    expect(run(chatting(), { type: 'typing', value: true }).partnerTyping).toBe(true);
    expect(run(chatting(), { type: 'typing', value: true }, { type: 'typing', value: false }).partnerTyping).toBe(false);
    const s = searching();
    expect(reducer(s, { type: 'typing', value: true })).toBe(s);
  });

  it('typing ends with the chat and with a new match', () => {
    const t = run(chatting(), { type: 'typing', value: true });
    expect(reducer(t, { type: 'ended', at: 1, reason: 'partner_left' }).partnerTyping).toBe(false);
    expect(reducer(t, { type: 'matched', at: 1, roomId: 'r2', partner, commonInterests: [] }).partnerTyping).toBe(false);
  });

  it('reconnecting shows its status and a notice; back restores the chat status', () => {
    let s = run(chatting(['a']), { type: 'typing', value: true }, { type: 'partner', at: 3, state: 'reconnecting' });
    expect(s.partnerReconnecting).toBe(true);
    expect(s.partnerTyping).toBe(false);
    expect(statusLines(s)).toEqual([TEXT.reconnecting]);
    expect(s.items.at(-1)).toMatchObject({ kind: 'notice', text: TEXT.reconnecting });
    const same = reducer(s, { type: 'partner', at: 4, state: 'reconnecting' });
    expect(same).toBe(s);
    s = reducer(s, { type: 'partner', at: 5, state: 'back' });
    expect(s.partnerReconnecting).toBe(false);
    expect(statusLines(s)).toEqual([TEXT.chatting, 'You both like: a']);
    expect(s.items.at(-1)).toMatchObject({ kind: 'notice', text: TEXT.back });
  });

  it('partner left while reconnecting', () => {
    const s = run(chatting(), { type: 'partner', at: 3, state: 'reconnecting' }, { type: 'ended', at: 4, reason: 'partner_disconnected' });
    expect(s.partnerReconnecting).toBe(false);
    expect(statusLines(s)).toEqual([TEXT.partnerLeft]);
  });
});

describe('connection, stats, settings, errors', () => {
  it('connection states', () => {
    let s = reducer(initialState, { type: 'conn/connecting' });
    expect(s.connection).toBe('connecting');
    s = reducer(s, { type: 'conn/up' });
    expect(reducer(s, { type: 'conn/connecting' })).toBe(s);
    s = reducer(s, { type: 'conn/down', at: 50 });
    expect(s).toMatchObject({ connection: 'down', downSince: 50 });
    expect(reducer(s, { type: 'conn/down', at: 60 }).downSince).toBe(50);
    s = reducer(s, { type: 'conn/up' });
    expect(s).toMatchObject({ connection: 'up', downSince: null });
    s = reducer(s, { type: 'conn/replaced' });
    expect(s.connection).toBe('replaced');
    expect(reducer(s, { type: 'conn/down', at: 70 }).connection).toBe('replaced');
  });

  it('online count', () => {
    const s = reducer(initialState, { type: 'stats', online: 12 });
    expect(s.online).toBe(12);
    expect(reducer(s, { type: 'stats', online: 12 })).toBe(s);
  });

  it('auto-find switch', () => {
    expect(reducer(initialState, { type: 'autoFind', value: true }).autoFind).toBe(true);
  });

  it('errors are shown and cleared; a new search clears them', () => {
    let s = reducer(initialState, { type: 'error', error: { message: 'Nope', retry: 'start' } });
    expect(s.error).toEqual({ message: 'Nope', retry: 'start' });
    expect(reducer(s, { type: 'error/clear' }).error).toBeNull();
    s = reducer(s, { type: 'search/start', at: 1, interestsOnly: false });
    expect(s.error).toBeNull();
  });

  it('announcements get increasing ids, so the same text is announced again', () => {
    const a = reducer(initialState, { type: 'search/start', at: 1, interestsOnly: false });
    const b = reducer(a, { type: 'search/start', at: 2, interestsOnly: false });
    expect(b.announcement!.id).toBeGreaterThan(a.announcement!.id);
  });
});

describe('files', () => {
  const png = { name: 'cat.png', size: 1000, mime: 'image/png', kind: 'image' as const };
  const served = { ...png, url: '/api/files/f1?k=c' };
  const add = (id = 'f', over: Partial<Extract<Action, { type: 'file/add' }>> = {}): Action => ({
    type: 'file/add',
    at: 3000,
    id,
    ...png,
    ...over,
  });
  const only = (s: State) => own(s)[0]!;

  it('an upload is an own item that is sending, with its progress', () => {
    const s = run(chatting(), add(), { type: 'file/progress', id: 'f', loaded: 400, total: 1000 });
    expect(only(s)).toEqual({
      kind: 'me',
      id: 'f',
      text: '',
      at: 3000,
      status: 'sending',
      file: { ...png, url: '' },
      upload: { state: 'uploading', loaded: 400, total: 1000 },
    });
  });

  it('a voice note keeps its duration; uploads outside a chat and duplicate ids are ignored', () => {
    const s = run(chatting(), add('v', { kind: 'voice', duration: 7 }));
    expect(only(s).file).toMatchObject({ kind: 'voice', duration: 7 });
    expect(reducer(s, add('v'))).toBe(s);
    expect(reducer(searching(), add())).toEqual(searching());
  });

  it('progress never goes backwards and stops once failed', () => {
    const s = run(
      chatting(),
      add(),
      { type: 'file/progress', id: 'f', loaded: 600, total: 1000 },
      { type: 'file/progress', id: 'f', loaded: 500, total: 1000 },
    );
    expect(only(s).upload?.loaded).toBe(600);
    const f = run(s, { type: 'file/failed', id: 'f', error: 'The upload failed', retryable: true });
    expect(reducer(f, { type: 'file/progress', id: 'f', loaded: 900, total: 1000 })).toBe(f);
    // Progress for an id that is not an upload (a text message) changes nothing.
    const t = run(chatting(), { type: 'msg/send', at: 1, id: 'm', text: 'x' });
    expect(reducer(t, { type: 'file/progress', id: 'm', loaded: 1, total: 2 })).toBe(t);
  });

  it('failed with a reason; retry (when retryable) starts again from zero', () => {
    const s = run(
      chatting(),
      add(),
      { type: 'file/progress', id: 'f', loaded: 600, total: 1000 },
      { type: 'file/failed', id: 'f', error: 'Server full', retryable: true },
    );
    expect(only(s).upload).toEqual({ state: 'failed', loaded: 600, total: 1000, error: 'Server full', retryable: true });
    expect(only(run(s, { type: 'file/retry', id: 'f' })).upload).toEqual({ state: 'uploading', loaded: 0, total: 1000 });
    const final = run(chatting(), add(), { type: 'file/failed', id: 'f', error: 'Too large', retryable: false });
    expect(reducer(final, { type: 'file/retry', id: 'f' })).toBe(final);
  });

  it('remove (and cancel) takes the upload away; never a sent message', () => {
    const s = run(chatting(), add(), { type: 'file/remove', id: 'f' });
    expect(own(s)).toHaveLength(0);
    const sent = run(chatting(), add(), { type: 'file/uploaded', id: 'f', file: served });
    expect(reducer(sent, { type: 'file/remove', id: 'f' })).toBe(sent);
  });

  it('uploaded: the server\'s file replaces the guess; then the same receipts as text', () => {
    const s = run(chatting(), add(), {
      type: 'file/uploaded',
      id: 'f',
      file: { ...served, mime: 'image/webp', name: 'cat_.png' },
    });
    expect(only(s)).toEqual({
      kind: 'me',
      id: 'f',
      text: '',
      at: 3000,
      status: 'sending',
      file: { ...served, mime: 'image/webp', name: 'cat_.png' },
    });
    const acked = run(s, { type: 'msg/sent', id: 'f', timestamp: 3500 });
    expect(only(acked)).toMatchObject({ status: 'sent', at: 3500 });
    const failed = run(s, { type: 'msg/failed', id: 'f' });
    expect(only(failed).status).toBe('failed');
    expect(only(run(failed, { type: 'msg/retry', id: 'f' })).status).toBe('sending');
    expect(only(run(acked, { type: 'msg/delivered', ids: ['f'] }), )).toMatchObject({ status: 'delivered' });
  });

  it('read receipts skip uploads still under way', () => {
    const s = run(
      chatting(),
      add('f'),
      { type: 'msg/send', at: 3100, id: 'm', text: 'look' },
      { type: 'msg/sent', id: 'm', timestamp: 3200 },
      { type: 'msg/read', upTo: 'm' },
    );
    expect(statuses(s)).toEqual(['sending', 'read']);
  });

  it('partner files are added once, like messages (typing off, waiting to be read)', () => {
    let s = run(chatting(), { type: 'typing', value: true });
    s = run(s, { type: 'file/received', id: 'p1', file: served, timestamp: 4000 });
    expect(s.items.at(-1)).toEqual({ kind: 'stranger', id: 'p1', text: '', file: served, at: 4000 });
    expect(s.partnerTyping).toBe(false);
    expect(s.unreadUpTo).toBe('p1');
    expect(reducer(s, { type: 'file/received', id: 'p1', file: served, timestamp: 5000 })).toBe(s);
    const ended = run(s, { type: 'ended', at: 6000, reason: 'partner_left' });
    expect(reducer(ended, { type: 'file/received', id: 'p2', file: served, timestamp: 7000 })).toBe(ended);
  });

  it('the end of the chat: files are gone, uploads under way fail for good', () => {
    const s = run(
      chatting(),
      add('up'),
      add('done'),
      { type: 'file/uploaded', id: 'done', file: served },
      { type: 'file/received', id: 'p1', file: served, timestamp: 4000 },
      { type: 'msg/send', at: 4100, id: 'm', text: 'bye' },
      { type: 'ended', at: 5000, reason: 'partner_left' },
    );
    const byId = new Map(s.items.map((i) => [i.id, i]));
    expect(byId.get('up')).toMatchObject({
      gone: true,
      upload: { state: 'failed', error: 'The chat has ended', retryable: false },
    });
    expect(byId.get('done')).toMatchObject({ gone: true });
    expect(byId.get('p1')).toMatchObject({ gone: true });
    expect(byId.get('m')).not.toHaveProperty('gone');
    expect(reducer(s, { type: 'file/retry', id: 'up' })).toBe(s);
    // The failed upload can still be dismissed.
    expect(run(s, { type: 'file/remove', id: 'up' }).items.some((i) => i.id === 'up')).toBe(false);
  });
});
