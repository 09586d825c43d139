// Helpers for the file-sharing tests (docs/protocol.md, "Files"): real files made here (a PNG
// with node:zlib, a PDF, a zip with stored entries, an Ogg Vorbis tone with sox, a WAV by hand),
// uploads with fetch (the raw body, as browsers send it) and what is on the server's disk.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

import { baseUrl } from './chat.mjs';
import { tempDir } from './server.mjs';

// ---- files ------------------------------------------------------------------------------------

function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid RGB PNG of w×h pixels (a gradient; `seed` varies the bytes). */
export function makePng(w = 16, h = 16, seed = 0) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = (x * 16 + seed) & 255;
      raw[o + 1] = (y * 16) & 255;
      raw[o + 2] = (x + y + seed) & 255;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr), pngChunk('IDAT', zlib.deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A minimal valid one-page PDF. */
export function makePdf(text = 'Hallway') {
  const objs = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>'];
  const stream = `BT /F1 12 Tf 20 100 Td (${text}) Tj ET`;
  objs.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
  let out = '%PDF-1.4\n';
  const offsets = [];
  objs.forEach((o, i) => { offsets.push(out.length); out += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A zip archive of `entries` ({name: Buffer}) with stored (uncompressed) members. */
export function makeZip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, data] of Object.entries(entries)) {
    const n = Buffer.from(name, 'utf8');
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    centrals.push(central, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A zip of `bytes` random bytes in total (incompressible: what a big real file looks like). */
export const makeBigZip = (bytes) => makeZip({ 'random.bin': crypto.randomBytes(bytes - 150) });

/** A mono 16-bit PCM WAV of `seconds` of a 440 Hz tone. */
export function makeWav(seconds = 1, rate = 8000) {
  const n = Math.round(seconds * rate);
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + n * 2, 4);
  b.write('WAVEfmt ', 8, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return b;
}

/** An Ogg Vorbis tone of `seconds`, made by sox (Debian `sox`, installed by bootstrap --test). */
export function makeOgg(seconds = 2) {
  const file = path.join(tempDir('hallway-ogg-'), 'tone.ogg');
  const r = spawnSync('sox', ['-n', '-r', '44100', '-c', '1', file, 'synth', String(seconds), 'sine', '440'],
    { encoding: 'utf8' });
  assert.equal(r.status, 0, `sox failed (is it installed? scripts/bootstrap.sh --test): ${r.error ?? r.stderr}`);
  return fs.readFileSync(file);
}

export const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

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
