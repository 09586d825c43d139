// The realtime contract of docs/protocol.md §3 as TypeScript types. The server's event table
// (`hallway --list-events`) and these maps name the same events; a check in `make test`
// compares the sets.

export type Mode = 'text' | 'video';

export type ErrorCode =
  | 'invalid_payload'
  | 'no_call'
  | 'busy'
  | 'relay_only'
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

export type CallType = 'audio' | 'video';
/** An SDP offer or answer as RTCSessionDescriptionInit has it; the SDP is opaque to the server
 *  (size-capped, and in relay-privacy mode refused when it carries a host or srflx address). */
export interface SessionDescription<T extends 'offer' | 'answer' = 'offer' | 'answer'> {
  type: T;
  sdp: string;
}
/** RTCIceCandidateInit without its null fields; `candidate: ''` is the end of candidates. */
export interface IceCandidate {
  candidate: string;
  sdpMid?: string;
  sdpMLineIndex?: number;
  usernameFragment?: string;
}
export interface OfferPayload {
  offer: SessionDescription<'offer'>;
  callType: CallType;
}
/** Why a call ended, as the server says it (`from` absent when the server ended it). */
export type CallEndReason = 'hangup' | 'chat_ended' | 'timeout' | (string & {});

/** The answer of GET /api/ice-servers (REST, Bearer): what an RTCPeerConnection is configured
 *  with. TURN entries carry time-limited credentials (valid `ttl` seconds). */
export interface IceServersInfo {
  iceServers: { urls: string | string[]; username?: string; credential?: string }[];
  iceTransportPolicy: 'all' | 'relay';
  ttl: number;
}

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
  // Calls (docs/protocol.md): signaling between the two guests of the chat only.
  'webrtc:offer': (payload: OfferPayload, ack: AckFn<OkAck>) => void;
  'webrtc:answer': (payload: { answer: SessionDescription<'answer'> }, ack: AckFn<OkAck>) => void;
  'webrtc:ice-candidate': (payload: { candidate: IceCandidate }, ack: AckFn<OkAck>) => void;
  'webrtc:call-end': (payload: Record<string, never>, ack: AckFn<OkAck>) => void;
  'webrtc:call-reject': (payload: Record<string, never>, ack: AckFn<OkAck>) => void;
  'webrtc:video-reveal': (payload: { reveal: boolean }, ack: AckFn<OkAck>) => void;
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
  'webrtc:offer': (p: OfferPayload & { from: string }, offset?: Offset) => void;
  'webrtc:answer': (p: { from: string; answer: SessionDescription<'answer'> }, offset?: Offset) => void;
  'webrtc:ice-candidate': (p: { from: string; candidate: IceCandidate }, offset?: Offset) => void;
  'webrtc:call-end': (p: { from?: string; reason: CallEndReason }, offset?: Offset) => void;
  'webrtc:call-reject': (p: { from: string }, offset?: Offset) => void;
  'webrtc:call-timeout': (p: Record<string, never>, offset?: Offset) => void;
  'webrtc:video-reveal': (p: { from: string; reveal: boolean }, offset?: Offset) => void;
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
  'webrtc:offer': true,
  'webrtc:answer': true,
  'webrtc:ice-candidate': true,
  'webrtc:call-end': true,
  'webrtc:call-reject': true,
  'webrtc:video-reveal': true,
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
  'webrtc:offer': true,
  'webrtc:answer': true,
  'webrtc:ice-candidate': true,
  'webrtc:call-end': true,
  'webrtc:call-reject': true,
  'webrtc:call-timeout': true,
  'webrtc:video-reveal': true,
} as const satisfies Record<ServerEvent, true>;

export const CLIENT_EVENTS: readonly ClientEvent[] = Object.keys(clientEvents) as ClientEvent[];
export const SERVER_EVENTS: readonly ServerEvent[] = Object.keys(serverEvents) as ServerEvent[];

/** Arguments of a client event without its ack callback. */
export type PayloadOf<E extends ClientEvent> =
  Parameters<ClientToServerEvents[E]> extends [...infer P, AckFn<infer _R>] ? P : never;
/** The ack a client event is answered with. */
export type AckOf<E extends ClientEvent> =
  Parameters<ClientToServerEvents[E]> extends [...unknown[], AckFn<infer R>] ? R : never;
