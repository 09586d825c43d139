// The three sources of the realtime event names, each read without compiling anything:
//  - docs/protocol.md: its event tables, "event (client → server)" and "event (server → client)"
//    (§3 for the chat, §5 for calls; the tables of one direction are read together; every
//    `backticked` name in a row's first cell: "`chat:typing:start` / `chat:typing:stop`" names two, "`chat:leave` (aliases
//    `chat:clear`, …)" names the event and its aliases);
//  - the server: `hallway --list-events` → {"client":[...],"server":[...]};
//  - the web client: CLIENT_EVENTS / SERVER_EVENTS in web/src/lib/protocol/events.ts (an array
//    of strings, or an object whose keys — or, with identifier keys, whose string values — are
//    the names), parsed from the TypeScript source (node 20 cannot strip types).

import fs from 'node:fs';

/** {client: string[], server: string[]} from the markdown. */
export function eventsFromProtocolDoc(markdown) {
  const out = {};
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const header = /^\|\s*event \((client|server) → (client|server)\)\s*\|/.exec(lines[i]);
    if (!header) continue;
    const side = header[1];
    out[side] ??= [];
    const names = out[side];
    // Skip the header and the |---| line; the table ends at the first line not starting with |.
    for (let j = i + 2; j < lines.length && lines[j].startsWith('|'); j += 1) {
      const firstCell = lines[j].split('|')[1] ?? '';
      const found = [...firstCell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      if (found.length === 0) throw new Error(`no event name in the row: ${lines[j]}`);
      names.push(...found);
    }
  }
  for (const side of ['client', 'server']) {
    if (!out[side]) throw new Error(`no "event (${side} → …)" table in docs/protocol.md`);
  }
  return out;
}

/** {client, server} printed by `hallway --list-events` (stdout). */
export function eventsFromServerOutput(stdout) {
  let parsed;
  try {
    parsed = JSON.parse(stdout);
  } catch (e) {
    throw new Error(`hallway --list-events did not print JSON (${e.message}): ${stdout.slice(0, 300)}`);
  }
  for (const side of ['client', 'server']) {
    if (!Array.isArray(parsed?.[side]) || !parsed[side].every((n) => typeof n === 'string')) {
      throw new Error(`hallway --list-events: "${side}" is not an array of strings: ${stdout.slice(0, 300)}`);
    }
  }
  return { client: parsed.client, server: parsed.server };
}

// --- a small scanner over TypeScript source: strings, comments, brackets -----------------------

function tokenize(src, start) {
  // Tokens from `start` (an opening bracket) to its matching close: {t:'open'|'close'|'str'|
  // 'punct'|'word', v, depth}. Comments are skipped; template literals without ${} are strings.
  const tokens = [];
  let depth = 0;
  let i = start;
  while (i < src.length) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '/') { i = src.indexOf('\n', i); if (i < 0) break; continue; }
    if (c === '/' && src[i + 1] === '*') { const e = src.indexOf('*/', i + 2); if (e < 0) break; i = e + 2; continue; }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      let v = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') { v += src[j + 1]; j += 2; continue; }
        if (c === '`' && src[j] === '$' && src[j + 1] === '{') throw new Error('template literal with ${} in an event map');
        v += src[j]; j += 1;
      }
      tokens.push({ t: 'str', v, depth });
      i = j + 1;
      continue;
    }
    if ('[{('.includes(c)) { depth += 1; tokens.push({ t: 'open', v: c, depth }); i += 1; continue; }
    if (']})'.includes(c)) {
      tokens.push({ t: 'close', v: c, depth });
      depth -= 1; i += 1;
      if (depth === 0) return tokens;
      continue;
    }
    if (/\s/.test(c)) { i += 1; continue; }
    if (/[A-Za-z0-9_$]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_$.]/.test(src[j])) j += 1;
      tokens.push({ t: 'word', v: src.slice(i, j), depth });
      i = j;
      continue;
    }
    tokens.push({ t: 'punct', v: c, depth });
    i += 1;
  }
  throw new Error('unbalanced brackets');
}

/**
 * The names in `[export] const NAME = [...]` or `= {...}` of a TypeScript source; `=
 * Object.keys(OTHER)` (optionally cast) reads the keys of `const OTHER = {...}`.
 */
export function namesFromTsConst(src, name) {
  const m = new RegExp(`(?:^|\\n)\\s*(?:export\\s+)?const\\s+${name}\\b[^=]*=\\s*`).exec(src);
  if (!m) throw new Error(`no "const ${name} = ..." in the client's events module`);
  let start = m.index + m[0].length;
  const keysOf = /^Object\.keys\(\s*([A-Za-z_$][\w$]*)\s*\)/.exec(src.slice(start));
  if (keysOf) {
    const inner = namesFromTsConst(src, keysOf[1]);
    return inner;
  }
  // Allow a wrapping call such as Object.freeze( … ).
  const wrap = /^(?:Object\.freeze\(\s*)?/.exec(src.slice(start));
  start += wrap[0].length;
  if (src[start] !== '[' && src[start] !== '{') {
    throw new Error(`${name} is not an array or object literal: ${src.slice(m.index, m.index + 160).trim()}`);
  }
  const tokens = tokenize(src, start);
  const kind = tokens[0].v;
  const names = [];
  if (kind === '[') {
    // Strings at depth 1 that are whole elements (followed by , or ] or `as const`).
    for (let k = 1; k < tokens.length; k += 1) {
      const tk = tokens[k];
      if (tk.t === 'str' && tk.depth === 1) {
        const next = tokens[k + 1];
        if (next && ((next.t === 'punct' && next.v === ',') || next.t === 'close')) names.push(tk.v);
      }
    }
  } else {
    // Entries at depth 1: a string key, or an identifier key whose value is a plain string.
    for (let k = 1; k < tokens.length; k += 1) {
      const tk = tokens[k];
      if (tk.depth !== 1) continue;
      const next = tokens[k + 1];
      const prev = tokens[k - 1];
      const atEntryStart = prev.t === 'open' || (prev.t === 'punct' && prev.v === ',');
      if (!atEntryStart || !next || next.t !== 'punct' || next.v !== ':') continue;
      if (tk.t === 'str') {
        names.push(tk.v);
      } else if (tk.t === 'word') {
        const value = tokens[k + 2];
        const after = tokens[k + 3];
        if (value?.t === 'str' && (after?.t === 'close' || (after?.t === 'punct' && after.v === ','))) {
          names.push(value.v);
        }
      }
    }
  }
  if (names.length === 0) throw new Error(`found no event name in ${name}`);
  return names;
}

/** {client, server} from the client's events module (CLIENT_EVENTS, SERVER_EVENTS). */
export function eventsFromClientSource(file) {
  const src = fs.readFileSync(file, 'utf8');
  return { client: namesFromTsConst(src, 'CLIENT_EVENTS'), server: namesFromTsConst(src, 'SERVER_EVENTS') };
}

/** Names in one list but not in another, and duplicates within each list. */
export function compareSets(sources) {
  const report = [];
  const entries = Object.entries(sources);
  for (const [name, list] of entries) {
    const dups = list.filter((n, i) => list.indexOf(n) !== i);
    if (dups.length) report.push(`${name} lists twice: ${[...new Set(dups)].join(', ')}`);
  }
  const all = new Set(entries.flatMap(([, list]) => list));
  for (const ev of [...all].sort()) {
    const missing = entries.filter(([, list]) => !list.includes(ev)).map(([n]) => n);
    if (missing.length) {
      const has = entries.filter(([, list]) => list.includes(ev)).map(([n]) => n);
      report.push(`"${ev}": in ${has.join(', ')}; missing from ${missing.join(', ')}`);
    }
  }
  return report;
}
