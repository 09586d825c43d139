import { describe, expect, it, vi } from 'vitest';

import { FakeStream, FakeTrack, asStream } from './fake';
import { LocalMedia, MEDIA_TEXT, MediaError } from './media';

function named(name: string) {
  const e = new Error(name);
  e.name = name;
  return e;
}

function setup(opts: { camera?: boolean; deny?: boolean; devices?: MediaDeviceInfo[] } = {}) {
  const camera = opts.camera ?? true;
  let n = 0;
  const gum = vi.fn(async (c: MediaStreamConstraints) => {
    if (opts.deny) throw named('NotAllowedError');
    if (c.video && !camera) throw named('NotFoundError');
    n++;
    const tracks: FakeTrack[] = [];
    if (c.audio) tracks.push(new FakeTrack('audio', `mic-${n}`));
    if (c.video) tracks.push(new FakeTrack('video', `cam-${n}`));
    return asStream(new FakeStream(tracks));
  });
  const media = new LocalMedia({
    getUserMedia: gum,
    enumerateDevices: async () => opts.devices ?? [],
    createStream: (tracks) => asStream(new FakeStream(tracks as unknown as FakeTrack[])),
  });
  return { media, gum };
}

describe('LocalMedia', () => {
  it('an audio call asks for the microphone only; a later video call asks for the camera only', async () => {
    const { media, gum } = setup();
    const a = await media.acquire('audio');
    expect(gum).toHaveBeenCalledTimes(1);
    expect(gum.mock.calls[0]?.[0]).toMatchObject({ video: false });
    expect(a.video).toBeNull();
    const v = await media.acquire('video');
    expect(gum).toHaveBeenCalledTimes(2);
    expect(gum.mock.calls[1]?.[0]).toMatchObject({ audio: false });
    expect(v.stream).toBe(a.stream);
    expect(v.audio).toBe(a.audio);
    expect(v.stream.getTracks()).toHaveLength(2);
  });

  it('one capture for the page: calls after the first ask for nothing (iOS allows one live capture)', async () => {
    const { media, gum } = setup();
    const first = await media.acquire('video');
    media.idle();
    expect(first.stream.getTracks().every((t) => !t.enabled)).toBe(true);
    const again = await media.acquire('video');
    expect(gum).toHaveBeenCalledTimes(1);
    expect(again.stream).toBe(first.stream);
    expect(again.audio?.enabled).toBe(true);
    expect(again.video?.enabled).toBe(true);
    // An audio call with the camera captured: the camera is kept but disabled and not handed out.
    const audio = await media.acquire('audio');
    expect(audio.video).toBeNull();
    expect(media.videoTrack?.enabled).toBe(false);
    expect(gum).toHaveBeenCalledTimes(1);
  });

  it('concurrent requests share one capture', async () => {
    const { media, gum } = setup();
    const [a, b] = await Promise.all([media.acquire('video'), media.acquire('video')]);
    expect(gum).toHaveBeenCalledTimes(1);
    expect(a.stream).toBe(b.stream);
  });

  it('a refused permission is a MediaError for people; the page can still ask later', async () => {
    const { media } = setup({ deny: true });
    const err = await media.acquire('video').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).code).toBe('blocked');
    expect((err as MediaError).message).toBe(MEDIA_TEXT.blocked);
    const audioErr = await media.acquire('audio').catch((e: unknown) => e);
    expect((audioErr as MediaError).message).toBe(MEDIA_TEXT.micBlocked);
  });

  it('no camera in a video call: audio only, with a notice', async () => {
    const { media } = setup({ camera: false });
    const r = await media.acquire('video');
    expect(r.video).toBeNull();
    expect(r.audio).not.toBeNull();
    expect(r.notice).toBe(MEDIA_TEXT.noCamera);
  });

  it('no getUserMedia (an insecure page)', async () => {
    const media = new LocalMedia({ getUserMedia: undefined, enumerateDevices: undefined, createStream: () => asStream(new FakeStream()) });
    await expect(media.acquire('audio')).rejects.toMatchObject({ code: 'insecure' });
  });

  it('switching a device ends the old track and keeps its enabled state', async () => {
    const { media, gum } = setup();
    const r = await media.acquire('video');
    const oldCam = r.video as unknown as FakeTrack;
    oldCam.enabled = false; // camera off
    const changed = vi.fn();
    media.onChange(changed);
    const next = await media.switchDevice('video', 'cam-back');
    expect(gum.mock.calls[1]?.[0]).toMatchObject({ video: { deviceId: { exact: 'cam-back' } } });
    expect(oldCam.stopped).toBe(true);
    expect(next.enabled).toBe(false);
    expect(media.videoTrack).toBe(next);
    expect(r.stream.getVideoTracks()).toEqual([next]);
    expect(changed).toHaveBeenCalled();
  });

  it('a device that cannot start keeps the old one', async () => {
    const { media, gum } = setup();
    const r = await media.acquire('audio');
    gum.mockRejectedValueOnce(named('NotReadableError'));
    await expect(media.switchDevice('audio', 'mic-x')).rejects.toMatchObject({ message: MEDIA_TEXT.switchFailed });
    expect(media.audioTrack).toBe(r.audio);
  });

  it('release stops every track; the next call captures again', async () => {
    const { media, gum } = setup();
    const r = await media.acquire('video');
    media.release();
    expect(r.stream.getTracks().every((t) => (t as unknown as FakeTrack).stopped)).toBe(true);
    expect(media.current).toBeNull();
    await media.acquire('audio');
    expect(gum).toHaveBeenCalledTimes(2);
  });

  it('an ended track (a device unplugged) is captured again', async () => {
    const { media, gum } = setup();
    const r = await media.acquire('audio');
    (r.audio as unknown as FakeTrack).stop();
    const again = await media.acquire('audio');
    expect(gum).toHaveBeenCalledTimes(2);
    expect(again.stream.getAudioTracks()).toHaveLength(1);
  });

  it('lists cameras and microphones with fallback labels', async () => {
    const d = (kind: string, deviceId: string, label = '') => ({ kind, deviceId, label }) as MediaDeviceInfo;
    const { media } = setup({
      devices: [d('videoinput', 'c1', 'Front'), d('videoinput', 'c2'), d('audioinput', 'm1', 'Mic'), d('audiooutput', 'o1'), d('audioinput', '')],
    });
    expect(await media.devices()).toEqual({
      cameras: [
        { id: 'c1', label: 'Front' },
        { id: 'c2', label: 'Camera 2' },
      ],
      microphones: [{ id: 'm1', label: 'Mic' }],
    });
  });
});
