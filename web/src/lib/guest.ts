// The guest lifecycle over REST (docs/protocol.md §2): create, refresh at ~75 % of the token's
// lifetime, replace when the server no longer knows the token. The guest lives in
// sessionStorage: a reload keeps it (and returns to its chat), two tabs are two guests.
import { check, guestSchema, restErrorSchema } from './protocol/schemas';

export interface GuestUser {
  id: string;
  username: string;
  language: string | null;
  interests: string[];
}
export interface Guest {
  token: string;
  /** Unix ms. */
  expiresAt: number;
  /** Unix ms, when this client received the token (the lifetime is expiresAt − issuedAt). */
  issuedAt: number;
  user: GuestUser;
}
export interface GuestProfile {
  nickname?: string;
  interests: string[];
  language?: string | null;
}

/** Codes that mean "this token is dead: make a new guest". */
export const DEAD_TOKEN_CODES: ReadonlySet<string> = new Set([
  'token_expired',
  'token_invalid',
  'session_not_found',
]);

export class GuestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly retryAfterMs?: number,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'GuestError';
  }
}

export interface GuestDeps {
  fetch: typeof fetch;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  /** Origin of the hallway server, '' for the page's own. */
  origin: string;
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const KEY = 'hallway.guest';
const REFRESH_AT = 0.75;
const RETRY_MS = 30_000;

interface Stored {
  guest: Guest;
  profile: GuestProfile;
}

export class GuestStore {
  private guest: Guest | null = null;
  private profile: GuestProfile = { interests: [] };
  private timer: unknown = null;
  private pending: Promise<Guest> | null = null;
  private listeners = new Set<(g: Guest) => void>();

  constructor(private readonly deps: GuestDeps) {
    this.load();
  }

  /** The stored guest when its token has not expired yet. */
  current(): Guest | null {
    if (this.guest && this.guest.expiresAt > this.deps.now()) return this.guest;
    return null;
  }

  token(): string | null {
    return this.current()?.token ?? null;
  }

  /** Called with every new or refreshed guest. */
  onChange(fn: (g: Guest) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The current guest when it fits `profile` (a nickname is fixed per guest), else a new one. */
  async ensure(profile: GuestProfile): Promise<Guest> {
    const g = this.current();
    const nick = profile.nickname?.trim() ?? '';
    if (g && (nick === '' || nick === g.user.username)) {
      this.profile = { ...profile, nickname: nick || undefined };
      this.save();
      return g;
    }
    return this.create(profile);
  }

  /** A new guest (POST /api/guest). Concurrent calls share one request. */
  create(profile: GuestProfile = this.profile): Promise<Guest> {
    if (this.pending) return this.pending;
    this.profile = profile;
    return this.track(this.request('/api/guest', createBody(profile), null));
  }

  /** Replaces a dead guest with a new one with the same profile. */
  replace(): Promise<Guest> {
    this.forget();
    return this.create(this.profile);
  }

  /** A fresh token for the same guest; when the server no longer knows it, a new guest. */
  refresh(): Promise<Guest> {
    const g = this.guest;
    if (!g) return this.create();
    if (this.pending) return this.pending;
    const run = async (): Promise<Guest> => {
      try {
        return await this.request('/api/guest/refresh', null, g.token);
      } catch (e) {
        if (e instanceof GuestError && DEAD_TOKEN_CODES.has(e.code)) {
          this.forget();
          return this.request('/api/guest', createBody(this.profile), null);
        }
        throw e;
      }
    };
    return this.track(run());
  }

  /** Refreshes now when the token is past 75 % of its lifetime (e.g. after the tab slept). */
  refreshIfDue(): void {
    const g = this.guest;
    if (g && this.deps.now() >= this.dueAt(g)) void this.refresh().catch(() => undefined);
  }

  dispose(): void {
    if (this.timer !== null) this.deps.clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  private track(p: Promise<Guest>): Promise<Guest> {
    this.pending = p;
    const done = () => {
      if (this.pending === p) this.pending = null;
    };
    p.then(done, () => {
      done();
      // Keep the current token (it may still be valid) and try again later.
      this.schedule(RETRY_MS);
    });
    return p;
  }

  private forget(): void {
    this.guest = null;
    try {
      this.deps.storage?.removeItem(KEY);
    } catch {
      // ignore
    }
  }

  private dueAt(g: Guest): number {
    return g.issuedAt + (g.expiresAt - g.issuedAt) * REFRESH_AT;
  }

  private async request(path: string, body: unknown, token: string | null): Promise<Guest> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await this.deps.fetch(this.deps.origin + path, {
        method: 'POST',
        headers,
        body: JSON.stringify(body ?? {}),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new GuestError('network', 'The server cannot be reached.', 0);
    }
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) throw toError(res, json);
    const parsed = check(guestSchema, json);
    if (!parsed.ok) throw new GuestError('bad_response', 'Unexpected answer from the server.', res.status);
    const now = this.deps.now();
    const expiresAt = Date.parse(parsed.value.expiresAt);
    const guest: Guest = {
      token: parsed.value.token,
      user: parsed.value.user,
      issuedAt: now,
      // A clock skewed against the server's must not make a fresh token look expired.
      expiresAt: Number.isFinite(expiresAt) && expiresAt > now ? expiresAt : now + 60 * 60 * 1000,
    };
    this.set(guest);
    return guest;
  }

  private set(g: Guest): void {
    this.guest = g;
    this.save();
    this.schedule();
    for (const fn of this.listeners) fn(g);
  }

  private schedule(retryMs?: number): void {
    if (this.timer !== null) this.deps.clearTimeout(this.timer);
    this.timer = null;
    const g = this.guest;
    if (!g) return;
    const ms = retryMs ?? Math.max(1000, this.dueAt(g) - this.deps.now());
    this.timer = this.deps.setTimeout(() => {
      this.timer = null;
      void this.refresh().catch(() => undefined);
    }, ms);
  }

  private save(): void {
    if (!this.guest) return;
    const s: Stored = { guest: this.guest, profile: this.profile };
    try {
      this.deps.storage?.setItem(KEY, JSON.stringify(s));
    } catch {
      // Storage full or disabled: the guest lives as long as the page.
    }
  }

  private load(): void {
    let raw: string | null = null;
    try {
      raw = this.deps.storage?.getItem(KEY) ?? null;
    } catch {
      return;
    }
    if (!raw) return;
    try {
      const s = JSON.parse(raw) as Partial<Stored>;
      const g = s.guest;
      if (g && typeof g.token === 'string' && typeof g.expiresAt === 'number' && g.user) {
        this.guest = {
          token: g.token,
          expiresAt: g.expiresAt,
          issuedAt: typeof g.issuedAt === 'number' ? g.issuedAt : this.deps.now(),
          user: g.user,
        };
        if (s.profile) this.profile = s.profile;
        this.schedule();
      }
    } catch {
      this.deps.storage?.removeItem(KEY);
    }
  }
}

function createBody(profile: GuestProfile): Record<string, unknown> {
  const body: Record<string, unknown> = { interests: profile.interests };
  if (profile.nickname) body.username = profile.nickname;
  if (profile.language) body.language = profile.language;
  return body;
}

function toError(res: Response, json: unknown): GuestError {
  const parsed = check(restErrorSchema, json);
  const code = parsed.ok ? parsed.value.error.code : `http_${res.status}`;
  const field = parsed.ok ? parsed.value.error.field : undefined;
  const retryHeader = Number(res.headers.get('retry-after'));
  const retryAfterMs = Number.isFinite(retryHeader) && retryHeader > 0 ? retryHeader * 1000 : undefined;
  return new GuestError(code, friendly(code, res.status), res.status, retryAfterMs, field);
}

/** A message for people, not for developers. */
export function friendly(code: string, status: number): string {
  switch (code) {
    case 'rate_limited':
      return 'Too many new sessions from your network right now. Please try again in a moment.';
    case 'too_many_guests':
      return 'Too many open sessions from your network. Close a few tabs and try again.';
    case 'server_busy':
      return 'Hallway is very busy right now. Please try again in a moment.';
    case 'invalid_payload':
      return 'Some of your choices were not accepted. Please check them and try again.';
    case 'network':
      return 'The server cannot be reached. Check your connection and try again.';
    default:
      return status >= 500 ? 'Something went wrong on our side. Please try again.' : 'Something went wrong. Please try again.';
  }
}
