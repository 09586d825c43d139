// Tests only (never imported by the app): the part of XMLHttpRequest an upload uses, over node's
// http client, so that the upload module's tests send real HTTP requests to a real local server.
// The body is written in chunks; each flushed chunk reports upload progress as a browser does.
import http from 'node:http';

import type { XhrLike } from './upload';

type Progress = (e: { loaded: number; total: number; lengthComputable: boolean }) => void;

export class NodeXhr implements XhrLike {
  status = 0;
  responseText = '';
  readonly upload: { onprogress: Progress | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  private method = 'GET';
  private url = '';
  private headers: Record<string, string> = {};
  private responseHeaders: http.IncomingHttpHeaders = {};
  private req: http.ClientRequest | null = null;
  private finished = false;

  constructor(private readonly chunkBytes = 64 * 1024) {}

  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
  }

  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }

  getResponseHeader(name: string): string | null {
    const v = this.responseHeaders[name.toLowerCase()];
    return Array.isArray(v) ? v.join(', ') : (v ?? null);
  }

  send(body: Blob): void {
    void body.arrayBuffer().then((ab) => this.transmit(Buffer.from(ab)));
  }

  abort(): void {
    if (this.finished) return;
    this.finished = true;
    this.req?.destroy();
    this.onabort?.();
  }

  private transmit(buf: Buffer): void {
    if (this.finished) return;
    const u = new URL(this.url);
    const req = http.request({
      host: u.hostname,
      port: u.port,
      path: u.pathname + u.search,
      method: this.method,
      headers: { ...this.headers, 'Content-Length': String(buf.length) },
    });
    this.req = req;
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (this.finished) return;
        this.finished = true;
        this.status = res.statusCode ?? 0;
        this.responseHeaders = res.headers;
        this.responseText = Buffer.concat(chunks).toString('utf8');
        this.onload?.();
      });
    });
    req.on('error', () => {
      if (this.finished) return;
      this.finished = true;
      this.onerror?.();
    });
    let off = 0;
    const next = () => {
      if (this.finished) return;
      if (off >= buf.length) {
        req.end();
        return;
      }
      const chunk = buf.subarray(off, off + this.chunkBytes);
      off += chunk.length;
      req.write(chunk, (err) => {
        if (err || this.finished) return;
        this.upload.onprogress?.({ loaded: off, total: buf.length, lengthComputable: true });
        next();
      });
    };
    next();
  }
}
