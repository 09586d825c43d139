// GET /api/ice-servers: the STUN/TURN servers (TURN with time-limited credentials) and the
// transport policy a call's RTCPeerConnection must use. The answer is kept until shortly before
// its credentials expire; a dead token is refreshed once.
import type { IceServersInfo, Mode } from '../protocol/events';
import { check, iceServersSchema, restErrorSchema } from '../protocol/schemas';

export interface IceDeps {
  fetch: typeof fetch;
  /** Origin of the hallway server, '' for the page's own. */
  origin: string;
  token: () => string | null;
  refreshToken: () => Promise<void>;
  now: () => number;
}

export class IceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IceError';
  }
}

export const ICE_TEXT = {
  failed: "The call could not be set up (the server's call settings did not load). Please try again.",
} as const;

/** Reuse an answer for this share of its ttl (TURN credentials must not expire mid-setup). */
const REUSE_SHARE = 0.5;

export class IceServers {
  private cached = new Map<Mode, { info: IceServersInfo; until: number }>();

  constructor(private readonly deps: IceDeps) {}

  /** The configuration for a call in a chat of `mode` (the server picks that mode's privacy). */
  async get(mode: Mode): Promise<IceServersInfo> {
    const hit = this.cached.get(mode);
    if (hit && hit.until > this.deps.now()) return hit.info;
    const info = await this.load(mode, true);
    this.cached.set(mode, { info, until: this.deps.now() + info.ttl * 1000 * REUSE_SHARE });
    return info;
  }

  /** Forgets the answers (a new guest has other credentials). */
  clear(): void {
    this.cached.clear();
  }

  private async load(mode: Mode, mayRefresh: boolean): Promise<IceServersInfo> {
    const token = this.deps.token();
    if (!token) throw new IceError(ICE_TEXT.failed);
    let res: Response;
    try {
      res = await this.deps.fetch(`${this.deps.origin}/api/ice-servers?mode=${mode}`, {
        headers: { Authorization: `Bearer ${token}` },
        cache: 'no-store',
      });
    } catch {
      throw new IceError(ICE_TEXT.failed);
    }
    const body: unknown = await res.json().catch(() => null);
    if (res.ok) {
      const r = check(iceServersSchema, body);
      if (!r.ok) throw new IceError(ICE_TEXT.failed);
      return r.value;
    }
    if (res.status === 401 && mayRefresh) {
      const err = check(restErrorSchema, body);
      if (err.ok || body === null) {
        await this.deps.refreshToken().catch(() => undefined);
        return this.load(mode, false);
      }
    }
    throw new IceError(ICE_TEXT.failed);
  }
}

/** The RTCConfiguration of a call. */
export function rtcConfiguration(info: IceServersInfo): RTCConfiguration {
  return {
    iceServers: info.iceServers.map((s) => ({ ...s })),
    iceTransportPolicy: info.iceTransportPolicy,
    bundlePolicy: 'max-bundle',
  };
}
