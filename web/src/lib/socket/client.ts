// The one module that owns the app's one socket.io-client instance. It validates every inbound
// payload, turns server events and acks into reducer actions, and retries what must arrive.
import type { ManagerOptions, SocketOptions } from 'socket.io-client';

import type { CallLink, ChatContext, LinkEvent, SignalEvent, SignalReply } from '../call/controller';
import type { Action } from '../chat/reducer';
import { DEAD_TOKEN_CODES, GuestError, type GuestStore } from '../guest';
import type {
  AckError,
  ClientEvent,
  MessagePayload,
  Mode,
  PayloadOf,
  ReportReason,
  ServerEvent,
} from '../protocol/events';
import {
  ackSchemas,
  check,
  connectErrorData,
  serverSchemas,
  type ParsedAck,
  type ParsedServerEvent,
} from '../protocol/schemas';
import { uuid } from './uuid';

/** The part of a socket.io-client Socket this module uses (a test passes a fake). */
export interface SocketLike {
  readonly connected: boolean;
  readonly active: boolean;
  on(event: string, fn: (...args: never[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  timeout(ms: number): { emit(event: string, ...args: unknown[]): unknown };
  connect(): unknown;
  disconnect(): unknown;
}
export type IoFactory = (
  url: string | undefined,
  opts: Partial<ManagerOptions & SocketOptions>,
) => SocketLike;

export interface Prefs {
  mode: Mode;
  interests: string[];
  language: string | null;
  nickname: string;
  interestsOnly: boolean;
}

export interface ClientDeps {
  io: IoFactory;
  guests: GuestStore;
  dispatch: (a: Action) => void;
  /** Origin of the hallway server, '' for the page's own. */
  origin: string;
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (h: unknown) => void;
  /** Where visibilitychange is observed; null in tests that do not need it. */
  doc?: Pick<Document, 'visibilityState' | 'addEventListener' | 'removeEventListener'> | null;
  warn?: (msg: string) => void;
  ackTimeoutMs?: number;
  /** Tries of a chat message before it is shown as failed. */
  sendTries?: number;
  /** How long one try waits for the connection to come back. */
  connectWaitMs?: number;
}

type Reply<E extends ClientEvent> =
  | { kind: 'ok'; value: Extract<ParsedAck<E>, { ok: true }> }
  | { kind: 'error'; error: AckError['error'] }
  | { kind: 'timeout' };

export type ReportResult = { ok: true } | { ok: false; message: string };

const LOST_CHAT_PROBE_EVENTS = new Set(['user:matched', 'chat:ended']);
const CALL_EVENTS = [
  'webrtc:offer',
  'webrtc:answer',
  'webrtc:ice-candidate',
  'webrtc:call-end',
  'webrtc:call-reject',
  'webrtc:call-timeout',
  'webrtc:video-reveal',
] as const satisfies readonly SignalEvent['event'][];
/** Call events kept for a call controller that is still loading (an ICE burst fits). */
const MAX_QUEUED_CALL_EVENTS = 300;

export class ChatClient {
  private socket: SocketLike | null = null;
  private prefs: Prefs | null = null;
  private socketUser: string | null = null;
  private searching = false;
  private matching = false;
  private matchGen = 0;
  private inChat = false;
  private autoFind = false;
  private typingOn = false;
  private outbox = new Map<string, MessagePayload>();
  private waiters = new Set<() => void>();
  private retryTimer: unknown = null;
  private typingTimer: unknown = null;
  private disposed = false;
  private chatContext: ChatContext | null = null;
  private callListeners = new Set<(e: LinkEvent) => void>();
  private callQueue: SignalEvent[] = [];
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (h: unknown) => void;
  private readonly ackMs: number;
  private readonly tries: number;
  private readonly connectWaitMs: number;
  private readonly warn: (msg: string) => void;
  private readonly unsubscribeGuest: () => void;
  private readonly onVisible = () => {
    if (this.deps.doc?.visibilityState !== 'visible') return;
    this.deps.guests.refreshIfDue();
    const s = this.socket;
    if (s && !s.connected && !s.active) s.connect();
  };

  constructor(private readonly deps: ClientDeps) {
    this.now = deps.now ?? Date.now;
    this.setTimer = deps.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = deps.clearTimeout ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.ackMs = deps.ackTimeoutMs ?? 5000;
    this.tries = deps.sendTries ?? 3;
    this.connectWaitMs = deps.connectWaitMs ?? 10_000;
    this.warn = deps.warn ?? ((m) => console.warn(m));
    deps.doc?.addEventListener('visibilitychange', this.onVisible);
    // A new guest (other nickname, or a dead token replaced) needs a new connection.
    this.unsubscribeGuest = deps.guests.onChange((g) => {
      if (this.socket && this.socketUser !== null && this.socketUser !== g.user.id) this.reconnect();
    });
  }

  /** Connects with the stored guest, if any (a reloaded page returns to its chat). */
  resume(): void {
    if (this.deps.guests.current()) this.ensureSocket();
  }

  get isConnected(): boolean {
    return this.socket?.connected ?? false;
  }

  /** Landing → searching: makes sure a guest exists, connects, asks for a partner. */
  async start(prefs: Prefs): Promise<void> {
    this.prefs = prefs;
    this.outbox.clear();
    this.dispatch({ type: 'search/start', at: this.now(), interestsOnly: this.interestsOnly() });
    this.searching = true;
    try {
      await this.deps.guests.ensure({
        nickname: prefs.nickname,
        interests: prefs.interests,
        language: prefs.language,
      });
    } catch (e) {
      this.searching = false;
      this.dispatch({ type: 'search/cancel' });
      const message = e instanceof GuestError ? e.message : 'Something went wrong. Please try again.';
      this.dispatch({ type: 'error', error: { message, retry: 'start' } });
      return;
    }
    this.ensureSocket();
    await this.match('user:match');
  }

  /** Searching → landing. */
  cancel(): void {
    this.searching = false;
    this.endCallContext(true);
    this.dispatch({ type: 'search/cancel' });
    void this.request('user:match:cancel');
  }

  /** Leaves the chat (if any) and searches again in one step. */
  async next(): Promise<void> {
    const wasInChat = this.inChat;
    this.typing(false);
    this.inChat = false;
    this.endCallContext(false);
    this.searching = true;
    this.outbox.clear();
    this.dispatch({ type: 'search/start', at: this.now(), interestsOnly: this.interestsOnly() });
    await this.match(wasInChat ? 'user:next' : 'user:match');
  }

  /** Stop: leaves the chat or the search, back to the landing. */
  leave(): void {
    this.typing(false);
    this.inChat = false;
    this.endCallContext(true);
    this.searching = false;
    this.dispatch({ type: 'stop' });
    void this.request('chat:leave');
  }

  /** Sends a chat message; returns its id. Shown as failed only after every try. */
  send(text: string): string {
    const id = uuid();
    // The message itself ends the typing indicator on the other side: no stop event (typing
    // events are rate-limited; the next keystroke sends start again).
    this.typingOn = false;
    this.dispatch({ type: 'msg/send', at: this.now(), id, text });
    const payload: MessagePayload = { id, type: 'text', text };
    this.outbox.set(id, payload);
    void this.deliver(payload);
    return id;
  }

  /** Sends the message of an uploaded file (its item exists already: file/add … file/uploaded);
   *  acked, retried and shown as failed exactly like a text message. */
  sendFile(id: string, type: 'file' | 'voice', fileId: string): void {
    if (!this.inChat) {
      this.dispatch({ type: 'msg/failed', id });
      return;
    }
    const payload: MessagePayload = { id, type, fileId };
    this.outbox.set(id, payload);
    void this.deliver(payload);
  }

  /** Sends a failed message again, with the same id (the server dedupes it). */
  retry(id: string): void {
    const payload = this.outbox.get(id);
    if (payload === undefined) return;
    this.dispatch({ type: 'msg/retry', id });
    void this.deliver(payload);
  }

  /** The guest's token for REST calls (file uploads); null before a guest exists. */
  token(): string | null {
    return this.deps.guests.token();
  }

  /** A fresh token after the server refused one (a new guest if it no longer knows this one). */
  async refreshToken(): Promise<void> {
    await this.deps.guests.refresh();
  }

  /** Own typing state; only changes are sent. A start refused by the rate limit is sent again
   *  after retryAfterMs while still typing. */
  typing(on: boolean): void {
    if (on === this.typingOn) return;
    if (on && (!this.inChat || !this.socket?.connected)) return;
    this.typingOn = on;
    this.sendTyping(on);
  }

  private sendTyping(on: boolean): void {
    const event = on ? 'chat:typing:start' : 'chat:typing:stop';
    this.socket?.emit(event, (res: unknown) => {
      const r = check(ackSchemas[event], res);
      if (!r.ok) return this.warn(`hallway: dropped an invalid "${event}" ack (${r.issue})`);
      if (r.value.ok || r.value.error.code !== 'rate_limited') return;
      if (this.typingTimer !== null) this.clearTimer(this.typingTimer);
      this.typingTimer = this.setTimer(() => {
        this.typingTimer = null;
        if (this.typingOn === on && this.inChat) this.sendTyping(on);
      }, Math.max(r.value.error.retryAfterMs ?? 250, 50));
    });
  }

  delivered(ids: string[]): void {
    for (let i = 0; i < ids.length; i += 100) this.fire('chat:delivered', { ids: ids.slice(i, i + 100) });
  }

  read(upTo: string): void {
    this.dispatch({ type: 'read/sent', upTo });
    this.fire('chat:read', { upTo });
  }

  async report(reason: ReportReason, note: string): Promise<ReportResult> {
    const trimmed = note.trim();
    const r = await this.request('user:report', trimmed ? { reason, note: trimmed } : { reason });
    if (r.kind === 'ok') {
      this.typing(false);
      this.inChat = false;
      this.endCallContext(false);
      this.dispatch({ type: 'ended', at: this.now(), reason: 'reported' });
      return { ok: true };
    }
    if (r.kind === 'timeout') return { ok: false, message: 'The server did not answer. Please try again.' };
    if (r.error.code === 'not_in_chat') {
      return { ok: false, message: 'This chat ended too long ago to be reported.' };
    }
    if (r.error.code === 'rate_limited') return { ok: false, message: 'Please wait a moment and try again.' };
    return { ok: false, message: 'The report was not accepted. Please try again.' };
  }

  /** The "Interests only" switch: while searching, asks again with the new setting. */
  setInterestsOnly(value: boolean): void {
    if (this.prefs) this.prefs = { ...this.prefs, interestsOnly: value };
    const effective = this.interestsOnly();
    this.dispatch({ type: 'interestsOnly', value: effective });
    if (this.searching) void this.match('user:match');
  }

  setAutoFind(value: boolean): void {
    this.autoFind = value;
    this.dispatch({ type: 'autoFind', value });
  }

  /** "Use here" after another tab took the guest over. */
  reconnect(): void {
    const s = this.socket;
    if (!s) return this.ensureSocket();
    s.disconnect();
    this.dispatch({ type: 'conn/connecting' });
    s.connect();
  }

  /** The calls' link to the server: the chat they belong to, and signaling. */
  callLink(): CallLink {
    return {
      chat: () => this.chatContext,
      subscribe: (fn) => {
        this.callListeners.add(fn);
        const queued = this.callQueue;
        this.callQueue = [];
        // After the subscriber's own setup, in order.
        if (queued.length) queueMicrotask(() => queued.forEach((e) => this.callListeners.has(fn) && fn(e)));
        return () => this.callListeners.delete(fn);
      },
      signal: async (event, ...payload) => {
        const r = await this.request(event, ...payload);
        const reply: SignalReply =
          r.kind === 'ok' ? { ok: true } : { ok: false, code: r.kind === 'error' ? r.error.code : 'timeout' };
        return reply;
      },
    };
  }

  dispose(): void {
    this.disposed = true;
    this.deps.doc?.removeEventListener('visibilitychange', this.onVisible);
    this.unsubscribeGuest();
    if (this.retryTimer !== null) this.clearTimer(this.retryTimer);
    if (this.typingTimer !== null) this.clearTimer(this.typingTimer);
    this.socket?.disconnect();
    this.socket = null;
    for (const w of this.waiters) w();
  }

  // ---- internals ----

  private dispatch(a: Action): void {
    if (!this.disposed) this.deps.dispatch(a);
  }

  private interestsOnly(): boolean {
    return !!this.prefs && this.prefs.interestsOnly && this.prefs.interests.length > 0;
  }

  private ensureSocket(): void {
    if (this.socket || this.disposed) return;
    const socket = this.deps.io(this.deps.origin || undefined, {
      path: '/socket.io',
      transports: ['websocket'],
      autoConnect: false,
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
      timeout: 10_000,
      // A function: every (re)connect sends the current token.
      auth: (cb: (data: object) => void) => cb({ token: this.deps.guests.token() ?? '' }),
    });
    this.socket = socket;
    this.bind(socket);
    this.dispatch({ type: 'conn/connecting' });
    socket.connect();
  }

  private bind(socket: SocketLike): void {
    socket.on('connect', () => this.onConnect());
    socket.on('disconnect', (reason: string) => this.onDisconnect(reason));
    socket.on('connect_error', (err: Error & { data?: unknown }) => void this.onConnectError(err));

    this.on(socket, 'connection:established', () => {
      this.socketUser = this.deps.guests.current()?.user.id ?? null;
    });
    this.on(socket, 'user:matched', (p) => {
      this.searching = false;
      this.inChat = true;
      if (this.chatContext?.roomId !== p.roomId) this.callQueue = [];
      this.chatContext = { roomId: p.roomId, polite: p.polite, mode: p.mode };
      this.dispatch({
        type: 'matched',
        at: this.now(),
        roomId: p.roomId,
        mode: p.mode,
        partner: p.partner,
        commonInterests: p.commonInterests,
      });
      this.callEvent({ type: 'matched', chat: this.chatContext });
    });
    for (const event of CALL_EVENTS) {
      this.on(socket, event, (payload) => {
        if (this.inChat) this.callEvent({ type: 'signal', event, payload } as SignalEvent);
      });
    }
    this.on(socket, 'chat:message', (p) => {
      if (!this.inChat) return;
      if (p.type === 'text') {
        this.dispatch({ type: 'msg/received', id: p.id, text: p.text, timestamp: p.timestamp });
      } else {
        // The url is relative to the hallway server (another origin under `next dev`).
        const file = { ...p.file, url: this.deps.origin + p.file.url };
        this.dispatch({ type: 'file/received', id: p.id, file, timestamp: p.timestamp });
      }
      this.delivered([p.id]);
    });
    this.on(socket, 'chat:message:delivered', (p) => this.dispatch({ type: 'msg/delivered', ids: p.ids }));
    this.on(socket, 'chat:message:read', (p) => this.dispatch({ type: 'msg/read', upTo: p.upTo }));
    this.on(socket, 'chat:typing:start', () => this.dispatch({ type: 'typing', value: true }));
    this.on(socket, 'chat:typing:stop', () => this.dispatch({ type: 'typing', value: false }));
    this.on(socket, 'partner:connection', (p) =>
      this.dispatch({ type: 'partner', at: this.now(), state: p.state }),
    );
    this.on(socket, 'chat:ended', (p) => this.chatEnded(p.reason));
    this.on(socket, 'realtime:stats', (p) => this.dispatch({ type: 'stats', online: p.online }));
  }

  /** Subscribes to a server event; invalid payloads are dropped with a warning. */
  private on<E extends ServerEvent>(
    socket: SocketLike,
    event: E,
    fn: (p: ParsedServerEvent<E>) => void,
  ): void {
    socket.on(event, (payload: unknown) => {
      const r = check(serverSchemas[event], payload);
      if (!r.ok) {
        this.warn(`hallway: dropped an invalid "${event}" event (${r.issue})`);
        return;
      }
      if (LOST_CHAT_PROBE_EVENTS.has(event)) this.chatProbe = null;
      fn(r.value as ParsedServerEvent<E>);
    });
  }

  private chatProbe: symbol | null = null;

  private chatEnded(reason: 'partner_left' | 'partner_disconnected'): void {
    if (!this.inChat) return;
    this.inChat = false;
    this.endCallContext(false);
    this.typingOn = false;
    this.dispatch({ type: 'ended', at: this.now(), reason });
    if (this.autoFind) void this.next();
  }

  private callEvent(e: LinkEvent): void {
    if (this.callListeners.size === 0) {
      if (e.type === 'signal' && this.callQueue.length < MAX_QUEUED_CALL_EVENTS) this.callQueue.push(e);
      return;
    }
    for (const fn of [...this.callListeners]) fn(e);
  }

  /** The chat is over for calls (its call ends); `leaving`: back to the landing. */
  private endCallContext(leaving: boolean): void {
    const had = this.chatContext !== null;
    this.chatContext = null;
    this.callQueue = [];
    if (had || leaving) this.callEvent({ type: 'chat-end', leaving });
  }

  private onConnect(): void {
    this.dispatch({ type: 'conn/up' });
    for (const w of [...this.waiters]) w();
    void this.request('stats:get').then((r) => {
      if (r.kind === 'ok') this.dispatch({ type: 'stats', online: r.value.online });
    });
    // A search does not survive a lost connection on the server: ask again (unless a request
    // is under way: it waits for this connection by itself).
    if (this.searching && this.prefs && !this.matching) void this.match('user:match');
    // A chat does, within the grace; the server says user:matched again. If it does not know the
    // chat any more (back too late), user:match:cancel answers 'idle' instead of 'matched'.
    if (this.inChat) void this.probeChat();
  }

  private async probeChat(): Promise<void> {
    const probe = Symbol('probe');
    this.chatProbe = probe;
    const r = await this.request('user:match:cancel');
    if (this.chatProbe !== probe) return; // user:matched or chat:ended arrived meanwhile
    this.chatProbe = null;
    if (r.kind === 'ok' && r.value.state !== 'matched') this.chatEnded('partner_disconnected');
  }

  private onDisconnect(reason: string): void {
    this.typingOn = false;
    if (reason === 'io client disconnect') return;
    if (reason === 'io server disconnect') {
      // Another tab (or page) took this guest over, or the server ended the session: no
      // automatic reconnect, which would take it back and forth.
      this.dispatch({ type: 'conn/replaced' });
      return;
    }
    this.dispatch({ type: 'conn/down', at: this.now() });
  }

  private async onConnectError(err: Error & { data?: unknown }): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    this.dispatch({ type: 'conn/down', at: this.now() });
    if (socket.active) return; // a transport error: socket.io retries by itself
    const data = check(connectErrorData, err.data);
    const code = data.ok ? data.value.code : '';
    if (DEAD_TOKEN_CODES.has(code) || !this.deps.guests.token()) {
      try {
        await this.deps.guests.replace();
      } catch {
        // The REST call failed too (rate limit, server down): retry below after a pause.
        return this.retryLater(socket, 5000);
      }
      if (this.socket === socket && !socket.connected) socket.connect();
      return;
    }
    this.retryLater(socket, 3000);
  }

  private retryLater(socket: SocketLike, ms: number): void {
    if (this.retryTimer !== null) return;
    this.retryTimer = this.setTimer(() => {
      this.retryTimer = null;
      if (this.socket === socket && !socket.connected) socket.connect();
    }, ms);
  }

  private matchPayload() {
    const p = this.prefs;
    const payload: { mode: Mode; interests: string[]; language?: string; interestsOnly?: boolean } = {
      mode: p?.mode ?? 'text',
      interests: p?.interests ?? [],
    };
    if (p?.language) payload.language = p.language;
    if (this.interestsOnly()) payload.interestsOnly = true;
    return payload;
  }

  /** Asks for a partner until the server answers; a newer call supersedes an older one. */
  private async match(first: 'user:match' | 'user:next'): Promise<void> {
    const gen = ++this.matchGen;
    this.matching = true;
    try {
      await this.matchLoop(first, () => gen === this.matchGen && this.searching);
    } finally {
      if (gen === this.matchGen) this.matching = false;
    }
  }

  private async matchLoop(first: 'user:match' | 'user:next', current: () => boolean): Promise<void> {
    let event = first;
    for (let i = 0; i < this.tries; i++) {
      if (!(await this.waitConnected())) continue;
      if (!current()) return;
      const r = await this.request(event, this.matchPayload());
      if (!current()) return;
      if (r.kind === 'ok') {
        if (r.value.state === 'searching') {
          this.dispatch({ type: 'search/ack', at: this.now(), fallbackInMs: r.value.fallbackInMs });
        }
        return;
      }
      if (r.kind === 'error') {
        if (r.error.code === 'already_in_chat') return; // user:matched tells the rest
        if (r.error.code === 'rate_limited') {
          await this.sleep(r.error.retryAfterMs ?? 1000);
          continue;
        }
        this.searching = false;
        this.dispatch({ type: 'search/cancel' });
        this.dispatch({ type: 'error', error: { message: matchError(r.error.code), retry: 'start' } });
        return;
      }
      // No answer: whatever user:next did, the chat is left by now; ask plainly.
      event = 'user:match';
    }
    if (!current()) return;
    this.searching = false;
    this.dispatch({ type: 'search/cancel' });
    this.dispatch({
      type: 'error',
      error: { message: 'The server cannot be reached. Check your connection and try again.', retry: 'start' },
    });
  }

  private async deliver(payload: MessagePayload): Promise<void> {
    const id = payload.id;
    for (let i = 0; i < this.tries; i++) {
      if (!(await this.waitConnected())) continue;
      const r = await this.request('chat:message', payload);
      if (r.kind === 'ok') {
        this.outbox.delete(id);
        this.dispatch({ type: 'msg/sent', id, timestamp: r.value.timestamp });
        return;
      }
      if (r.kind === 'error') {
        if (r.error.code !== 'rate_limited') break;
        await this.sleep(r.error.retryAfterMs ?? 1000);
      }
    }
    this.dispatch({ type: 'msg/failed', id });
  }

  /** Resolves true once connected, false after connectWaitMs. */
  private waitConnected(): Promise<boolean> {
    if (this.socket?.connected) return Promise.resolve(true);
    if (this.disposed || !this.socket) return Promise.resolve(false);
    return new Promise((resolve) => {
      let timer: unknown = null;
      const done = () => {
        this.waiters.delete(done);
        if (timer !== null) this.clearTimer(timer);
        resolve(!!this.socket?.connected);
      };
      this.waiters.add(done);
      timer = this.setTimer(done, this.connectWaitMs);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(resolve, Math.min(Math.max(ms, 100), 10_000)));
  }

  /** Emits with an ack timeout; validates the ack. */
  private request<E extends ClientEvent>(event: E, ...payload: PayloadOf<E>): Promise<Reply<E>> {
    const socket = this.socket;
    if (!socket?.connected) return Promise.resolve({ kind: 'timeout' });
    return new Promise((resolve) => {
      socket.timeout(this.ackMs).emit(event, ...payload, (err: unknown, res: unknown) => {
        if (err) return resolve({ kind: 'timeout' });
        const r = check(ackSchemas[event], res);
        if (!r.ok) {
          this.warn(`hallway: dropped an invalid "${event}" ack (${r.issue})`);
          return resolve({ kind: 'timeout' });
        }
        const v = r.value as ParsedAck<E>;
        if (v.ok) resolve({ kind: 'ok', value: v as Extract<ParsedAck<E>, { ok: true }> });
        else resolve({ kind: 'error', error: (v as AckError).error });
      });
    });
  }

  /** Emits without waiting (receipts, typing); socket.io buffers it while disconnected. */
  private fire<E extends ClientEvent>(event: E, ...payload: PayloadOf<E>): void {
    this.socket?.emit(event, ...payload, (res: unknown) => {
      const r = check(ackSchemas[event], res);
      if (!r.ok) this.warn(`hallway: dropped an invalid "${event}" ack (${r.issue})`);
    });
  }
}

function matchError(code: string): string {
  switch (code) {
    case 'queue_full':
      return 'Too many people are waiting right now. Please try again in a moment.';
    case 'invalid_payload':
      return 'Your interests or language were not accepted. Please check them.';
    default:
      return 'Searching failed. Please try again.';
  }
}
