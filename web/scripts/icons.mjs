// Renders the PWA icons in public/icons/ from public/icons/icon.svg with Debian's Chromium
// (playwright-core, no browser download). Run it after changing the SVG and commit the PNGs:
//
//   cd web && node scripts/icons.mjs
//
// "any" icons keep the SVG's rounded tile on a transparent background; "maskable" icons (and the
// opaque apple-touch-icon) fill the whole square with the tile colour and shrink the bubbles into
// the safe zone (the inner circle of 80 % diameter), as the maskable-icon spec asks.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../public/icons');
const svg = fs.readFileSync(path.join(dir, 'icon.svg'), 'utf8');

function variant(kind) {
  if (kind === 'any') return svg;
  // Full-bleed tile, glyph scaled by 0.8 about the centre (its farthest corner stays inside the
  // 0.4 × 512 safe-zone radius).
  return svg
    .replace(/(<rect id="tile"[^>]*?) rx="\d+"/, '$1')
    .replace('<g id="glyph">', '<g id="glyph" transform="translate(256 256) scale(0.8) translate(-256 -256)">');
}

const outputs = [
  { file: 'icon-192.png', size: 192, kind: 'any' },
  { file: 'icon-512.png', size: 512, kind: 'any' },
  { file: 'maskable-192.png', size: 192, kind: 'maskable' },
  { file: 'maskable-512.png', size: 512, kind: 'maskable' },
  { file: 'apple-touch-icon.png', size: 180, kind: 'maskable' },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  for (const { file, size, kind } of outputs) {
    await page.setViewportSize({ width: size, height: size });
    const body = variant(kind).replace(/width="512" height="512"/, `width="${size}" height="${size}"`);
    await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${body}</body></html>`);
    await page.screenshot({ path: path.join(dir, file), omitBackground: kind === 'any',
      clip: { x: 0, y: 0, width: size, height: size } });
    console.log(`${file} ${size}x${size} ${fs.statSync(path.join(dir, file)).size} bytes`);
  }
} finally {
  await browser.close();
}
