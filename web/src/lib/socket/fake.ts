// A socket.io-client stand-in for unit tests: records emits, lets the test answer acks and
// fire server events. Ack timeouts use the (fake) global timers like socket.io-client's do.
import type { SocketLike } from './client';

type Fn = (...args: never[]) => void;
export interface Emitted {
  event: string;
  args: unknown[];
  /** Answers the ack (no-op after a timeout). */
  ack?: (res: unknown) => void;
}

export class FakeSocket implements SocketLike {
  connected = false;
  active = false;
  connectCalls = 0;
  disconnectCalls = 0;
  emitted: Emitted[] = [];
  private handlers = new Map<string, Fn[]>();

  constructor(readonly opts: Record<string, unknown>) {}

  on(event: string, fn: Fn): this {
    const list = this.handlers.get(event) ?? [];
    list.push(fn);
    this.handlers.set(event, list);
    return this;
  }

  emit(event: string, ...args: unknown[]): this {
    const last = args.at(-1);
    if (typeof last === 'function') {
      args.pop();
      this.emitted.push({ event, args, ack: last as (res: unknown) => void });
    } else {
      this.emitted.push({ event, args });
    }
    return this;
  }

  timeout(ms: number) {
    return {
      emit: (event: string, ...args: unknown[]) => {
        const cb = args.pop() as (err: unknown, res?: unknown) => void;
        let done = false;
        const timer = setTimeout(() => {
          if (done) return;
          done = true;
          cb(new Error('operation has timed out'));
        }, ms);
        this.emitted.push({
          event,
          args,
          ack: (res) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            cb(null, res);
          },
        });
      },
    };
  }

  connect(): this {
    this.connectCalls++;
    this.active = true;
    return this;
  }

  disconnect(): this {
    this.disconnectCalls++;
    const was = this.connected;
    this.connected = false;
    this.active = false;
    if (was) this.fire('disconnect', 'io client disconnect');
    return this;
  }

  /** The token the socket would send now (auth is a function). */
  authToken(): string {
    let token = '';
    (this.opts.auth as (cb: (d: { token: string }) => void) => void)((d) => {
      token = d.token;
    });
    return token;
  }

  // ---- what the server or the network does ----
  fire(event: string, ...args: unknown[]): void {
    for (const fn of this.handlers.get(event) ?? []) (fn as (...a: unknown[]) => void)(...args);
  }

  serverAccepts(): void {
    this.connected = true;
    this.active = true;
    this.fire('connect');
  }

  drop(reason = 'transport close'): void {
    this.connected = false;
    this.fire('disconnect', reason);
  }

  named(event: string): Emitted[] {
    return this.emitted.filter((e) => e.event === event);
  }

  last(event: string): Emitted | undefined {
    return this.named(event).at(-1);
  }
}
