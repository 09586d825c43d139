// The chat state as a pure reducer: no I/O, no clocks (times come in the actions).
import type { FileInfo, FileKind, Mode, Partner } from '../protocol/events';

export type Phase = 'landing' | 'searching' | 'chatting' | 'ended';
export type MsgStatus = 'sending' | 'sent' | 'delivered' | 'read' | 'failed';
export type Connection = 'idle' | 'connecting' | 'up' | 'down' | 'replaced';
export type EndReason = 'partner_left' | 'partner_disconnected' | 'you_left' | 'reported';

/** A file of one's own on its way to the server (POST /api/files); gone once uploaded. */
export interface UploadState {
  state: 'uploading' | 'failed';
  loaded: number;
  total: number;
  /** Why it failed, for people. */
  error?: string;
  /** Retry offered (not for a file too large, of a refused type, or after the chat ended). */
  retryable?: boolean;
}
export interface OwnMessage {
  kind: 'me';
  id: string;
  /** '' for a file message. */
  text: string;
  /** Unix ms: the server's timestamp once acked, the local send time before. */
  at: number;
  /** 'sending' while uploading, then as a text message's. */
  status: MsgStatus;
  /** A shared file: before the upload ends its url is '' and the rest is the local guess. */
  file?: FileInfo;
  upload?: UploadState;
  /** The chat ended: the server deleted the file. */
  gone?: boolean;
}
export interface StrangerMessage {
  kind: 'stranger';
  id: string;
  text: string;
  at: number;
  file?: FileInfo;
  gone?: boolean;
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
  /** 'video': matched for a video chat (the call starts at once). */
  mode: Mode;
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
  | { type: 'matched'; at: number; roomId: string; mode?: Mode; partner: Partner; commonInterests: string[] }
  | { type: 'msg/send'; at: number; id: string; text: string }
  | { type: 'msg/sent'; id: string; timestamp: number }
  | { type: 'msg/failed'; id: string }
  | { type: 'msg/retry'; id: string }
  | { type: 'msg/received'; id: string; text: string; timestamp: number }
  | {
      type: 'file/add';
      at: number;
      id: string;
      name: string;
      size: number;
      mime: string;
      kind: FileKind;
      duration?: number;
    }
  | { type: 'file/progress'; id: string; loaded: number; total: number }
  | { type: 'file/failed'; id: string; error: string; retryable: boolean }
  | { type: 'file/retry'; id: string }
  | { type: 'file/remove'; id: string }
  | { type: 'file/uploaded'; id: string; file: FileInfo }
  | { type: 'file/received'; id: string; file: FileInfo; timestamp: number }
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
  chatEndedUpload: 'The chat has ended',
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

type FileAction = Extract<Action, { type: `file/${string}` }>;

function mapUpload(s: State, id: string, fn: (m: OwnMessage & { upload: UploadState }) => OwnMessage): State {
  const items = mapOwn(s.items, (m) => (m.id === id && m.upload ? fn(m as OwnMessage & { upload: UploadState }) : m));
  return items === s.items ? s : { ...s, items };
}

/** The chat ended: its files are deleted on the server; uploads under way are cancelled. */
function filesGone(items: Item[]): Item[] {
  return items.map((it) => {
    if (it.kind === 'notice' || !it.file) return it;
    if (it.kind === 'me' && it.upload) {
      const upload: UploadState = { ...it.upload, state: 'failed', error: TEXT.chatEndedUpload, retryable: false };
      return { ...it, upload, gone: true };
    }
    return { ...it, gone: true };
  });
}

/** Shared files: own uploads (progress, failure, retry, removal, done) and the partner's files. */
function fileReducer(s: State, a: FileAction): State {
  switch (a.type) {
    case 'file/add': {
      if (!inChat(s) || s.items.some((it) => it.id === a.id)) return s;
      const file: FileInfo = { name: a.name, size: a.size, mime: a.mime, kind: a.kind, url: '' };
      if (a.duration !== undefined) file.duration = a.duration;
      const upload: UploadState = { state: 'uploading', loaded: 0, total: a.size };
      const m: OwnMessage = { kind: 'me', id: a.id, text: '', at: a.at, status: 'sending', file, upload };
      return { ...s, items: [...s.items, m] };
    }
    case 'file/progress':
      return mapUpload(s, a.id, (m) =>
        m.upload.state !== 'uploading' || a.loaded < m.upload.loaded
          ? m
          : { ...m, upload: { ...m.upload, loaded: Math.min(a.loaded, a.total), total: a.total } },
      );
    case 'file/failed':
      return mapUpload(s, a.id, (m) => ({
        ...m,
        upload: { ...m.upload, state: 'failed', error: a.error, retryable: a.retryable },
      }));
    case 'file/retry':
      if (!inChat(s)) return s;
      return mapUpload(s, a.id, (m) =>
        m.upload.state === 'failed' && m.upload.retryable
          ? { ...m, upload: { state: 'uploading', loaded: 0, total: m.upload.total } }
          : m,
      );
    case 'file/remove': {
      const items = s.items.filter((it) => !(it.kind === 'me' && it.id === a.id && it.upload));
      return items.length === s.items.length ? s : { ...s, items };
    }
    case 'file/uploaded':
      return mapUpload(s, a.id, (m) => {
        const { upload: _done, ...rest } = m;
        return { ...rest, file: a.file };
      });
    case 'file/received': {
      if (!inChat(s) || s.items.some((it) => it.id === a.id)) return s;
      return {
        ...s,
        items: [...s.items, { kind: 'stranger', id: a.id, text: '', file: a.file, at: a.timestamp }],
        partnerTyping: false,
        unreadUpTo: a.id,
      };
    }
  }
}

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
          mode: a.mode ?? 'text',
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
    case 'file/add':
    case 'file/progress':
    case 'file/failed':
    case 'file/retry':
    case 'file/remove':
    case 'file/uploaded':
    case 'file/received':
      return fileReducer(s, a);

    case 'msg/delivered': {
      const ids = new Set(a.ids);
      const items = mapOwn(s.items, (m) => (ids.has(m.id) ? upgrade(m, 'delivered') : m));
      return items === s.items ? s : { ...s, items };
    }
    case 'msg/read': {
      const upTo = s.items.findIndex((it) => it.kind === 'me' && it.id === a.upTo);
      if (upTo < 0) return s;
      const items = mapOwn(s.items, (m, i) =>
        i <= upTo && m.status !== 'failed' && !m.upload ? upgrade(m, 'read') : m,
      );
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
        items: notice({ ...s, items: filesGone(s.items) }, a.at, text),
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
