// The API's rules for what a visitor types (docs/protocol.md §2), checked before sending.

export const MAX_INTERESTS = 10;
export const MAX_INTEREST_CHARS = 30;
export const MAX_MESSAGE_CHARS = 1000;
export const COUNTER_FROM = 900;
export const MAX_NOTE_CHARS = 500;

const CONTROL = /\p{Cc}/u;

/** Length in code points (what the server counts), not UTF-16 units. */
export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export type InterestCheck = { ok: true; tag: string } | { ok: false; error: string };

/** A tag as the server stores it: trimmed, ASCII lower-cased; or why it is refused. */
export function normalizeInterest(raw: string): InterestCheck {
  const t = raw.trim();
  if (t === '') return { ok: false, error: 'An interest cannot be empty.' };
  if (CONTROL.test(t)) return { ok: false, error: 'An interest cannot contain tabs or line breaks.' };
  if (codePoints(t) > MAX_INTEREST_CHARS) {
    return { ok: false, error: `An interest has at most ${MAX_INTEREST_CHARS} characters.` };
  }
  return { ok: true, tag: t.replace(/[A-Z]/g, (c) => c.toLowerCase()) };
}

export type AddResult = { tags: string[]; error: string | null };

/** Adds raw tags (already split) to `tags`, deduplicated, at most MAX_INTERESTS. */
export function addInterests(tags: readonly string[], raws: readonly string[]): AddResult {
  const out = [...tags];
  let error: string | null = null;
  for (const raw of raws) {
    if (raw.trim() === '') continue;
    const r = normalizeInterest(raw);
    if (!r.ok) {
      error = r.error;
      continue;
    }
    if (out.includes(r.tag)) continue;
    if (out.length >= MAX_INTERESTS) {
      error = `At most ${MAX_INTERESTS} interests.`;
      break;
    }
    out.push(r.tag);
  }
  return { tags: out, error };
}

const NICKNAME = /^[A-Za-z0-9_]{3,20}$/;

/** null when fine (empty is fine: the server makes one up), else the message to show. */
export function nicknameError(nick: string): string | null {
  if (nick === '' || NICKNAME.test(nick)) return null;
  return 'A nickname has 3–20 letters, digits or underscores.';
}

/** What the composer allows: 1–1000 code points after trimming. */
export function messageState(text: string): { count: number; sendable: boolean; over: boolean } {
  const count = codePoints(text);
  const trimmed = codePoints(text.trim());
  return { count, sendable: trimmed > 0 && trimmed <= MAX_MESSAGE_CHARS, over: trimmed > MAX_MESSAGE_CHARS };
}

/** Removes control characters the server refuses (all but newline and tab). */
export function cleanMessage(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
}
