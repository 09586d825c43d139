// Audio and video calls between two real browsers through the real server (issue 12): a video
// call that really connects (the stranger's <video> shows frames) and stays blurred until both
// press "Show video"; blurring again; camera off (no frozen picture on either side); hang-up and
// a second call on the same camera stream; a declined call; a ring timeout; a refused camera;
// video mode from the landing. Plus the README screenshots of a call, blurred and revealed.
//
// The server and Chromium run inside a network namespace with only loopback (lib/netns.mjs):
// candidates are 127.0.0.1 and nothing can leave the machine. Where namespaces are unavailable,
// the same tests run on the normal loopback (Chromium's --allow-loopback-in-peer-connection).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { AxeBuilder } from '@axe-core/playwright';

import { CALL_ARGS, CHROMIUM, FAKE_MEDIA_ARGS, launchBrowser, scene, screenshot } from './lib/browser.mjs';
import { containsText, hasAttribute, hasText, hidden, poll, visible } from './lib/expect.mjs';
import { matchedPair, uniqueTag } from './lib/flows.mjs';
import { REPO_ROOT, binaryPath, cleanupAll, startHallway, stopHallway } from './lib/hallway.mjs';
import { startCoturn, turnserverPath } from './lib/coturn.mjs';
import { openNetns } from './lib/netns.mjs';
import { CALL, effectiveScheme, screens } from './lib/pages.mjs';

// hallway's defaults: no STUN or TURN server (a direct call on loopback needs neither), so the
// calls are not relay-only and the stranger's address is visible (the call view says so).

let ns;
let server;
let browser;
const servers = [];

/** A hallway in the namespace (when there is one) with `flags` added. */
async function startCallServer(flags = {}) {
  const s = await startHallway({ flags, bin: ns ? ns.wrap(binaryPath(), 'hallway') : undefined });
  servers.push(s);
  return s;
}

/** Chromium in the namespace; `fakeUi: false` leaves the permission prompt (headless refuses it). */
function launchCallBrowser({ fakeUi = true } = {}) {
  const media = fakeUi ? FAKE_MEDIA_ARGS : FAKE_MEDIA_ARGS.filter((a) => a !== '--use-fake-ui-for-media-stream');
  return launchBrowser([...media, ...CALL_ARGS], { executablePath: ns ? ns.wrap(CHROMIUM, 'chromium') : undefined });
}

before(async () => {
  ns = await openNetns();
  // eslint-disable-next-line no-console
  console.log(ns ? `# calls run inside a network namespace (${ns.kind})` : '# calls run on the normal loopback (no network namespace here)');
  server = await startCallServer();
  browser = await launchCallBrowser();
});

after(async () => {
  await browser?.close();
  for (const s of servers) {
    const exit = await stopHallway(s);
    assert.equal(exit.code, 0, `hallway exited ${JSON.stringify(exit)}\n${s.stderr().slice(-3000)}`);
  }
  await cleanupAll();
  ns?.close();
});

/** Counts the page's getUserMedia calls (window.__gumCalls): one capture, reused. */
function countCaptures() {
  const md = navigator.mediaDevices;
  if (!md) return; // about:blank (axe opens one to finish its run)
  const original = md.getUserMedia.bind(md);
  window.__gumCalls = 0;
  md.getUserMedia = (c) => {
    window.__gumCalls += 1;
    return original(c);
  };
}
const captures = (page) => page.evaluate(() => window.__gumCalls);

/** Waits until the stranger's video has shown frames and shows more (it plays, not a still). */
async function framesFlow(call, who) {
  const first = await poll(async () => {
    const n = await call.framesShown();
    return n > 0 ? n : undefined;
  }, { message: `${who}: the stranger's video to show frames` });
  await poll(async () => (await call.framesShown()) >= first + 10 || undefined,
    { message: `${who}: the stranger's video to keep showing frames` });
}

const isBlurred = async (call) => /blur\(/.test(await call.remoteFilter());

/** Serious and critical axe violations of the page as it is now. */
async function axeProblems(page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('; ')}`);
}

/** A calls B (video or audio) and B accepts; resolves once both are connected. */
async function connectedCall(A, B, type = 'video') {
  await (type === 'video' ? A.call.videoCallButton : A.call.audioCallButton).click();
  await visible(B.call.incoming);
  await B.call.acceptButton.click();
  await Promise.all([A.call.waitPhase('connected'), B.call.waitPhase('connected')]);
}

test('a video call connects, stays blurred until both press Show video, and can be blurred again', async () => {
  await scene(browser, server, async (open) => {
    const { sa, sb, A, B } = await matchedPair(open, {
      tag: 'travel',
      a: { colorScheme: 'light' },
      setup: async ({ sa: a, sb: b }) => {
        await a.context.addInitScript(countCaptures);
        await b.context.addInitScript(countCaptures);
      },
    });
    await A.chat.send('Hi! Where are you travelling next?');
    await B.chat.send('Lisbon in May. Video call?');
    await visible(A.chat.theirMessage('Lisbon in May. Video call?'));
    await A.call.videoCallButton.click();
    // The caller hears it ring; the callee sees who calls how, with the countdown.
    await containsText(A.call.status, /^(Calling the stranger…|Ringing the stranger… · \d+ s)$/);
    await visible(B.call.incoming);
    await hasText(B.call.incoming.getByRole('heading'), 'Incoming video call');
    const left = Number(/\d+/.exec(await hasText(B.call.countdown, /^Ringing · \d+ s$/))[0]);
    assert.ok(left > 20 && left <= 30, `countdown ${left} s`);
    await B.call.acceptButton.click();
    await hidden(B.call.incoming);
    await Promise.all([A.call.waitPhase('connected'), B.call.waitPhase('connected')]);

    // Media really flows both ways: each remote <video> shows a moving picture.
    await Promise.all([framesFlow(A.call, 'A'), framesFlow(B.call, 'B')]);
    await visible(A.call.selfView);
    assert.equal(await A.call.selfView.evaluate((v) => v.muted && v.playsInline && v.autoplay), true,
      'the self-view is muted, inline and autoplays');

    // Direct on loopback, and said plainly that the address is visible (no TURN here).
    await hasAttribute(A.call.quality, 'data-path', 'direct');
    await hasAttribute(B.call.quality, 'data-path', 'direct');
    await hasText(A.call.privacy, CALL.privacy);
    await hasText(B.call.privacy, CALL.privacy);

    // Blurred on both sides until both agree; each side sees both states.
    assert.ok(await isBlurred(A.call), 'A sees B blurred');
    assert.ok(await isBlurred(B.call), 'B sees A blurred');
    await hasText(A.call.revealState, CALL.blurred);
    await poll(async () => (await effectiveScheme(sa.page)) === 'light' || undefined);
    const blurredShot = await screenshot(sa.page, 'call-blurred');

    await A.call.showVideoButton.click();
    await hasText(A.call.revealState, CALL.waiting);
    await hasText(B.call.revealState, CALL.theyAgreed);
    assert.ok(await isBlurred(A.call), 'still blurred for A while B has not agreed');
    assert.ok(await isBlurred(B.call), 'still blurred for B');

    await B.call.showVideoButton.click();
    await hasAttribute(A.call.view, 'data-revealed', 'true');
    await hasAttribute(B.call.view, 'data-revealed', 'true');
    await poll(async () => (await A.call.remoteFilter()) === 'none' || undefined, { message: 'A: unblurred' });
    await poll(async () => (await B.call.remoteFilter()) === 'none' || undefined, { message: 'B: unblurred' });
    await hasText(A.call.revealState, CALL.shown);
    await framesFlow(A.call, 'A (revealed)');
    const revealedShot = await screenshot(sa.page, 'call-revealed');
    if (process.env.HALLWAY_UPDATE_SCREENSHOTS === '1') {
      fs.copyFileSync(blurredShot, path.join(REPO_ROOT, 'docs/screenshots/call-blurred.png'));
      fs.copyFileSync(revealedShot, path.join(REPO_ROOT, 'docs/screenshots/call-revealed.png'));
    }

    // The call view in dark and at 360 px: axe finds nothing serious, nothing scrolls sideways,
    // every control is there.
    const problems = [];
    for (const scheme of ['light', 'dark']) {
      await sa.page.emulateMedia({ colorScheme: scheme });
      await poll(async () => (await effectiveScheme(sa.page)) === scheme || undefined);
      for (const p of await axeProblems(sa.page)) problems.push(`${scheme}: ${p}`);
    }
    await screenshot(sa.page, 'call-revealed-dark');
    await sa.page.setViewportSize({ width: 360, height: 740 });
    for (const control of [A.call.muteButton, A.call.cameraButton, A.call.devicesButton, A.call.hangUpButton,
      A.call.blurVideoButton, A.chat.composer]) {
      await visible(control);
    }
    const { scrollWidth, innerWidth } = await sa.page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    assert.ok(scrollWidth <= innerWidth, `scrolls sideways at 360 px (${scrollWidth} > ${innerWidth})`);
    for (const p of await axeProblems(sa.page)) problems.push(`360 px dark: ${p}`);
    await screenshot(sa.page, 'call-phone-dark');
    await sa.page.setViewportSize({ width: 1280, height: 800 });
    await sa.page.emulateMedia({ colorScheme: 'light' });
    // The devices panel: a camera and a microphone to choose, keyboard reachable.
    await A.call.devicesButton.focus();
    await sa.page.keyboard.press('Enter');
    await hasAttribute(A.call.devicesButton, 'aria-expanded', 'true');
    await visible(sa.page.getByRole('combobox', { name: 'Camera', exact: true }));
    await visible(sa.page.getByRole('combobox', { name: 'Microphone', exact: true }));
    await A.call.devicesButton.click();
    assert.deepEqual(problems, [], problems.join('\n'));

    // Either side blurs again, for both.
    await B.call.blurVideoButton.click();
    await hasAttribute(A.call.view, 'data-revealed', 'false');
    await poll(() => isBlurred(A.call), { message: 'A: blurred again' });
    await poll(() => isBlurred(B.call), { message: 'B: blurred again' });
    await hasText(A.call.revealState, CALL.waiting);
    await hasText(B.call.revealState, CALL.theyAgreed);

    // Mute is a pressed toggle; camera off sends nothing: no frozen self-view here, and the
    // stranger's side notices that no picture comes.
    await A.call.muteButton.click();
    await hasAttribute(A.call.muteButton, 'aria-pressed', 'true');
    await A.call.cameraButton.click();
    await hasAttribute(A.call.cameraButton, 'aria-pressed', 'true');
    await visible(A.call.selfViewOff);
    await hidden(A.call.selfView);
    await B.call.showVideoButton.click(); // A still agrees: shown again
    await hasAttribute(B.call.view, 'data-revealed', 'true');
    await visible(sb.page.getByText(CALL.theirCameraOff, { exact: true }), { timeout: 20_000 });
    await A.call.cameraButton.click();
    await visible(A.call.selfView);
    await hidden(sb.page.getByText(CALL.theirCameraOff, { exact: true }), { timeout: 20_000 });

    // The chat goes on during the call.
    await A.chat.send('can you see me?');
    await visible(B.chat.theirMessage('can you see me?'));

    // Hang up: the other side is told; a second call uses the same capture.
    await A.call.hangUpButton.click();
    await hidden(A.call.view);
    await hasText(B.call.notice, CALL.hungUp);
    await hidden(B.call.view);
    await connectedCall(B, A);
    await Promise.all([framesFlow(A.call, 'A (second call)'), framesFlow(B.call, 'B (second call)')]);
    assert.equal(await captures(sa.page), 1, 'A asked for the camera once');
    assert.equal(await captures(sb.page), 1, 'B asked for the camera once');

    // The end of the chat ends the call.
    await B.chat.stopButton.click();
    await hidden(A.call.view);
    await A.chat.waitStatus('Stranger has left.');
  });
});

test('a declined call: the caller is told, the chat goes on', async () => {
  await scene(browser, server, async (open) => {
    const { A, B } = await matchedPair(open);
    await A.call.audioCallButton.click();
    await visible(B.call.incoming);
    await hasText(B.call.incoming.getByRole('heading'), 'Incoming audio call');
    await B.call.declineButton.click();
    await hidden(B.call.incoming);
    await hasText(A.call.notice, CALL.declined);
    await hidden(A.call.view);
    await A.chat.send('ok, text then');
    await visible(B.chat.theirMessage('ok, text then'));
    // Esc in the dialog declines too (and does not arm "New").
    await B.call.videoCallButton.click();
    await visible(A.call.incoming);
    await A.chat.page.keyboard.press('Escape');
    await hidden(A.call.incoming);
    await hasText(B.call.notice, CALL.declined);
    await visible(A.chat.newButton);
  });
});

test('an audio call connects: no video, the quality shown', async () => {
  await scene(browser, server, async (open) => {
    const { A, B } = await matchedPair(open);
    await connectedCall(A, B, 'audio');
    await hasAttribute(A.call.view, 'aria-label', 'Audio call');
    assert.equal(await A.call.remoteVideo.count(), 0);
    await hasAttribute(B.call.quality, 'data-level', /^(good|fair|poor)$/);
    await B.call.hangUpButton.click();
    await hasText(A.call.notice, CALL.hungUp);
  });
});

test('a call nobody answers ends after the ring timeout on both sides', async () => {
  const quick = await startCallServer({ 'ring-timeout': '2s' });
  await scene(browser, quick, async (open) => {
    const { A, B } = await matchedPair(open);
    await A.call.videoCallButton.click();
    await visible(B.call.incoming);
    await visible(B.call.countdown);
    await hasText(A.call.notice, CALL.noAnswer, { timeout: 10_000 });
    await hasText(B.call.notice, CALL.missed);
    await hidden(B.call.incoming);
    await hidden(A.call.view);
    await A.chat.send('still here');
    await visible(B.chat.theirMessage('still here'));
  });
});

test('a refused camera: a clear message, the chat goes on; answering a call is a decline', async () => {
  const denied = await launchCallBrowser({ fakeUi: false });
  try {
    await scene(browser, server, async (openAllowed) => {
      await scene(denied, server, async (openDenied) => {
        // A (denied) and B (allowed) meet through a shared interest.
        const tag = uniqueTag();
        const sa = await openDenied({ name: 'A (denied)' });
        const sb = await openAllowed({ name: 'B' });
        const A = screens(sa.page);
        const B = screens(sb.page);
        await Promise.all([A.landing.goto(), B.landing.goto()]);
        await A.landing.start({ interests: [tag] });
        await A.searching.waitVisible();
        await B.landing.start({ interests: [tag] });
        await Promise.all([A.chat.waitMatched(), B.chat.waitMatched()]);

        await A.call.videoCallButton.click();
        await hasText(A.call.notice, CALL.cameraBlocked);
        await hasAttribute(A.call.notice, 'role', 'alert');
        await hidden(A.call.view);
        await A.chat.send('no camera here');
        await visible(B.chat.theirMessage('no camera here'));

        await B.call.audioCallButton.click();
        await visible(A.call.incoming);
        await A.call.acceptButton.click();
        await hasText(A.call.notice, CALL.micBlocked);
        await hasText(B.call.notice, CALL.declined);
        await visible(A.chat.composer);
      });
    });
  } finally {
    await denied.close();
  }
});

test('video mode: two strangers who chose Video are in a call at once, blurred', async () => {
  await scene(browser, server, async (open) => {
    const tag = uniqueTag('v');
    const sa = await open({ name: 'A' });
    const sb = await open({ name: 'B' });
    const A = screens(sa.page);
    const B = screens(sb.page);
    await Promise.all([A.landing.goto(), B.landing.goto()]);
    await A.landing.start({ interests: [tag], mode: 'video' });
    await A.searching.waitVisible();
    await B.landing.start({ interests: [tag], mode: 'video' });
    await Promise.all([A.chat.waitMatched(), B.chat.waitMatched()]);
    // Nobody pressed anything: the call starts and is accepted by itself.
    await Promise.all([A.call.waitPhase('connected'), B.call.waitPhase('connected')]);
    assert.equal(await A.call.incoming.count(), 0);
    await Promise.all([framesFlow(A.call, 'A'), framesFlow(B.call, 'B')]);
    assert.ok(await isBlurred(A.call));
    assert.ok(await isBlurred(B.call));
    // "New": the call ends with the chat.
    await A.chat.newButton.click();
    await hidden(A.call.view);
    await hidden(B.call.view);
  });
});

test('the same video call forced through a real coturn relay: relay-only, a relay candidate pair, no address shown',
  { skip: turnserverPath() ? false : 'coturn is not installed (scripts/bootstrap.sh --test installs it)' }, async () => {
    const turn = await startCoturn({ wrap: ns ? (bin, name) => ns.wrap(bin, name) : undefined });
    try {
      const relayServer = await startCallServer({ 'turn-urls': turn.urls, 'turn-secret': turn.secret,
        'call-privacy': 'relay', 'call-privacy-text': 'relay' });
      await scene(browser, relayServer, async (open) => {
        const { sa, A, B } = await matchedPair(open);
        // What the page is told: relay only, with time-limited TURN credentials.
        const ice = await sa.page.evaluate(async () => {
          const { token } = JSON.parse(sessionStorage.getItem('hallway.guest')).guest;
          const r = await fetch('/api/ice-servers?mode=text', { headers: { Authorization: `Bearer ${token}` } });
          return r.json();
        });
        assert.equal(ice.iceTransportPolicy, 'relay');
        assert.ok(ice.iceServers.some((s) => [s.urls].flat().some((u) => u.startsWith('turn:')) && s.username && s.credential));

        await connectedCall(A, B, 'video');
        await Promise.all([framesFlow(A.call, 'A (relayed)'), framesFlow(B.call, 'B (relayed)')]);
        // getStats: the selected pair is a relay pair on both sides.
        for (const [who, C] of [['A', A.call], ['B', B.call]]) {
          await hasAttribute(C.quality, 'data-path', 'relayed', { message: `${who}: relayed` });
          await hasAttribute(C.quality, 'data-local-candidate', 'relay');
          await containsText(C.quality, 'relayed');
          assert.equal(await C.privacy.count(), 0, `${who}: no address warning on a relayed call`);
        }
        await A.call.hangUpButton.click();
        await hasText(B.call.notice, CALL.hungUp);
      });
    } finally {
      await turn.stop();
    }
  });
