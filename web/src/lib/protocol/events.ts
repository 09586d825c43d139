// The realtime contract of docs/protocol.md §3 as TypeScript types. The server's event table
// (`hallway --list-events`) and these maps name the same events; a check in `make test`
// compares the sets.

export type Mode = 'text' | 'video';

export type ErrorCode =
  | 'invalid_payload'
  | 'rate_limited'
  | 'not_in_chat'
  | 'already_in_chat'
  | 'queue_full'
  | 'unknown_event'
  | 'not_connected'
  | (string & {});

export interface AckError {
  ok: false;
  error: { code: ErrorCode; message: string; field?: string; retryAfterMs?: number };
}
export type Ack<T extends object = object> = ({ ok: true } & T) | AckError;

export interface MatchPayload {
  mode: Mode;
  interests?: string[];
  language?: string;
  /** Never fall back to anyone (needs ≥ 1 interest). */
  interestsOnly?: boolean;
}
export type MatchState = 'searching' | 'matched' | 'idle';
/** `fallbackInMs`: ms until this guest would be paired with anyone; null with interestsOnly.
 *  Absent on servers that predate it. */
export type MatchAck = Ack<{ state: MatchState; fallbackInMs?: number | null }>;
export type CancelAck = Ack<{ state: MatchState }>;

export interface TextMessagePayload {
  id: string;
  type?: 'text';
  text: string;
}
/** A file or voice note uploaded before (POST /api/files): the server fills in its metadata from
 *  its own record of `fileId`, never from the client. */
export interface FileMessagePayload {
  id: string;
  type: 'file' | 'voice';
  fileId: string;
}
export type MessagePayload = TextMessagePayload | FileMessagePayload;
export type MessageAck = Ack<{ id: string; timestamp: number }>;

export type ReportReason = 'spam' | 'harassment' | 'sexual' | 'underage' | 'violence' | 'other';
export interface ReportPayload {
  reason: ReportReason;
  note?: string;
}

export interface Stats {
  online: number;
  searching: number;
  chatting: number;
}
export type StatsAck = Ack<Stats>;
export type OkAck = Ack;

type AckFn<T> = (res: T) => void;

export interface ClientToServerEvents {
  'user:match': (payload: MatchPayload, ack: AckFn<MatchAck>) => void;
  'user:match:cancel': (ack: AckFn<CancelAck>) => void;
  'user:next': (payload: MatchPayload, ack: AckFn<MatchAck>) => void;
  'user:report': (payload: ReportPayload, ack: AckFn<OkAck>) => void;
  'chat:message': (payload: MessagePayload, ack: AckFn<MessageAck>) => void;
  'chat:delivered': (payload: { ids: string[] }, ack: AckFn<OkAck>) => void;
  'chat:read': (payload: { upTo: string }, ack: AckFn<OkAck>) => void;
  'chat:typing:start': (ack: AckFn<OkAck>) => void;
  'chat:typing:stop': (ack: AckFn<OkAck>) => void;
  'chat:leave': (ack: AckFn<OkAck>) => void;
  /** Aliases of chat:leave, declared because the server accepts them; the app uses chat:leave. */
  'chat:clear': (ack: AckFn<OkAck>) => void;
  'leave-room': (ack: AckFn<OkAck>) => void;
  'close-room': (ack: AckFn<OkAck>) => void;
  'stats:get': (ack: AckFn<StatsAck>) => void;
}

export interface ConnectionEstablished {
  userId: string;
  username: string;
}
export interface Partner {
  username: string;
  language: string | null;
}
export interface Matched {
  roomId: string;
  mode: Mode;
  partner: Partner;
  commonInterests: string[];
  polite: boolean;
}
export type FileKind = 'image' | 'video' | 'audio' | 'voice' | 'document' | 'archive';
/** A shared file as the partner receives it. `url` is relative (`/api/files/<id>?k=<capability>`)
 *  and works for the two guests of the chat until the chat ends. */
export interface FileInfo {
  name: string;
  size: number;
  mime: string;
  kind: FileKind;
  url: string;
  /** Seconds, voice notes (and audio the server measured) only. */
  duration?: number;
}
export interface InboundTextMessage {
  id: string;
  type: 'text';
  text: string;
  timestamp: number;
}
export interface InboundFileMessage {
  id: string;
  type: 'file' | 'voice';
  file: FileInfo;
  timestamp: number;
}
export type InboundMessage = InboundTextMessage | InboundFileMessage;

/** The 201 answer of POST /api/files (REST, not a socket event). */
export interface UploadedFile extends FileInfo {
  fileId: string;
  /** Unix ms. */
  expiresAt: number;
}
export type EndedReason = 'partner_left' | 'partner_disconnected';
export type PartnerState = 'reconnecting' | 'back';

// Every non-volatile server event may carry one extra last argument: the recovery offset.
type Offset = string | undefined;

export interface ServerToClientEvents {
  'connection:established': (p: ConnectionEstablished, offset?: Offset) => void;
  'user:matched': (p: Matched, offset?: Offset) => void;
  'chat:message': (p: InboundMessage, offset?: Offset) => void;
  'chat:message:delivered': (p: { ids: string[] }, offset?: Offset) => void;
  'chat:message:read': (p: { upTo: string }, offset?: Offset) => void;
  'chat:typing:start': (p: Record<string, never>) => void;
  'chat:typing:stop': (p: Record<string, never>) => void;
  'chat:ended': (p: { reason: EndedReason }, offset?: Offset) => void;
  'partner:connection': (p: { state: PartnerState }, offset?: Offset) => void;
  'realtime:stats': (p: Stats, offset?: Offset) => void;
}

export type ClientEvent = keyof ClientToServerEvents;
export type ServerEvent = keyof ServerToClientEvents;

// `satisfies Record<…, true>` makes the compiler check that these lists are exactly the maps' keys.
const clientEvents = {
  'user:match': true,
  'user:match:cancel': true,
  'user:next': true,
  'user:report': true,
  'chat:message': true,
  'chat:delivered': true,
  'chat:read': true,
  'chat:typing:start': true,
  'chat:typing:stop': true,
  'chat:leave': true,
  'chat:clear': true,
  'leave-room': true,
  'close-room': true,
  'stats:get': true,
} as const satisfies Record<ClientEvent, true>;

const serverEvents = {
  'connection:established': true,
  'user:matched': true,
  'chat:message': true,
  'chat:message:delivered': true,
  'chat:message:read': true,
  'chat:typing:start': true,
  'chat:typing:stop': true,
  'chat:ended': true,
  'partner:connection': true,
  'realtime:stats': true,
} as const satisfies Record<ServerEvent, true>;

export const CLIENT_EVENTS: readonly ClientEvent[] = Object.keys(clientEvents) as ClientEvent[];
export const SERVER_EVENTS: readonly ServerEvent[] = Object.keys(serverEvents) as ServerEvent[];

/** Arguments of a client event without its ack callback. */
export type PayloadOf<E extends ClientEvent> =
  Parameters<ClientToServerEvents[E]> extends [...infer P, AckFn<infer _R>] ? P : never;
/** The ack a client event is answered with. */
export type AckOf<E extends ClientEvent> =
  Parameters<ClientToServerEvents[E]> extends [...unknown[], AckFn<infer R>] ? R : never;
