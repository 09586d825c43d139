import { describe, expect, it } from 'vitest';

import { level, readStats } from './stats';

type Stat = Record<string, unknown>;
const report = (...stats: Stat[]) => new Map(stats.map((s) => [s.id as string, s]));

const pairStats = (localType: string, remoteType: string, extra: Stat = {}) => [
  { id: 'T1', type: 'transport', selectedCandidatePairId: 'P1' },
  { id: 'P1', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', currentRoundTripTime: 0.042, state: 'succeeded', nominated: true },
  { id: 'P2', type: 'candidate-pair', localCandidateId: 'L2', remoteCandidateId: 'R1', currentRoundTripTime: 0.9, state: 'failed' },
  { id: 'L1', type: 'local-candidate', candidateType: localType },
  { id: 'L2', type: 'local-candidate', candidateType: 'host' },
  { id: 'R1', type: 'remote-candidate', candidateType: remoteType },
  ...(Object.keys(extra).length ? [extra] : []),
];

const rtp = (bytesIn: number, packetsIn: number, lost: number, frames: number, bytesOut: number) => [
  { id: 'IV', type: 'inbound-rtp', kind: 'video', bytesReceived: bytesIn, packetsReceived: packetsIn, packetsLost: lost, framesDecoded: frames },
  { id: 'IA', type: 'inbound-rtp', kind: 'audio', bytesReceived: 0, packetsReceived: 0, packetsLost: 0 },
  { id: 'OV', type: 'outbound-rtp', kind: 'video', bytesSent: bytesOut },
];

describe('readStats', () => {
  it('the selected pair: direct with host/srflx candidates, relayed when either side is a relay', () => {
    expect(readStats(report(...pairStats('host', 'srflx')), null, 0).quality).toMatchObject({ path: 'direct', localType: 'host', rttMs: 42 });
    expect(readStats(report(...pairStats('relay', 'host')), null, 0).quality).toMatchObject({ path: 'relayed', localType: 'relay' });
    expect(readStats(report(...pairStats('srflx', 'relay')), null, 0).quality.path).toBe('relayed');
  });

  it('without a transport entry (Firefox): the selected, else the nominated succeeded pair', () => {
    const ff = report(
      { id: 'P1', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', selected: true },
      { id: 'L1', type: 'local-candidate', candidateType: 'relay' },
      { id: 'R1', type: 'remote-candidate', candidateType: 'relay' },
    );
    expect(readStats(ff, null, 0).quality.path).toBe('relayed');
    const nominated = report(...pairStats('host', 'host').filter((s) => s.type !== 'transport'));
    expect(readStats(nominated, null, 0).quality.path).toBe('direct');
  });

  it('nothing selected yet: no path, no rtt, no level', () => {
    const q = readStats(report({ id: 'x', type: 'codec' }), null, 0).quality;
    expect(q).toMatchObject({ path: null, rttMs: null, lossPct: null, kbpsIn: null, level: null, newFrames: null });
  });

  it('loss, bitrate and decoded frames between two readings', () => {
    const first = readStats(report(...pairStats('host', 'host'), ...rtp(100_000, 1000, 10, 60, 50_000)), null, 10_000);
    expect(first.quality.kbpsIn).toBeNull();
    const second = readStats(
      report(...pairStats('host', 'host'), ...rtp(350_000, 1950, 60, 120, 300_000)),
      first.sample,
      12_000,
    );
    // 250 kB in 2 s = 1000 kbit/s; 50 lost of 1000 = 5 %; 60 new frames.
    expect(second.quality).toMatchObject({ kbpsIn: 1000, kbpsOut: 1000, lossPct: 5, newFrames: 60, level: 'fair' });
    const stalled = readStats(report(...rtp(350_000, 1950, 60, 120, 300_000)), second.sample, 14_000);
    expect(stalled.quality.newFrames).toBe(0);
  });

  it('the remote-inbound round trip when the pair has none; no video: no frame count', () => {
    const r = report({ id: 'RI', type: 'remote-inbound-rtp', roundTripTime: 0.3 }, { id: 'IA', type: 'inbound-rtp', kind: 'audio', bytesReceived: 1, packetsReceived: 1, packetsLost: 0 });
    const q = readStats(r, null, 0);
    expect(q.quality.rttMs).toBe(300);
    expect(q.sample.framesDecoded).toBeNull();
  });
});

describe('level', () => {
  it('good, fair and poor from rtt and loss', () => {
    expect(level(40, 0)).toBe('good');
    expect(level(300, 0)).toBe('fair');
    expect(level(40, 3)).toBe('fair');
    expect(level(600, 0)).toBe('poor');
    expect(level(null, 10)).toBe('poor');
    expect(level(null, null)).toBeNull();
  });
});
