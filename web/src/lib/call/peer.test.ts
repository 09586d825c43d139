import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { IceCandidate, SessionDescription } from '../protocol/events';
import { FakePeerConnection, FakeStream, FakeTrack, asStream, asTrack, settle } from './fake';
import { CallPeer, type PeerState } from './peer';

const offer = (ufrag = 'remote'): SessionDescription => ({ type: 'offer', sdp: `remote-offer\r\na=ice-ufrag:${ufrag}\r\n` });
const answer: SessionDescription = { type: 'answer', sdp: 'remote-answer\r\n' };
const cand = (n: number, ufrag = 'remote'): IceCandidate => ({
  candidate: `candidate:${n} 1 udp 1 127.0.0.1 ${5000 + n} typ host`,
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: ufrag,
});

function setup(polite: boolean, opts: { autoRestarts?: number } = {}) {
  const sent: SessionDescription[] = [];
  const candidates: IceCandidate[] = [];
  const states: PeerState[] = [];
  const streams: MediaStream[] = [];
  const warnings: string[] = [];
  let pc!: FakePeerConnection;
  const peer = new CallPeer(
    { iceServers: [], iceTransportPolicy: 'relay' },
    {
      createPeerConnection: (config) => {
        pc = new FakePeerConnection(config);
        return pc;
      },
      createStream: () => asStream(new FakeStream()),
      polite,
      sendDescription: (d) => sent.push(d),
      sendCandidate: (c) => candidates.push(c),
      onState: (s) => states.push(s),
      onRemoteStream: (s) => streams.push(s),
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      warn: (m) => warnings.push(m),
      ...opts,
    },
  );
  const audio = new FakeTrack('audio');
  const video = new FakeTrack('video');
  const local = { stream: asStream(new FakeStream([audio, video])), audio: asTrack(audio), video: asTrack(video) };
  return { peer, pc: () => pc, sent, candidates, states, streams, warnings, local, audio, video };
}

describe('CallPeer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('the caller offers once its tracks are added, with the configuration it was given', async () => {
    const t = setup(false);
    expect(t.pc().config.iceTransportPolicy).toBe('relay');
    t.peer.attach(t.local, true);
    await settle();
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0]?.type).toBe('offer');
    expect(t.pc().senders.map((s) => s.track)).toEqual([t.local.audio, t.local.video]);
    await t.peer.receive(answer);
    expect(t.pc().signalingState).toBe('stable');
  });

  it('an audio call sends no video and asks for none; a video call without a camera still receives video', async () => {
    const a = setup(false);
    a.peer.attach({ ...a.local, video: null }, false);
    expect(a.pc().senders).toHaveLength(1);
    expect(a.pc().transceivers).toEqual([]);
    const b = setup(false);
    b.peer.attach({ ...b.local, video: null }, true);
    expect(b.pc().transceivers).toEqual([{ kind: 'video', direction: 'recvonly' }]);
  });

  it('keeps remote candidates until the remote description is set, then adds them in order', async () => {
    const t = setup(true);
    await t.peer.addCandidate(cand(1));
    await t.peer.addCandidate(cand(2));
    expect(t.pc().candidates).toEqual([]);
    await t.peer.answer(offer() as SessionDescription<'offer'>, t.local);
    await settle();
    expect(t.pc().log).toEqual(['setRemote:offer', 'setLocal:answer']);
    expect(t.pc().senders.map((s) => s.track)).toEqual([t.local.audio, t.local.video]);
    expect(t.pc().candidates.map((c) => c.candidate)).toEqual([cand(1).candidate, cand(2).candidate]);
    await t.peer.addCandidate(cand(3));
    expect(t.pc().candidates).toHaveLength(3);
    // The callee answers, and makes no offer of its own.
    expect(t.sent.map((d) => d.type)).toEqual(['answer']);
    expect(t.warnings).toEqual([]);
  });

  it('glare, polite: rolls its own offer back and answers the other one', async () => {
    const t = setup(true);
    t.peer.attach(t.local, true);
    await settle();
    expect(t.pc().signalingState).toBe('have-local-offer');
    await t.peer.receive(offer());
    expect(t.pc().log).toEqual(['setLocal:offer', 'setLocal:rollback', 'setRemote:offer', 'setLocal:answer']);
    expect(t.sent.map((d) => d.type)).toEqual(['offer', 'answer']);
    expect(t.pc().signalingState).toBe('stable');
  });

  it('glare, impolite: ignores the other offer and its candidates; its own offer goes on', async () => {
    const t = setup(false);
    t.peer.attach(t.local, true);
    await settle();
    await t.peer.receive(offer('theirs'));
    await t.peer.addCandidate(cand(1, 'theirs'));
    expect(t.pc().log).toEqual(['setLocal:offer']);
    expect(t.pc().signalingState).toBe('have-local-offer');
    await t.peer.receive(answer);
    await t.peer.addCandidate(cand(2, 'remote'));
    expect(t.pc().candidates.map((c) => c.usernameFragment)).toEqual(['remote']);
    expect(t.warnings).toEqual([]);
  });

  it('an answer that arrives when no offer is out is dropped, not an error', async () => {
    const t = setup(false);
    await t.peer.receive(answer);
    expect(t.pc().log).toEqual([]);
  });

  it('sends its candidates without null fields, and not the end-of-gathering event', () => {
    const t = setup(false);
    t.pc().gather({ candidate: 'candidate:1 1 udp 1 10.0.0.1 1 typ host', sdpMid: '0', sdpMLineIndex: null, usernameFragment: 'u' });
    t.pc().gather(null);
    t.pc().gather({ candidate: '' });
    expect(t.candidates).toEqual([{ candidate: 'candidate:1 1 udp 1 10.0.0.1 1 typ host', sdpMid: '0', usernameFragment: 'u' }]);
  });

  it('gathers the remote tracks in one stream', () => {
    const t = setup(false);
    const a = new FakeTrack('audio');
    const v = new FakeTrack('video');
    t.pc().remoteTrack(a);
    t.pc().remoteTrack(v);
    expect(t.streams).toHaveLength(2);
    expect(t.streams[0]).toBe(t.streams[1]);
    expect(t.streams[1]?.getTracks()).toEqual([a, v]);
  });

  it('restarts ICE when it fails, and shows "failed" only when the restarts did not help', async () => {
    const t = setup(false, { autoRestarts: 2 });
    t.peer.attach(t.local, true);
    await settle();
    await t.peer.receive(answer);
    t.pc().setIceState('connected');
    expect(t.states).toEqual(['connected']);
    t.pc().setIceState('failed');
    expect(t.pc().restarts).toBe(1);
    expect(t.states.at(-1)).toBe('connecting');
    await settle();
    // The restart is a new offer (renegotiation).
    expect(t.sent.at(-1)?.sdp).toContain('ice-restart');
    await t.peer.receive(answer);
    t.pc().setIceState('failed');
    expect(t.pc().restarts).toBe(2);
    t.pc().setIceState('failed');
    expect(t.states.at(-1)).toBe('failed');
    // Retry: one more restart, and a success resets the count.
    t.peer.retry();
    expect(t.pc().restarts).toBe(3);
    expect(t.states.at(-1)).toBe('connecting');
    t.pc().setIceState('connected');
    expect(t.states.at(-1)).toBe('connected');
  });

  it('restarts ICE when "disconnected" lasts, not for a blip', () => {
    const t = setup(false);
    t.pc().setIceState('connected');
    t.pc().setIceState('disconnected');
    vi.advanceTimersByTime(2000);
    t.pc().setIceState('connected');
    vi.advanceTimersByTime(5000);
    expect(t.pc().restarts).toBe(0);
    t.pc().setIceState('disconnected');
    vi.advanceTimersByTime(4000);
    expect(t.pc().restarts).toBe(1);
  });

  it('a restart that takes too long counts as failed', () => {
    const t = setup(false, { autoRestarts: 1 });
    t.pc().setIceState('failed');
    expect(t.pc().restarts).toBe(1);
    vi.advanceTimersByTime(15_000);
    expect(t.states.at(-1)).toBe('failed');
  });

  it('camera off sends nothing: the video sender carries no track', async () => {
    const t = setup(false);
    t.peer.attach(t.local, true);
    await t.peer.setVideoTrack(null);
    expect(t.pc().senders[1]?.track).toBeNull();
    await t.peer.setVideoTrack(t.local.video);
    expect(t.pc().senders[1]?.track).toBe(t.local.video);
  });

  it('close stops everything; nothing is sent afterwards', async () => {
    const t = setup(false);
    t.peer.attach(t.local, true);
    t.peer.close();
    await settle();
    expect(t.pc().closed).toBe(true);
    expect(t.sent).toEqual([]);
    expect(t.states).toEqual(['closed']);
    await t.peer.receive(offer());
    expect(t.pc().log).toEqual([]);
  });
});
