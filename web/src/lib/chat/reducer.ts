// The chat state as a pure reducer: no I/O, no clocks (times come in the actions).
import type { Partner } from '../protocol/events';

export type Phase = 'landing' | 'searching' | 'chatting' | 'ended';
export type MsgStatus = 'sending' | 'sent' | 'delivered' | 'read' | 'failed';
export type Connection = 'idle' | 'connecting' | 'up' | 'down' | 'replaced';
export type EndReason = 'partner_left' | 'partner_disconnected' | 'you_left' | 'reported';

export interface OwnMessage {
  kind: 'me';
  id: string;
  text: string;
  /** Unix ms: the server's timestamp once acked, the local send time before. */
  at: number;
  status: MsgStatus;
}
export interface StrangerMessage {
  kind: 'stranger';
  id: string;
  text: string;
  at: number;
}
export interface Notice {
  kind: 'notice';
  id: string;
  text: string;
  at: number;
}
export type Item = OwnMessage | StrangerMessage | Notice;

export interface Search {
  since: number;
  /** Unix ms when the server falls back to anyone; null: never (interests only) or unknown. */
  fallbackAt: number | null;
  interestsOnly: boolean;
}
export interface ChatInfo {
  roomId: string;
  partner: Partner;
  commonInterests: string[];
  startedAt: number;
}
export interface AppError {
  message: string;
  /** What a Retry button does; absent: only dismissable. */
  retry?: 'start' | 'connect';
}

export interface State {
  phase: Phase;
  connection: Connection;
  /** Unix ms since when the connection has been down (for the delayed indicator). */
  downSince: number | null;
  online: number | null;
  search: Search | null;
  chat: ChatInfo | null;
  items: Item[];
  partnerTyping: boolean;
  partnerReconnecting: boolean;
  endReason: EndReason | null;
  autoFind: boolean;
  interestsOnly: boolean;
  /** The newest stranger message not yet reported read (chat:read). */
  unreadUpTo: string | null;
  error: AppError | null;
  /** The last change of screen worth announcing to screen readers (changes within the chat are
   *  announced by the chat status and the message log, which are live regions themselves). */
  announcement: { id: number; text: string } | null;
}

export type Action =
  | { type: 'conn/connecting' }
  | { type: 'conn/up' }
  | { type: 'conn/down'; at: number }
  | { type: 'conn/replaced' }
  | { type: 'stats'; online: number }
  | { type: 'search/start'; at: number; interestsOnly: boolean }
  | { type: 'search/ack'; at: number; fallbackInMs: number | null | undefined }
  | { type: 'search/cancel' }
  | { type: 'interestsOnly'; value: boolean }
  | { type: 'matched'; at: number; roomId: string; partner: Partner; commonInterests: string[] }
  | { type: 'msg/send'; at: number; id: string; text: string }
  | { type: 'msg/sent'; id: string; timestamp: number }
  | { type: 'msg/failed'; id: string }
  | { type: 'msg/retry'; id: string }
  | { type: 'msg/received'; id: string; text: string; timestamp: number }
  | { type: 'msg/delivered'; ids: string[] }
  | { type: 'msg/read'; upTo: string }
  | { type: 'read/sent'; upTo: string }
  | { type: 'typing'; value: boolean }
  | { type: 'partner'; at: number; state: 'reconnecting' | 'back' }
  | { type: 'ended'; at: number; reason: EndReason }
  | { type: 'stop' }
  | { type: 'autoFind'; value: boolean }
  | { type: 'error'; error: AppError }
  | { type: 'error/clear' };

export const initialState: State = {
  phase: 'landing',
  connection: 'idle',
  downSince: null,
  online: null,
  search: null,
  chat: null,
  items: [],
  partnerTyping: false,
  partnerReconnecting: false,
  endReason: null,
  autoFind: false,
  interestsOnly: false,
  unreadUpTo: null,
  error: null,
  announcement: null,
};

export const TEXT = {
  chatting: "You're now chatting with a stranger. Say hi!",
  reconnecting: 'Stranger is reconnecting…',
  back: 'Stranger is back.',
  partnerLeft: 'Stranger has left.',
  youLeft: 'You left the chat.',
  reported: "You reported the stranger. You won't be matched again.",
  searching: 'Looking for someone…',
  commonInterests: (list: string[]) => `You both like: ${list.join(', ')}`,
} as const;

/** What the hidden announcer says: worded apart from the visible texts, which must stay unique. */
export const ANNOUNCE = {
  searching: 'Searching for a stranger.',
  matched: (common: string[]) =>
    common.length ? `A stranger joined. Common interests: ${common.join(', ')}.` : 'A stranger joined. Say hi!',
  youLeft: 'You left the chat.',
} as const;

export function endText(reason: EndReason): string {
  switch (reason) {
    case 'partner_left':
    case 'partner_disconnected':
      return TEXT.partnerLeft;
    case 'you_left':
      return TEXT.youLeft;
    case 'reported':
      return TEXT.reported;
  }
}

/** The lines of the chat status (data-testid="chat-status"). */
export function statusLines(s: State): string[] {
  if (s.phase === 'ended' && s.endReason) return [endText(s.endReason)];
  if (s.phase !== 'chatting' || !s.chat) return [];
  if (s.partnerReconnecting) return [TEXT.reconnecting];
  const lines: string[] = [TEXT.chatting];
  if (s.chat.commonInterests.length > 0) lines.push(TEXT.commonInterests(s.chat.commonInterests));
  return lines;
}

const RANK: Record<MsgStatus, number> = { sending: 0, failed: 0, sent: 1, delivered: 2, read: 3 };

/** Receipts only move a message forward: a late ack never turns "read" back into "sent". */
function upgrade(m: OwnMessage, to: MsgStatus): OwnMessage {
  return RANK[to] > RANK[m.status] ? { ...m, status: to } : m;
}

function mapOwn(items: Item[], fn: (m: OwnMessage, index: number) => OwnMessage): Item[] {
  let changed = false;
  const out = items.map((it, i) => {
    if (it.kind !== 'me') return it;
    const next = fn(it, i);
    if (next !== it) changed = true;
    return next;
  });
  return changed ? out : items;
}

function notice(s: State, at: number, text: string): Item[] {
  return [...s.items, { kind: 'notice', id: `notice-${s.items.length}`, text, at }];
}

function announce(s: State, text: string): State['announcement'] {
  return { id: (s.announcement?.id ?? 0) + 1, text };
}

const inChat = (s: State) => s.phase === 'chatting';

export function reducer(s: State, a: Action): State {
  switch (a.type) {
    case 'conn/connecting':
      return s.connection === 'up' ? s : { ...s, connection: 'connecting' };
    case 'conn/up':
      return { ...s, connection: 'up', downSince: null };
    case 'conn/down':
      if (s.connection === 'down' || s.connection === 'replaced') return s;
      return { ...s, connection: 'down', downSince: a.at };
    case 'conn/replaced':
      return { ...s, connection: 'replaced', downSince: null, partnerTyping: false };

    case 'stats':
      return s.online === a.online ? s : { ...s, online: a.online };

    case 'search/start':
      return {
        ...s,
        phase: 'searching',
        search: { since: a.at, fallbackAt: null, interestsOnly: a.interestsOnly },
        interestsOnly: a.interestsOnly,
        chat: null,
        items: [],
        partnerTyping: false,
        partnerReconnecting: false,
        endReason: null,
        unreadUpTo: null,
        error: null,
        announcement: announce(s, ANNOUNCE.searching),
      };
    case 'search/ack': {
      if (s.phase !== 'searching' || !s.search) return s;
      const fallbackAt =
        typeof a.fallbackInMs === 'number' && !s.search.interestsOnly ? a.at + a.fallbackInMs : null;
      return { ...s, search: { ...s.search, fallbackAt } };
    }
    case 'search/cancel':
      return s.phase === 'searching' ? { ...s, phase: 'landing', search: null } : s;
    case 'interestsOnly':
      return {
        ...s,
        interestsOnly: a.value,
        search: s.search ? { ...s.search, interestsOnly: a.value, fallbackAt: null } : null,
      };

    case 'matched': {
      // The same room again (after a reload or a reconnect): the chat goes on.
      if (s.chat?.roomId === a.roomId && (s.phase === 'chatting' || s.phase === 'ended')) {
        return { ...s, phase: 'chatting', partnerReconnecting: false, endReason: null };
      }
      const base: State = { ...s, items: [] };
      let items = notice(base, a.at, TEXT.chatting);
      if (a.commonInterests.length > 0) {
        items = notice({ ...base, items }, a.at, TEXT.commonInterests(a.commonInterests));
      }
      return {
        ...s,
        phase: 'chatting',
        search: null,
        chat: {
          roomId: a.roomId,
          partner: a.partner,
          commonInterests: a.commonInterests,
          startedAt: a.at,
        },
        items,
        partnerTyping: false,
        partnerReconnecting: false,
        endReason: null,
        unreadUpTo: null,
        error: null,
        announcement: announce(s, ANNOUNCE.matched(a.commonInterests)),
      };
    }

    case 'msg/send':
      if (!inChat(s) || s.items.some((it) => it.id === a.id)) return s;
      return {
        ...s,
        items: [...s.items, { kind: 'me', id: a.id, text: a.text, at: a.at, status: 'sending' }],
      };
    case 'msg/sent': {
      const items = mapOwn(s.items, (m) =>
        m.id === a.id ? { ...upgrade(m, 'sent'), at: a.timestamp } : m,
      );
      return items === s.items ? s : { ...s, items };
    }
    case 'msg/failed': {
      const items = mapOwn(s.items, (m) =>
        m.id === a.id && m.status === 'sending' ? { ...m, status: 'failed' } : m,
      );
      return items === s.items ? s : { ...s, items };
    }
    case 'msg/retry': {
      const items = mapOwn(s.items, (m) =>
        m.id === a.id && m.status === 'failed' ? { ...m, status: 'sending' } : m,
      );
      return items === s.items ? s : { ...s, items };
    }
    case 'msg/received': {
      if (!inChat(s) || s.items.some((it) => it.id === a.id)) return s;
      return {
        ...s,
        items: [...s.items, { kind: 'stranger', id: a.id, text: a.text, at: a.timestamp }],
        partnerTyping: false,
        unreadUpTo: a.id,
      };
    }
    case 'msg/delivered': {
      const ids = new Set(a.ids);
      const items = mapOwn(s.items, (m) => (ids.has(m.id) ? upgrade(m, 'delivered') : m));
      return items === s.items ? s : { ...s, items };
    }
    case 'msg/read': {
      const upTo = s.items.findIndex((it) => it.kind === 'me' && it.id === a.upTo);
      if (upTo < 0) return s;
      const items = mapOwn(s.items, (m, i) => (i <= upTo && m.status !== 'failed' ? upgrade(m, 'read') : m));
      return items === s.items ? s : { ...s, items };
    }
    case 'read/sent':
      return s.unreadUpTo === a.upTo ? { ...s, unreadUpTo: null } : s;

    case 'typing':
      if (!inChat(s) || s.partnerTyping === a.value) return s;
      return { ...s, partnerTyping: a.value };
    case 'partner': {
      if (!inChat(s)) return s;
      const reconnecting = a.state === 'reconnecting';
      if (s.partnerReconnecting === reconnecting) return s;
      const text = reconnecting ? TEXT.reconnecting : TEXT.back;
      return {
        ...s,
        partnerReconnecting: reconnecting,
        partnerTyping: false,
        items: notice(s, a.at, text),
      };
    }
    case 'ended': {
      // A report may follow the end of the chat (the server accepts it for a few minutes).
      const lateReport = s.phase === 'ended' && a.reason === 'reported' && s.endReason !== 'reported';
      if (!inChat(s) && !lateReport) return s;
      const text = endText(a.reason);
      return {
        ...s,
        phase: 'ended',
        endReason: a.reason,
        partnerTyping: false,
        partnerReconnecting: false,
        items: notice(s, a.at, text),
      };
    }
    case 'stop':
      return {
        ...s,
        phase: 'landing',
        search: null,
        chat: null,
        items: [],
        endReason: null,
        partnerTyping: false,
        partnerReconnecting: false,
        unreadUpTo: null,
        announcement: s.phase === 'chatting' ? announce(s, ANNOUNCE.youLeft) : s.announcement,
      };

    case 'autoFind':
      return { ...s, autoFind: a.value };
    case 'error':
      return { ...s, error: a.error }; // shown in a role=alert banner, which announces itself
    case 'error/clear':
      return s.error ? { ...s, error: null } : s;
  }
}
