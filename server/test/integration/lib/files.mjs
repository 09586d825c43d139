// Helpers for the file-sharing tests (docs/protocol.md, "Files"): real files (lib/samples.mjs,
// shared with the web E2E suite, and an Ogg Vorbis tone made with sox),
// uploads with fetch (the raw body, as browsers send it) and what is on the server's disk.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { baseUrl } from './chat.mjs';
import { tempDir } from './server.mjs';

// ---- files ---------------------------------------------------------------------------------------

export { makeBigZip, makePdf, makePng, makeWav, makeZip, sha256 } from './samples.mjs';

/** An Ogg Vorbis tone of `seconds`, made by sox (Debian `sox`, installed by bootstrap --test). */
export function makeOgg(seconds = 2) {
  const file = path.join(tempDir('hallway-ogg-'), 'tone.ogg');
  const r = spawnSync('sox', ['-n', '-r', '44100', '-c', '1', file, 'synth', String(seconds), 'sine', '440'],
    { encoding: 'utf8' });
  assert.equal(r.status, 0, `sox failed (is it installed? scripts/bootstrap.sh --test): ${r.error ?? r.stderr}`);
  return fs.readFileSync(file);
}

// ---- the API ----------------------------------------------------------------------------------

/**
 * POST /api/files with `bytes` as the raw body. Resolves {status, headers, json, text}.
 * `name` goes percent-encoded in X-File-Name; `voice` (seconds) adds X-Voice-Duration.
 */
export async function upload(server, token, bytes, { type = 'application/octet-stream', name = 'file',
  voice, headers = {}, rawName } = {}) {
  const h = { 'content-type': type, ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  h['x-file-name'] = rawName ?? encodeURIComponent(name);
  if (voice !== undefined) h['x-voice-duration'] = String(voice);
  const r = await fetch(`${baseUrl(server)}/api/files`, { method: 'POST', headers: h, body: bytes });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, headers: r.headers, text, json };
}

/** upload() that insists on 201: resolves the body. */
export async function uploadOk(server, token, bytes, opts = {}) {
  const r = await upload(server, token, bytes, opts);
  assert.equal(r.status, 201, `upload: HTTP ${r.status} ${r.text}`);
  return r.json;
}

/** GET (or `method`) of a file URL; resolves {status, headers, body (Buffer), json}. */
export async function download(server, url, { headers = {}, method = 'GET' } = {}) {
  const r = await fetch(`${baseUrl(server)}${url}`, { method, headers });
  const body = Buffer.from(await r.arrayBuffer());
  let json;
  try { json = JSON.parse(body.toString('utf8')); } catch { /* bytes */ }
  return { status: r.status, headers: r.headers, body, json };
}

// ---- the disk ---------------------------------------------------------------------------------

/** Names of the files under the server's blob directory (committed and partial). */
export function filesOnDisk(server) {
  const dir = path.join(server.dataDir, 'files');
  const out = [];
  for (const sub of ['', 'tmp']) {
    let names = [];
    try { names = fs.readdirSync(path.join(dir, sub), { withFileTypes: true }); } catch { /* none */ }
    for (const d of names) if (d.isFile()) out.push(path.join(sub, d.name));
  }
  return out;
}
