// zod schemas for every inbound payload: server events and acks. The socket module drops (and
// warns about) anything that does not match.
import * as z from 'zod/mini';

import type { ServerEvent } from './events';

// No `new Function` probe or JIT: the server's CSP forbids eval and reports even a caught try.
// Must run before any schema below is created.
z.config({ jitless: true });

const id = z.string().check(z.minLength(1), z.maxLength(64));
const count = z.number().check(z.int(), z.nonnegative());
const timestamp = z.number().check(z.nonnegative());

export const errorSchema = z.object({
  code: z.string(),
  message: z.string(),
  field: z.optional(z.string()),
  retryAfterMs: z.optional(z.number()),
});
const ackError = z.object({ ok: z.literal(false), error: errorSchema });
const ack = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), ...shape }), ackError]);

// Files (docs/protocol.md, POST /api/files and chat:message type 'file' | 'voice').
export const fileKindSchema = z.enum(['image', 'video', 'audio', 'voice', 'document', 'archive']);
/** A same-origin path under /api/files/ only: whatever the payload says, the page never points an
 *  <img>, <video> or download link at another origin or scheme (javascript:, data:, //host). */
export const FILE_URL = /^\/api\/files\/(?!\.\.?(?:\?|$))[A-Za-z0-9._~-]+(\?[A-Za-z0-9._~%=&-]*)?$/;
const fileFields = {
  name: z.string().check(z.minLength(1), z.maxLength(1024)),
  size: count,
  mime: z.string().check(z.minLength(1), z.maxLength(255)),
  kind: fileKindSchema,
  url: z.string().check(z.regex(FILE_URL)),
  duration: z.optional(z.number().check(z.nonnegative(), z.lte(86_400))),
};
export const fileInfoSchema = z.object(fileFields);
/** The 201 body of POST /api/files. */
export const uploadedFileSchema = z.object({ ...fileFields, fileId: id, expiresAt: timestamp });

export const statsSchema = z.object({ online: count, searching: count, chatting: count });
const matchState = z.enum(['searching', 'matched', 'idle']);

export const ackSchemas = {
  'user:match': ack({
    state: matchState,
    fallbackInMs: z.optional(z.nullable(z.number().check(z.nonnegative()))),
  }),
  'user:next': ack({
    state: matchState,
    fallbackInMs: z.optional(z.nullable(z.number().check(z.nonnegative()))),
  }),
  'user:match:cancel': ack({ state: matchState }),
  'user:report': ack({}),
  'chat:message': ack({ id, timestamp }),
  'chat:delivered': ack({}),
  'chat:read': ack({}),
  'chat:typing:start': ack({}),
  'chat:typing:stop': ack({}),
  'chat:leave': ack({}),
  'chat:clear': ack({}),
  'leave-room': ack({}),
  'close-room': ack({}),
  'stats:get': ack({ online: count, searching: count, chatting: count }),
  'webrtc:offer': ack({}),
  'webrtc:answer': ack({}),
  'webrtc:ice-candidate': ack({}),
  'webrtc:call-end': ack({}),
  'webrtc:call-reject': ack({}),
  'webrtc:video-reveal': ack({}),
} as const;

// Calls. The server caps SDP at 16 KiB and a candidate at 1 KiB by default (configurable): the
// client accepts somewhat more so that a deployment's larger cap does not drop a call here.
export const MAX_SDP_CHARS = 64 * 1024;
export const MAX_CANDIDATE_CHARS = 4 * 1024;
const sdp = z.string().check(z.minLength(1), z.maxLength(MAX_SDP_CHARS));
const from = z.string().check(z.minLength(1), z.maxLength(64));
const callType = z.enum(['audio', 'video']);
// RTCIceCandidateInit: optional fields may come as null (RTCIceCandidate.toJSON() has them so).
export const iceCandidateSchema = z.object({
  candidate: z.string().check(z.maxLength(MAX_CANDIDATE_CHARS)),
  sdpMid: z.optional(z.nullable(z.string().check(z.maxLength(64)))),
  sdpMLineIndex: z.optional(z.nullable(z.number().check(z.int(), z.nonnegative(), z.lte(1024)))),
  usernameFragment: z.optional(z.nullable(z.string().check(z.maxLength(256)))),
});

/** GET /api/ice-servers: only stun:, turn: and turns: URLs (nothing else may configure a peer
 *  connection). */
export const ICE_URL = /^(stun|turns?):[^\s]{1,500}$/;
const iceUrl = z.string().check(z.regex(ICE_URL));
export const iceServersSchema = z.object({
  iceServers: z.array(
    z.object({
      urls: z.union([iceUrl, z.array(iceUrl).check(z.minLength(1), z.maxLength(16))]),
      username: z.optional(z.string().check(z.maxLength(512))),
      credential: z.optional(z.string().check(z.maxLength(512))),
    }),
  ).check(z.maxLength(16)),
  iceTransportPolicy: z.enum(['all', 'relay']),
  ttl: z.number().check(z.nonnegative()),
});

export const serverSchemas = {
  'connection:established': z.object({ userId: z.string(), username: z.string() }),
  'user:matched': z.object({
    roomId: z.string().check(z.minLength(1)),
    mode: z.enum(['text', 'video']),
    partner: z.object({ username: z.string(), language: z.nullable(z.string()) }),
    commonInterests: z.array(z.string()),
    polite: z.boolean(),
  }),
  'chat:message': z.discriminatedUnion('type', [
    z.object({
      id,
      type: z.literal('text'),
      text: z.string().check(z.minLength(1), z.maxLength(4000)),
      timestamp,
    }),
    z.object({ id, type: z.enum(['file', 'voice']), file: fileInfoSchema, timestamp }),
  ]),
  'chat:message:delivered': z.object({ ids: z.array(id).check(z.minLength(1)) }),
  'chat:message:read': z.object({ upTo: id }),
  'chat:typing:start': z.optional(z.object({})),
  'chat:typing:stop': z.optional(z.object({})),
  'chat:ended': z.object({ reason: z.enum(['partner_left', 'partner_disconnected']) }),
  'partner:connection': z.object({ state: z.enum(['reconnecting', 'back']) }),
  'realtime:stats': statsSchema,
  'webrtc:offer': z.object({ from, offer: z.object({ type: z.literal('offer'), sdp }), callType }),
  'webrtc:answer': z.object({ from, answer: z.object({ type: z.literal('answer'), sdp }) }),
  'webrtc:ice-candidate': z.object({ from, candidate: iceCandidateSchema }),
  // Reasons the client does not know yet are still an end: never drop one (a call would hang).
  'webrtc:call-end': z.object({ from: z.optional(from), reason: z.string().check(z.maxLength(64)) }),
  'webrtc:call-reject': z.object({ from }),
  'webrtc:call-timeout': z.optional(z.object({})),
  'webrtc:video-reveal': z.object({ from, reveal: z.boolean() }),
} as const satisfies Record<ServerEvent, z.ZodMiniType>;

export type AckEvent = keyof typeof ackSchemas;
export type ParsedAck<E extends AckEvent> = z.infer<(typeof ackSchemas)[E]>;
export type ParsedServerEvent<E extends ServerEvent> = z.infer<(typeof serverSchemas)[E]>;

/** The CONNECT_ERROR data of a refused connection. */
export const connectErrorData = z.object({ code: z.string(), message: z.optional(z.string()) });

// REST (docs/protocol.md §2).
export const guestUserSchema = z.object({
  id: z.string(),
  username: z.string(),
  language: z.nullable(z.string()),
  interests: z.array(z.string()),
});
export const guestSchema = z.object({
  token: z.string().check(z.minLength(1)),
  expiresAt: z.string(),
  user: guestUserSchema,
});
export const restErrorSchema = z.object({ error: errorSchema });

type Result<T> = { ok: true; value: T } | { ok: false; issue: string };

/** Validates `value`; on failure returns a short description (never the payload: it may be a message). */
export function check<S extends z.ZodMiniType>(schema: S, value: unknown): Result<z.infer<S>> {
  const r = z.safeParse(schema, value);
  if (r.success) return { ok: true, value: r.data };
  const first = r.error.issues[0];
  return { ok: false, issue: first ? `${first.path.join('.') || '(root)'}: ${first.code}` : 'invalid' };
}
