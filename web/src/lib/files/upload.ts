// One upload to POST /api/files (docs/protocol.md): the raw bytes as the body, the name and the
// voice-note duration in headers. XMLHttpRequest, not fetch: fetch cannot report the progress of
// a request body. No React; the XHR is injected so that tests run it against a real local server.
import { MAX_FILE_BYTES } from '../config';
import type { UploadedFile } from '../protocol/events';
import { check, restErrorSchema, uploadedFileSchema } from '../protocol/schemas';
import { formatSize } from './format';

/** The part of XMLHttpRequest an upload uses. */
export interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: Blob): void;
  abort(): void;
  getResponseHeader(name: string): string | null;
  readonly status: number;
  readonly responseText: string;
  readonly upload: {
    onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null;
  };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  ontimeout: (() => void) | null;
}

export interface UploadOptions {
  /** Origin of the hallway server, '' for the page's own. */
  origin: string;
  /** The guest's bearer token. */
  token: string;
  file: Blob;
  /** The name shown to the partner (sent percent-encoded; the server sanitises it). */
  name: string;
  /** Seconds: makes the upload a voice note (X-Voice-Duration). */
  voiceDuration?: number;
  onProgress?: (loaded: number, total: number) => void;
  xhr?: () => XhrLike;
}

/** Why an upload did not produce a file: `code` is the server's (or network, aborted, empty,
 *  bad_response); `message` is for people. */
export interface UploadError {
  code: string;
  status: number;
  message: string;
  /** Worth trying again as it is (not for a file that is too large or of a refused type). */
  retryable: boolean;
  retryAfterMs?: number;
}
export type UploadResult = { ok: true; file: UploadedFile } | { ok: false; error: UploadError };
export interface Upload {
  done: Promise<UploadResult>;
  /** Cancels the upload; `done` resolves with code "aborted". */
  abort(): void;
}

const FINAL = new Set([
  'file_too_large',
  'body_too_large',
  'file_type_not_allowed',
  'not_in_chat',
  'empty',
  'invalid_payload',
  'aborted',
]);

/** The code a status means when the body names none (a proxy's page, an early close). */
function codeOfStatus(status: number): string {
  switch (status) {
    case 413:
      return 'file_too_large';
    case 415:
      return 'file_type_not_allowed';
    case 409:
      return 'not_in_chat';
    case 429:
      return 'rate_limited';
    case 507:
      return 'insufficient_storage';
    default:
      return `http_${status}`;
  }
}

function wait(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  return s < 90 ? `${s} s` : `${Math.ceil(s / 60)} min`;
}

/** The type the server detected, from its 415 message ("… application/x-executable …"). */
export function detectedType(serverMessage: string): string | null {
  const m = /\b([a-z]+\/[a-z0-9][a-z0-9.+-]*)/i.exec(serverMessage);
  return m ? m[1]!.toLowerCase() : null;
}

/** A message for people for an upload error code. */
export function uploadErrorMessage(
  code: string,
  { serverMessage = '', retryAfterMs, status = 0, limit = MAX_FILE_BYTES }: {
    serverMessage?: string;
    retryAfterMs?: number;
    status?: number;
    limit?: number;
  } = {},
): string {
  switch (code) {
    case 'file_too_large':
    case 'body_too_large':
      return `Too large — the limit is ${formatSize(limit)}`;
    case 'file_type_not_allowed': {
      const t = detectedType(serverMessage);
      return t ? `This type of file can't be shared (${t})` : "This type of file can't be shared";
    }
    case 'not_in_chat':
      return 'The chat has ended';
    case 'rate_limited':
      return retryAfterMs
        ? `Too many files — try again in ${wait(retryAfterMs)}`
        : 'Too many files — try again in a moment';
    case 'insufficient_storage':
      return 'The server has no room for files right now — try again later';
    case 'server_busy':
      return 'The server is busy — try again in a moment';
    case 'network':
      return 'The upload failed — check your connection and retry';
    case 'empty':
      return 'This file is empty';
    case 'invalid_payload':
      return 'This file could not be sent';
    case 'token_expired':
    case 'token_invalid':
    case 'session_not_found':
      return 'Your session expired — please retry';
    case 'aborted':
      return 'Cancelled';
    default:
      return status >= 500 ? 'Something went wrong on the server — please retry' : 'The upload failed — please retry';
  }
}

function failure(code: string, status: number, extra: { serverMessage?: string; retryAfterMs?: number } = {}): UploadResult {
  const error: UploadError = {
    code,
    status,
    message: uploadErrorMessage(code, { ...extra, status }),
    retryable: !FINAL.has(code),
  };
  if (extra.retryAfterMs !== undefined) error.retryAfterMs = extra.retryAfterMs;
  return { ok: false, error };
}

/** Checks that need no server: an empty file, a file over the limit. Null when it may be sent. */
export function precheck(file: Blob, limit = MAX_FILE_BYTES): UploadError | null {
  if (file.size === 0) return { code: 'empty', status: 0, message: uploadErrorMessage('empty'), retryable: false };
  if (file.size > limit) {
    return { code: 'file_too_large', status: 0, message: uploadErrorMessage('file_too_large', { limit }), retryable: false };
  }
  return null;
}

function parse(xhr: XhrLike): UploadResult {
  const status = xhr.status;
  let json: unknown = null;
  try {
    json = JSON.parse(xhr.responseText);
  } catch {
    json = null;
  }
  if (status === 201 || status === 200) {
    const r = check(uploadedFileSchema, json);
    return r.ok ? { ok: true, file: r.value } : failure('bad_response', status);
  }
  const e = check(restErrorSchema, json);
  const header = Number(xhr.getResponseHeader('retry-after'));
  const fromHeader = Number.isFinite(header) && header > 0 ? header * 1000 : undefined;
  if (!e.ok) return failure(codeOfStatus(status), status, { retryAfterMs: fromHeader });
  const { code, message, retryAfterMs } = e.value.error;
  return failure(code, status, { serverMessage: message, retryAfterMs: retryAfterMs ?? fromHeader });
}

/** Starts uploading `file`. */
export function startUpload(o: UploadOptions): Upload {
  const xhr = (o.xhr ?? (() => new XMLHttpRequest() as unknown as XhrLike))();
  let settled = false;
  let resolve!: (r: UploadResult) => void;
  const done = new Promise<UploadResult>((r) => (resolve = r));
  const finish = (r: UploadResult) => {
    if (settled) return;
    settled = true;
    resolve(r);
  };
  xhr.upload.onprogress = (e) => {
    if (!settled) o.onProgress?.(e.loaded, e.lengthComputable ? e.total : o.file.size);
  };
  xhr.onload = () => finish(parse(xhr));
  xhr.onerror = () => finish(failure('network', 0));
  xhr.ontimeout = () => finish(failure('network', 0));
  xhr.onabort = () => finish(failure('aborted', 0));
  try {
    xhr.open('POST', `${o.origin}/api/files`);
    xhr.setRequestHeader('Authorization', `Bearer ${o.token}`);
    xhr.setRequestHeader('Content-Type', o.file.type || 'application/octet-stream');
    xhr.setRequestHeader('X-File-Name', encodeURIComponent(o.name));
    if (o.voiceDuration !== undefined) xhr.setRequestHeader('X-Voice-Duration', String(o.voiceDuration));
    xhr.send(o.file);
  } catch {
    finish(failure('network', 0));
  }
  return {
    done,
    abort: () => {
      if (settled) return;
      xhr.abort();
      finish(failure('aborted', 0)); // some engines fire no abort event once the body is sent
    },
  };
}
