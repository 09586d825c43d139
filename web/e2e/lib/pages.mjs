// Page objects for the web app's UI contract (issue 9): every control is found by its role and
// accessible name, exactly as a screen-reader user finds it; data-testid only where the contract
// names one (online count, countdown, chat status, typing, character counter).

import { containsText, hasAttribute, hasText, visible } from './expect.mjs';

const exact = (name) => ({ name, exact: true });

/** What every screen has: the connection indicator, the theme toggle and the online count. */
class Screen {
  constructor(page) {
    this.page = page;
    this.connection = page.getByRole('status', exact('Connection'));
    this.themeToggle = page.getByRole('button', exact('Toggle theme'));
    this.onlineCount = page.getByTestId('online-count');
  }

  /** Resolves once the count shows a number, i.e. the page is hydrated and has asked the server. */
  async waitOnline() {
    return hasText(this.onlineCount, /^\d+ online$/, { message: 'the online count ("N online")' });
  }
}

export class LandingPage extends Screen {
  constructor(page) {
    super(page);
    this.heading = page.getByRole('heading', { level: 1, ...exact('Hallway') });
    this.modeGroup = page.getByRole('radiogroup', exact('Chat mode'));
    this.textMode = page.getByRole('radio', exact('Text'));
    this.videoMode = page.getByRole('radio', exact('Video'));
    this.videoNote = page.getByText('Video starts blurred until you both choose to show it. Text chat goes on beside it.');
    this.interests = page.getByRole('textbox', exact('Interests'));
    this.language = page.getByRole('combobox', exact('Language'));
    this.nickname = page.getByRole('textbox', exact('Nickname'));
    this.rules = page.getByRole('checkbox', exact('I am 18 or older and accept the rules'));
    this.rulesLink = page.getByRole('link', exact('rules'));
    this.startButton = page.getByRole('button', exact('Start'));
  }

  /** Opens `/` and waits until it is live (hydrated, connected). */
  async goto() {
    await this.page.goto('/');
    await visible(this.heading);
    await this.waitOnline();
    return this;
  }

  removeInterest(tag) {
    return this.page.getByRole('button', exact(`Remove interest ${tag}`));
  }

  async addInterest(tag) {
    await this.interests.fill(tag);
    await this.interests.press('Enter');
    await visible(this.removeInterest(tag));
  }

  /** Fills the form (mode, interests, nickname, language), ticks the rules box and presses Start. */
  async start({ interests = [], nickname, language, mode } = {}) {
    if (mode === 'video') await this.videoMode.check();
    if (mode === 'text') await this.textMode.check();
    for (const tag of interests) await this.addInterest(tag);
    if (nickname !== undefined) await this.nickname.fill(nickname);
    if (language !== undefined) await this.language.selectOption(language);
    await this.rules.check();
    await this.startButton.click();
    return new SearchingPage(this.page);
  }
}

export class RulesPage extends Screen {
  constructor(page) {
    super(page);
    this.back = page.getByRole('link', exact('Back'));
  }
}

export class SearchingPage extends Screen {
  constructor(page) {
    super(page);
    this.looking = page.getByText('Looking for someone…', { exact: true });
    this.countdown = page.getByTestId('fallback-countdown');
    this.interestsOnly = page.getByRole('switch', exact('Interests only'));
    this.cancelButton = page.getByRole('button', exact('Cancel'));
  }

  async waitVisible() {
    await visible(this.looking);
    return this;
  }

  /** Waits for "Anyone in N s" and resolves N. */
  async countdownSeconds() {
    const t = await hasText(this.countdown, /^Anyone in \d+ s$/);
    return Number(/\d+/.exec(t)[0]);
  }
}

export const REASONS = {
  spam: 'Spam or scam',
  harassment: 'Harassment or hate',
  sexual: 'Sexual content',
  underage: 'Appears to be under 18',
  violence: 'Violence or threats',
  other: 'Something else',
};

export const STATUS = {
  matched: "You're now chatting with a stranger. Say hi!",
  partnerReconnecting: 'Stranger is reconnecting…',
  partnerLeft: 'Stranger has left.',
  youLeft: 'You left the chat.',
  reported: "You reported the stranger. You won't be matched again.",
};

export class ChatPage extends Screen {
  constructor(page) {
    super(page);
    this.status = page.getByTestId('chat-status');
    this.log = page.getByRole('log', exact('Messages'));
    this.items = this.log.getByRole('listitem');
    this.mine = this.items.and(page.locator('[data-from="me"]'));
    this.theirs = this.items.and(page.locator('[data-from="stranger"]'));
    this.typing = page.getByTestId('typing');
    this.composer = page.getByRole('textbox', exact('Message'));
    this.charCount = page.getByTestId('char-count');
    this.sendButton = page.getByRole('button', exact('Send'));
    this.newButton = page.getByRole('button', exact('New'));
    this.confirmNewButton = page.getByRole('button', exact('Really? (Esc)'));
    this.newStrangerButton = page.getByRole('button', exact('New stranger'));
    this.stopButton = page.getByRole('button', exact('Stop'));
    this.reportButton = page.getByRole('button', exact('Report'));
    this.saveLogButton = page.getByRole('button', exact('Save chat log'));
    this.autoFind = page.getByRole('switch', exact('Auto-find a new stranger'));
    this.reportDialog = page.getByRole('dialog', exact('Report this stranger'));
    // Files and voice notes (issue 11).
    this.attachButton = page.getByRole('button', exact('Attach files'));
    this.fileInput = page.getByTestId('file-input');
    this.micButton = page.getByRole('button', exact('Record a voice note'));
    this.sendVoiceButton = page.getByRole('button', exact('Send voice note'));
    this.cancelRecordingButton = page.getByRole('button', exact('Cancel recording'));
    this.recordingTimer = page.getByRole('timer', exact('Recording time'));
    this.dropZone = page.getByTestId('drop-zone');
  }

  /** My messages that are files of `kind` (image, video, audio, voice, document, archive). */
  myFiles(kind) { return this.mine.and(this.page.locator(`[data-file="${kind}"]`)); }

  /** The stranger's messages that are files of `kind`. */
  theirFiles(kind) { return this.theirs.and(this.page.locator(`[data-file="${kind}"]`)); }

  /** My message that is the file named `name` (its upload, or the file once sent). */
  myFile(name) { return this.mine.filter({ has: this.page.getByText(name, { exact: true }) }); }

  /** The progress bar of my upload of `name`. */
  uploadProgress(name) { return this.page.getByRole('progressbar', exact(`Uploading ${name}`)); }

  /** Picks files in the Attach button's file chooser: [{name, mimeType, buffer}]. */
  async attach(files) {
    const [chooser] = await Promise.all([this.page.waitForEvent('filechooser'), this.attachButton.click()]);
    await chooser.setFiles(files);
  }

  /** The dialog showing an image large (named by the file). */
  imageDialog(name) { return this.page.getByRole('dialog', exact(name)); }

  /** Waits for the "now chatting" status (and `commonInterests` in it when given). */
  async waitMatched({ commonInterests } = {}) {
    await containsText(this.status, STATUS.matched, { message: `${STATUS.matched} in the chat status` });
    if (commonInterests) {
      await containsText(this.status, `You both like: ${commonInterests.join(', ')}`);
    }
    await visible(this.composer);
    return this;
  }

  async waitStatus(text) {
    return containsText(this.status, text, { message: `"${text}" in the chat status` });
  }

  /** My message whose text contains `text` (a string or RegExp). */
  myMessage(text) { return this.mine.filter({ hasText: text }); }

  /** The stranger's message whose text contains `text`. */
  theirMessage(text) { return this.theirs.filter({ hasText: text }); }

  /** Types `text` into the composer and presses Enter; resolves the new own message's locator. */
  async send(text) {
    await this.composer.fill(text);
    await this.composer.press('Enter');
    const item = this.myMessage(text);
    await visible(item);
    return item;
  }

  /** Opens the report dialog, picks `reason` (a key of REASONS), adds `note`, sends. */
  async report(reason, note) {
    await this.reportButton.click();
    await visible(this.reportDialog);
    await this.reportDialog.getByRole('radiogroup', exact('Reason'))
      .getByRole('radio', exact(REASONS[reason])).check();
    if (note !== undefined) {
      await this.reportDialog.getByRole('textbox', exact('Note (optional)')).fill(note);
    }
    await this.reportDialog.getByRole('button', exact('Send report')).click();
  }

  /** Clicks "Save chat log": resolves {name, text} of the downloaded file. */
  async saveLog() {
    const [download] = await Promise.all([this.page.waitForEvent('download'),
      this.saveLogButton.click()]);
    const stream = await download.createReadStream();
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    return { name: download.suggestedFilename(), text: Buffer.concat(chunks).toString('utf8') };
  }
}

/** What the call UI says (issue 12). */
export const CALL = {
  declined: 'The stranger declined the call.',
  noAnswer: 'No answer — the stranger did not pick up.',
  missed: 'You missed a call from the stranger.',
  hungUp: 'The stranger ended the call.',
  youEnded: 'Call ended.',
  blurred: 'Video is blurred until you both press Show video.',
  waiting: 'Waiting for the stranger to agree',
  theyAgreed: 'The stranger agreed to show video — press Show video to see each other.',
  shown: 'Shown to both of you — either can blur it again.',
  privacy: "The stranger's browser can see your network address in this call",
  cameraBlocked: /^Camera or microphone blocked — allow them for this site in the browser to call\. The chat goes on\.$/,
  micBlocked: /^Microphone blocked — allow it for this site in the browser to call\. The chat goes on\.$/,
  theirCameraOff: "The stranger's camera is off",
};

/** The call UI within the chat screen: buttons, the incoming-call dialog, the call view. */
export class CallUi {
  constructor(page) {
    this.page = page;
    this.audioCallButton = page.getByRole('button', exact('Audio call'));
    this.videoCallButton = page.getByRole('button', exact('Video call'));
    this.view = page.getByTestId('call-view');
    this.status = page.getByTestId('call-status');
    this.notice = page.getByTestId('call-notice');
    this.incoming = page.getByRole('dialog', { name: /^Incoming (audio|video) call$/ });
    this.acceptButton = this.incoming.getByRole('button', exact('Accept'));
    this.declineButton = this.incoming.getByRole('button', exact('Decline'));
    this.countdown = page.getByRole('timer', exact('Ringing time left'));
    this.remoteVideo = page.getByTestId('remote-video');
    this.selfView = page.getByTestId('self-view');
    this.selfViewOff = page.getByTestId('self-view-off');
    this.showVideoButton = this.view.getByRole('button', exact('Show video'));
    this.blurVideoButton = this.view.getByRole('button', exact('Blur video'));
    this.revealState = page.getByTestId('reveal-state');
    this.quality = page.getByTestId('call-quality');
    this.privacy = page.getByTestId('call-privacy');
    this.controls = page.getByRole('toolbar', exact('Call controls'));
    this.muteButton = page.getByRole('button', exact('Mute microphone'));
    this.cameraButton = page.getByRole('button', exact('Turn camera off'));
    this.devicesButton = page.getByRole('button', exact('Camera and microphone'));
    this.fullscreenButton = page.getByRole('button', exact('Full screen'));
    this.hangUpButton = page.getByRole('button', exact('Hang up'));
  }

  /** Waits for the call view's phase (calling, connecting, connected, failed). */
  async waitPhase(phase, opts) {
    return hasAttribute(this.view, 'data-phase', phase, opts);
  }

  /** Frames the stranger's <video> has shown so far (getVideoPlaybackQuality). */
  framesShown() {
    return this.remoteVideo.evaluate((v) => v.getVideoPlaybackQuality().totalVideoFrames);
  }

  /** The computed CSS filter of the stranger's video ('none' when unblurred). */
  remoteFilter() {
    return this.remoteVideo.evaluate((v) => getComputedStyle(v).filter);
  }
}

/** The four screens of one page (and its call UI). */
export function screens(page) {
  return { landing: new LandingPage(page), searching: new SearchingPage(page),
    chat: new ChatPage(page), rules: new RulesPage(page), call: new CallUi(page) };
}

/**
 * Makes the page report itself hidden (a background tab: document.hidden, visibilityState and a
 * visibilitychange event) or visible again. Headless pages are always "visible" otherwise.
 */
export async function setPageHidden(page, hiddenNow) {
  await page.evaluate((h) => {
    if (h) {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    } else {
      delete document.visibilityState;
      delete document.hidden;
    }
    document.dispatchEvent(new Event('visibilitychange'));
  }, hiddenNow);
}

/** 'dark' or 'light' from the luminance of what the page paints behind its content. */
export async function effectiveScheme(page) {
  const rgb = await page.evaluate(() => {
    for (const el of [document.body, document.documentElement]) {
      const c = getComputedStyle(el).backgroundColor;
      if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c;
    }
    return 'rgb(255, 255, 255)';
  });
  const [r, g, b] = rgb.match(/[\d.]+/g).map(Number);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128 ? 'dark' : 'light';
}
