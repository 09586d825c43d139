// Splits message text into plain text and links. Only http(s) URLs and bare `www.` hosts become
// links; the caller renders them as React elements (never HTML), and nothing is fetched.

export type Part = { type: 'text'; text: string } | { type: 'link'; text: string; href: string };

const CANDIDATE = /(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
// A link does not start in the middle of a word, an address or another URL.
const GLUED_BEFORE = /[\p{L}\p{N}_@./:-]/u;
const TRAILING = /[.,;:!?'"*_~]+$/;

/** The http(s) URL for a candidate, or null when it is not one. */
export function safeHref(candidate: string): string | null {
  const raw = /^www\./i.test(candidate) ? `https://${candidate}` : candidate;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname || (!url.hostname.includes('.') && url.hostname !== 'localhost')) return null;
  return url.href;
}

// Trailing punctuation belongs to the sentence; a closing bracket only when it has no partner.
function trim(url: string): string {
  let u = url;
  for (;;) {
    const before = u;
    u = u.replace(TRAILING, '');
    for (const [open, close] of [
      ['(', ')'],
      ['[', ']'],
      ['{', '}'],
    ] as const) {
      if (u.endsWith(close) && count(u, open) < count(u, close)) u = u.slice(0, -1);
    }
    if (u === before) return u;
  }
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}

export function linkify(text: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(CANDIDATE)) {
    const start = m.index;
    const prev = start > 0 ? text[start - 1] : undefined;
    if (prev !== undefined && GLUED_BEFORE.test(prev)) continue;
    const candidate = trim(m[0]);
    const href = safeHref(candidate);
    if (!href) continue;
    if (start > last) parts.push({ type: 'text', text: text.slice(last, start) });
    parts.push({ type: 'link', text: candidate, href });
    last = start + candidate.length;
  }
  if (last < text.length) parts.push({ type: 'text', text: text.slice(last) });
  return parts;
}
