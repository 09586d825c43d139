// The uploads of one page: each file picked, dropped, pasted or recorded becomes an item of the
// chat (file/add), is uploaded with its progress shown (file/progress), and once the server has
// it (file/uploaded) its chat message is sent by the chat client — with the item's id, so that a
// message retried after a lost ack is the same message. Several run at once. No React.
import type { Action } from '../chat/reducer';
import { MAX_FILE_BYTES } from '../config';
import { DEAD_TOKEN_CODES } from '../guest';
import { guessKind } from './format';
import { precheck, startUpload, uploadErrorMessage, type Upload, type UploadResult, type XhrLike } from './upload';

export interface FileUploadsDeps {
  dispatch: (a: Action) => void;
  /** The guest's bearer token (null: none yet). */
  token: () => string | null;
  /** Makes a fresh token after the server refused one. */
  refreshToken: () => Promise<void>;
  /** Sends chat:message {id, type, fileId} (the chat client's ack and retry logic). */
  sendFile: (id: string, type: 'file' | 'voice', fileId: string) => void;
  /** Origin of the hallway server, '' for the page's own. */
  origin: string;
  newId: () => string;
  now: () => number;
  xhr?: () => XhrLike;
  maxBytes?: number;
}

export interface AddOptions {
  /** A voice note of this many seconds. */
  voiceDuration?: number;
  /** The name to send (a pasted image or a recording has none of its own). */
  name?: string;
}

interface Entry {
  file: Blob;
  name: string;
  voiceDuration?: number;
  running: Upload | null;
  /** Bumped by every start and cancel: a late result of an older run is ignored. */
  run: number;
  tokenRefreshed: boolean;
}

/** A name for a file that has none (a pasted image): "pasted-image.png". */
function nameOf(file: Blob, given?: string): string {
  const own = given ?? (file as Partial<File>).name;
  if (own && own.trim()) return own;
  const sub = (file.type.split('/')[1] ?? '').split(/[;+]/)[0]?.replace(/[^a-z0-9]/gi, '') || 'bin';
  return file.type.startsWith('image/') ? `pasted-image.${sub}` : `file.${sub}`;
}

export class FileUploads {
  private entries = new Map<string, Entry>();
  private readonly maxBytes: number;

  constructor(private readonly deps: FileUploadsDeps) {
    this.maxBytes = deps.maxBytes ?? MAX_FILE_BYTES;
  }

  /** Starts sending `file`; returns the id of its chat item. A file that surely cannot be sent
   *  (empty, over the limit) is shown as failed at once, without a request. */
  add(file: Blob, opts: AddOptions = {}): string {
    const id = this.deps.newId();
    const name = nameOf(file, opts.name);
    const voice = opts.voiceDuration !== undefined;
    const add: Extract<Action, { type: 'file/add' }> = {
      type: 'file/add',
      at: this.deps.now(),
      id,
      name,
      size: file.size,
      mime: file.type || 'application/octet-stream',
      kind: guessKind(file.type, voice),
    };
    if (voice) add.duration = opts.voiceDuration;
    this.deps.dispatch(add);
    const refused = precheck(file, this.maxBytes);
    if (refused) {
      this.deps.dispatch({ type: 'file/failed', id, error: refused.message, retryable: false });
      return id;
    }
    const entry: Entry = { file, name, running: null, run: 0, tokenRefreshed: false };
    if (voice) entry.voiceDuration = opts.voiceDuration;
    this.entries.set(id, entry);
    this.begin(id, entry);
    return id;
  }

  /** Cancels an upload under way and removes its item. */
  cancel(id: string): void {
    this.remove(id);
  }

  /** Uploads a failed file again. */
  retry(id: string): void {
    const e = this.entries.get(id);
    if (!e || e.running) return;
    this.deps.dispatch({ type: 'file/retry', id });
    e.tokenRefreshed = false;
    this.begin(id, e);
  }

  /** Forgets a file (cancelling its upload if running) and removes its item. */
  remove(id: string): void {
    this.drop(id);
    this.deps.dispatch({ type: 'file/remove', id });
  }

  /** The chat ended or was left: every upload stops and every file is forgotten (the items are
   *  the reducer's business: it marks them as ended). */
  cancelAll(): void {
    for (const id of [...this.entries.keys()]) this.drop(id);
  }

  /** Uploads under way or failed (kept for a retry). */
  get size(): number {
    return this.entries.size;
  }

  private drop(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    e.run++;
    e.running?.abort();
    e.running = null;
  }

  private begin(id: string, e: Entry): void {
    const token = this.deps.token();
    const run = ++e.run;
    if (!token) {
      this.deps.dispatch({ type: 'file/failed', id, error: uploadErrorMessage('token_invalid'), retryable: true });
      return;
    }
    let shown = -1;
    const upload = startUpload({
      origin: this.deps.origin,
      token,
      file: e.file,
      name: e.name,
      voiceDuration: e.voiceDuration,
      xhr: this.deps.xhr,
      onProgress: (loaded, total) => {
        // One action per percent, not per progress event.
        const pct = total > 0 ? Math.floor((loaded / total) * 100) : 0;
        if (pct === shown || e.run !== run) return;
        shown = pct;
        this.deps.dispatch({ type: 'file/progress', id, loaded, total });
      },
    });
    e.running = upload;
    void upload.done.then((r) => this.settle(id, e, run, r));
  }

  private settle(id: string, e: Entry, run: number, r: UploadResult): void {
    if (e.run !== run || this.entries.get(id) !== e) return; // cancelled or superseded
    e.running = null;
    if (r.ok) {
      this.entries.delete(id);
      const { fileId, expiresAt: _expiresAt, ...info } = r.file;
      this.deps.dispatch({ type: 'file/uploaded', id, file: { ...info, url: this.deps.origin + info.url } });
      this.deps.sendFile(id, e.voiceDuration !== undefined ? 'voice' : 'file', fileId);
      return;
    }
    const err = r.error;
    if (err.code === 'aborted') return;
    if ((err.status === 401 || DEAD_TOKEN_CODES.has(err.code)) && !e.tokenRefreshed) {
      e.tokenRefreshed = true;
      void this.deps.refreshToken().then(
        () => this.entries.get(id) === e && e.run === run && this.begin(id, e),
        () => this.fail(id, e, run, err.message, true),
      );
      return;
    }
    this.fail(id, e, run, err.message, err.retryable);
  }

  private fail(id: string, e: Entry, run: number, message: string, retryable: boolean): void {
    if (e.run !== run || this.entries.get(id) !== e) return;
    this.deps.dispatch({ type: 'file/failed', id, error: message, retryable });
    // A file that cannot succeed is not kept in memory (Remove only dismisses its item).
    if (!retryable) this.entries.delete(id);
  }
}
