// Files and voice notes between two real browsers through the real server (issue 11): an image
// (blurred on the other side until shown, then enlarged in a dialog), a PDF downloaded byte for
// byte, drag-and-drop and pasted images, a large upload's progress bar (upload throttled through
// the DevTools protocol) and its Cancel, the client's limit and the server's type check, a voice
// note recorded with Chromium's fake microphone and played by the partner, a refused microphone,
// and what the end of a chat does to its files. Plus the README screenshot and an axe scan.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { AxeBuilder } from '@axe-core/playwright';

import { FAKE_MEDIA_ARGS, launchBrowser, scene, screenshot } from './lib/browser.mjs';
import { count, hasAttribute, hasText, hidden, poll, visible } from './lib/expect.mjs';
import { makePdf, makePng, makeZip, sha256 } from './lib/files.mjs';
import { matchedPair } from './lib/flows.mjs';
import { REPO_ROOT } from './lib/hallway.mjs';
import { STATUS, effectiveScheme } from './lib/pages.mjs';
import { e2eSuite } from './lib/suite.mjs';

let server;
let browser;
e2eSuite(undefined, (s, b) => { server = s; browser = b; }, { browserArgs: FAKE_MEDIA_ARGS });

const MiB = 1024 * 1024;
const png = (name = 'stripes.png', opts) => ({ name, mimeType: 'image/png', buffer: makePng(160, 120, opts) });
const pdf = (name = 'notes.pdf') => ({ name, mimeType: 'application/pdf', buffer: makePdf('Hallway test document') });
const zip = (name, bytes) => ({
  name,
  mimeType: 'application/zip',
  buffer: makeZip([{ name: 'random.bin', data: crypto.randomBytes(bytes) }]),
});

/** Limits the page's upload speed (bytes/s) through the DevTools protocol; null lifts it. */
async function throttleUploads(page, bytesPerSecond) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond ?? -1,
  });
  return cdp;
}

/** The POST /api/files requests a page makes, as they happen. */
function watchUploads(page) {
  const seen = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/files') seen.push(r);
  });
  return seen;
}

/** Clicks the link and resolves the downloaded file's {name, bytes}. */
async function download(page, link) {
  const [d] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const chunks = [];
  for await (const c of await d.createReadStream()) chunks.push(c);
  return { name: d.suggestedFilename(), bytes: Buffer.concat(chunks) };
}

/** naturalWidth of an <img> once it has loaded (0 while loading or broken). */
const loadedWidth = (img) => poll(async () => {
  const w = await img.evaluate((el) => (el.complete ? el.naturalWidth : 0));
  return w > 0 ? w : undefined;
}, { message: 'the image to load' });

test('an image: blurred on the other side until shown, then enlarged in a dialog; the log lists it', async () => {
  await scene(browser, server, async (open) => {
    const { sb, A, B } = await matchedPair(open);
    const file = png('stripes.png');
    await A.chat.attach([file]);

    // Mine at once, unblurred (own files are shown as they are).
    const mine = A.chat.myFiles('image');
    await visible(mine);
    await hasAttribute(mine.getByTestId('image-preview'), 'data-shown', 'true');
    assert.equal(await loadedWidth(mine.getByRole('img', { name: 'stripes.png' })), 160);

    // Theirs: blurred behind "Show image", with the hint saying why.
    const theirs = B.chat.theirFiles('image');
    await visible(theirs);
    const preview = theirs.getByTestId('image-preview');
    await hasAttribute(preview, 'data-shown', 'false');
    await visible(theirs.getByText(/Blurred for your safety/));
    const blurred = preview.locator('img');
    assert.match(await blurred.evaluate((el) => getComputedStyle(el).filter), /blur\(/);
    assert.equal(await theirs.getByRole('button', { name: /^Enlarge/ }).count(), 0, 'nothing to enlarge before Show');

    await theirs.getByRole('button', { name: 'Show image', exact: true }).click();
    await hasAttribute(preview, 'data-shown', 'true');
    const img = theirs.getByRole('img', { name: 'stripes.png' });
    assert.equal(await loadedWidth(img), 160);
    assert.equal(await img.evaluate((el) => getComputedStyle(el).filter), 'none');

    // Enlarge with the keyboard; Esc closes and gives the focus back.
    const enlarge = theirs.getByRole('button', { name: 'Enlarge stripes.png', exact: true });
    await enlarge.focus();
    await sb.page.keyboard.press('Enter');
    const dialog = B.chat.imageDialog('stripes.png');
    await visible(dialog);
    assert.equal(await loadedWidth(dialog.getByRole('img', { name: 'stripes.png' })), 160);
    await visible(dialog.getByRole('button', { name: 'Close', exact: true }));
    await sb.page.keyboard.press('Escape');
    await hidden(dialog);
    await poll(() => enlarge.evaluate((el) => el === document.activeElement) || undefined,
      { message: 'the focus back on the thumbnail' });
    // That Esc closed the dialog only: the chat goes on ("New" was not armed).
    await visible(B.chat.newButton);

    // Receipts as for text: the partner saw it.
    await hasAttribute(mine, 'data-status', 'read');
    const log = await B.chat.saveLog();
    assert.match(log.text, /\] Stranger: \[file: stripes\.png \(\d+(\.\d)? KB\)\]\n/);
    assert.ok(!log.text.includes('/api/files/'), 'no file URL in the log');
  });
});

test('a PDF: a file card on the other side whose Download link downloads the same bytes', async () => {
  await scene(browser, server, async (open) => {
    const { sa, A, B } = await matchedPair(open);
    const file = pdf('Résumé «final» 📄.pdf');
    await B.chat.attach([file]);
    const card = A.chat.theirFiles('document');
    await visible(card);
    await visible(card.getByTestId('file-card'));
    await visible(card.getByText(file.name, { exact: true }));
    await visible(card.getByText(/^\d+ B$/));
    const link = card.getByRole('link', { name: `Download ${file.name}`, exact: true });
    assert.equal(await link.getAttribute('download'), file.name);
    const got = await download(sa.page, link);
    assert.equal(sha256(got.bytes), sha256(file.buffer), 'the same bytes');
    assert.equal(got.name, file.name);
  });
});

test('drag-and-drop shows a drop zone and sends the files; a pasted image is sent', async () => {
  await scene(browser, server, async (open) => {
    const { sa, A, B } = await matchedPair(open);
    const files = [zip('dropped.zip', 2000), png('dropped.png')];
    const dt = await sa.page.evaluateHandle((list) => {
      const d = new DataTransfer();
      for (const f of list) d.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.mimeType }));
      return d;
    }, files.map((f) => ({ name: f.name, mimeType: f.mimeType, b64: f.buffer.toString('base64') })));
    const log = A.chat.log;
    await log.dispatchEvent('dragenter', { dataTransfer: dt });
    await log.dispatchEvent('dragover', { dataTransfer: dt });
    await visible(A.chat.dropZone);
    await hasText(A.chat.dropZone, 'Drop files here to send them');
    await log.dispatchEvent('drop', { dataTransfer: dt });
    await hidden(A.chat.dropZone);
    await visible(B.chat.theirFiles('archive').filter({ hasText: 'dropped.zip' }));
    await visible(B.chat.theirFiles('image'));
    await count(B.chat.theirs, 2);

    // A screenshot in the clipboard: pasted into the message box, it is sent as a file.
    const image = makePng(64, 48, { a: [220, 38, 38], b: [255, 255, 255] }).toString('base64');
    await A.chat.composer.focus();
    await A.chat.composer.evaluate((el, b64) => {
      const d = new DataTransfer();
      d.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'image.png', { type: 'image/png' }));
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: d, bubbles: true, cancelable: true }));
    }, image);
    await count(B.chat.theirFiles('image'), 2);
    assert.equal(await A.chat.composer.inputValue(), '', 'nothing pasted as text');
  });
});

test('a large upload shows its progress bar; Cancel stops it; the next one arrives whole', async () => {
  await scene(browser, server, async (open) => {
    const { sa, sb, A, B } = await matchedPair(open);
    const uploads = watchUploads(sa.page);
    await throttleUploads(sa.page, 2 * MiB);
    const first = zip('first.zip', 8 * MiB);
    await A.chat.attach([first]);
    const bar = A.chat.uploadProgress('first.zip');
    const seen = await poll(async () => {
      const v = Number(await bar.getAttribute('aria-valuenow', { timeout: 1000 }));
      return v > 0 && v < 100 ? v : undefined;
    }, { message: 'the progress bar between 0 and 100' });
    assert.ok(seen > 0 && seen < 100, `aria-valuenow ${seen}`);
    await screenshot(sa.page, 'chat-files-uploading');
    assert.equal(await bar.getAttribute('aria-valuemin'), '0');
    assert.equal(await bar.getAttribute('aria-valuemax'), '100');
    await A.chat.myFile('first.zip').getByRole('button', { name: 'Cancel upload of first.zip', exact: true }).click();
    await count(A.chat.myFile('first.zip'), 0);
    assert.equal(uploads.length, 1);

    await throttleUploads(sa.page, 6 * MiB);
    const second = zip('second.zip', 8 * MiB);
    await A.chat.attach([second]);
    const bar2 = A.chat.uploadProgress('second.zip');
    await poll(async () => {
      const v = Number(await bar2.getAttribute('aria-valuenow', { timeout: 1000 }));
      return v > 0 && v < 100 ? v : undefined;
    }, { message: 'the second progress bar between 0 and 100' });
    const card = B.chat.theirFiles('archive');
    await visible(card, { timeout: 30_000 });
    await count(B.chat.theirs, 1); // the cancelled one never arrived
    await hidden(bar2);
    const got = await download(sb.page, card.getByRole('link', { name: 'Download second.zip', exact: true }));
    assert.equal(got.bytes.length, second.buffer.length);
    assert.equal(sha256(got.bytes), sha256(second.buffer));
  });
});

test('over the limit: refused before uploading; a disguised HTML page: refused by the server', async () => {
  await scene(browser, server, async (open) => {
    const { sa, A, B } = await matchedPair(open);
    const uploads = watchUploads(sa.page);
    await A.chat.attach([{ name: 'huge.zip', mimeType: 'application/zip', buffer: Buffer.alloc(10 * MiB + 1) }]);
    const huge = A.chat.myFile('huge.zip');
    await hasText(huge.getByTestId('upload-error'), 'Too large — the limit is 10 MB');
    assert.equal(await huge.getByRole('button', { name: /^Retry/ }).count(), 0, 'no Retry for a file too large');
    assert.equal(uploads.length, 0, 'no request for a file over the limit');
    await huge.getByRole('button', { name: 'Remove huge.zip', exact: true }).click();
    await count(huge, 0);

    // The server decides by content: an HTML page called .png is refused, naming what it is.
    sa.guard.allow(/status of 415/, 'the refused upload is a 415 response by design');
    const html = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>\n');
    await A.chat.attach([{ name: 'cute-cat.png', mimeType: 'image/png', buffer: html }]);
    const refused = A.chat.myFile('cute-cat.png');
    await hasText(refused.getByTestId('upload-error'), /^This type of file can't be shared \(text\/html\)$/);
    assert.equal(uploads.length, 1);
    await visible(refused.getByRole('button', { name: 'Remove cute-cat.png', exact: true }));
    assert.equal(await B.chat.theirs.count(), 0, 'the partner got nothing');
  });
});

test('a voice note recorded with the fake microphone is played by the partner', async () => {
  await scene(browser, server, async (open) => {
    const { sa, A, B } = await matchedPair(open);
    // Click to record: the timer runs; Send sends.
    await A.chat.micButton.click();
    await visible(A.chat.recordingTimer);
    await hasText(A.chat.recordingTimer, /^0:0[2-9]$/, { timeout: 20_000 });
    await A.chat.sendVoiceButton.click();
    await hidden(A.chat.recordingTimer);
    await visible(A.chat.myFiles('voice').getByTestId('voice-note'));

    const note = B.chat.theirFiles('voice');
    await visible(note);
    await hasText(note.getByTestId('voice-duration'), /^0:0[2-4]$/);
    const play = note.getByRole('button', { name: /^Play voice note, \d+ seconds$/ });
    await play.click();
    await visible(note.getByRole('button', { name: /^Pause voice note/ }));
    const audio = note.locator('audio');
    const t0 = await audio.evaluate((a) => a.currentTime);
    await poll(async () => (await audio.evaluate((a) => a.currentTime)) > t0 + 0.3 || undefined,
      { message: 'the voice note to play (currentTime advancing)' });
    // play() itself resolves (the element is playable, not only the button's state).
    await audio.evaluate(async (a) => { a.pause(); a.currentTime = 0; await a.play(); });
    await poll(async () => (await audio.evaluate((a) => a.currentTime)) > 0.2 || undefined,
      { message: 'currentTime advancing after play()' });
    await audio.evaluate((a) => a.pause());

    // Press and hold: released after ~1.5 s, the note is sent on release.
    const box = await A.chat.micButton.boundingBox();
    await sa.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await sa.page.mouse.down();
    await visible(A.chat.recordingTimer);
    await hasText(A.chat.recordingTimer, /^0:0[1-9]$/); // held for a second
    await sa.page.mouse.up();
    await hidden(A.chat.recordingTimer);
    await count(B.chat.theirFiles('voice'), 2);

    // A note under a second is discarded with a hint; Cancel drops one (and Esc does too).
    await sa.page.mouse.down();
    await visible(A.chat.recordingTimer);
    await sa.page.mouse.up();
    await A.chat.sendVoiceButton.click();
    await visible(sa.page.getByRole('status').filter({ hasText: 'Voice note too short' }));
    await A.chat.micButton.click();
    await visible(A.chat.recordingTimer);
    await A.chat.cancelRecordingButton.click();
    await hidden(A.chat.recordingTimer);
    await A.chat.micButton.click();
    await visible(A.chat.recordingTimer);
    await sa.page.keyboard.press('Escape');
    await hidden(A.chat.recordingTimer);
    await visible(A.chat.newButton); // that Esc did not arm "New"
    // Nothing was sent for those: a text sent after them arrives with still two notes before it.
    await A.chat.send('no more notes');
    await visible(B.chat.theirMessage('no more notes'));
    await count(B.chat.theirFiles('voice'), 2);

    const log = await A.chat.saveLog();
    assert.match(log.text, /You: \[voice note: 0:0[2-4]\]/);
  });
});

test('a refused microphone: a clear message, and the chat goes on', async () => {
  // Without --use-fake-ui-for-media-stream, headless Chromium refuses the permission prompt.
  const noMic = await launchBrowser(['--use-fake-device-for-media-stream']);
  try {
    await scene(noMic, server, async (open) => {
      const { A, B } = await matchedPair(open);
      await A.chat.micButton.click();
      const alert = A.chat.page.getByRole('alert').filter({ hasText: 'Microphone blocked' });
      await hasText(alert, /^Microphone blocked — allow it in the browser to send voice notes/);
      await hidden(A.chat.recordingTimer);
      await visible(A.chat.composer);
      await A.chat.send('typing still works');
      await visible(B.chat.theirMessage('typing still works'));
      await alert.getByRole('button', { name: 'Dismiss', exact: true }).click();
      await hidden(alert);
    });
  } finally {
    await noMic.close();
  }
});

test('the end of the chat: uploads under way stop, files become "No longer available"', async () => {
  await scene(browser, server, async (open) => {
    const { sa, A, B } = await matchedPair(open);
    await A.chat.attach([png('bye.png')]);
    const sent = A.chat.myFiles('image');
    await hasAttribute(sent, 'data-status', /^(sent|delivered|read)$/);
    const url = await sent.locator('img').getAttribute('src');
    assert.match(url, /^\/api\/files\/[^/?]+\?k=/);
    assert.equal((await sa.page.request.get(url)).status(), 200);

    await throttleUploads(sa.page, 512 * 1024);
    await A.chat.attach([zip('slow.zip', 4 * MiB)]);
    await visible(A.chat.uploadProgress('slow.zip'));
    await B.chat.stopButton.click();
    await A.chat.waitStatus(STATUS.partnerLeft);

    const slow = A.chat.myFile('slow.zip');
    await hasText(slow.getByTestId('upload-error'), 'The chat has ended');
    assert.equal(await slow.getByRole('button', { name: /^Retry/ }).count(), 0);
    await hasText(sent.getByTestId('file-gone'), /No longer available/);
    assert.equal(await sent.locator('img').count(), 0);
    // The server deleted it: its URL is dead.
    await poll(async () => (await sa.page.request.get(url)).status() === 404 || undefined,
      { message: 'the file URL to answer 404' });
    await visible(A.chat.newStrangerButton);
  });
});

/** Serious and critical axe violations of the page as it is now. */
async function axeProblems(page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('; ')}`);
}

test('screenshot: a chat with an image, a file card and a voice note; axe; a 360 px phone', async () => {
  await scene(browser, server, async (open) => {
    const { sb, A, B } = await matchedPair(open, { tag: 'photography', b: { colorScheme: 'light' } });
    await A.chat.send('Here is the view from my window 🌇');
    await A.chat.attach([png('view-from-window.png', { a: [59, 130, 246], b: [253, 186, 116] })]);
    await visible(B.chat.theirFiles('image'));
    await B.chat.send('Nice! My trip notes are in here:');
    await B.chat.attach([pdf('trip-notes.pdf')]);
    await visible(A.chat.theirFiles('document'));
    await A.chat.micButton.click();
    await hasText(A.chat.recordingTimer, /^0:0[3-9]$/, { timeout: 20_000 });
    await A.chat.sendVoiceButton.click();
    const note = B.chat.theirFiles('voice');
    await visible(note);
    await hasAttribute(A.chat.myFiles('voice'), 'data-status', 'read');

    const problems = [];
    for (const scheme of ['light', 'dark']) {
      await sb.page.emulateMedia({ colorScheme: scheme });
      await poll(async () => (await effectiveScheme(sb.page)) === scheme || undefined);
      for (const p of await axeProblems(sb.page)) problems.push(`${scheme} (blurred image): ${p}`);
      await screenshot(sb.page, `chat-files-blurred-${scheme}`);
    }
    await sb.page.emulateMedia({ colorScheme: 'light' });
    await B.chat.theirFiles('image').getByRole('button', { name: 'Show image', exact: true }).click();
    await loadedWidth(B.chat.theirFiles('image').getByRole('img', { name: 'view-from-window.png' }));
    await poll(async () => (await effectiveScheme(sb.page)) === 'light' || undefined);
    const file = await screenshot(sb.page, 'chat-files');
    for (const p of await axeProblems(sb.page)) problems.push(`light: ${p}`);
    // docs/screenshots/chat-files.png is this picture (HALLWAY_UPDATE_SCREENSHOTS=1 copies it).
    if (process.env.HALLWAY_UPDATE_SCREENSHOTS === '1') {
      fs.copyFileSync(file, path.join(REPO_ROOT, 'docs/screenshots/chat-files.png'));
    }

    // The same conversation 360 px wide: no sideways scrolling, the controls all there.
    await sb.page.setViewportSize({ width: 360, height: 740 });
    await visible(B.chat.attachButton);
    await visible(B.chat.micButton);
    const { scrollWidth, innerWidth } = await sb.page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    assert.ok(scrollWidth <= innerWidth, `scrolls sideways at 360 px (${scrollWidth} > ${innerWidth})`);
    await screenshot(sb.page, 'chat-files-phone');
    assert.deepEqual(problems, [], problems.join('\n'));
  });
});
