// A call's connection quality from RTCPeerConnection.getStats(): the selected candidate pair
// (relayed through TURN or direct), round-trip time, packet loss and bitrate between two
// readings, and whether the remote video still decodes frames. Pure functions over the report.

export type Path = 'direct' | 'relayed';
export type Level = 'good' | 'fair' | 'poor';

/** The cumulative counters of one reading (for the differences to the next one). */
export interface Sample {
  at: number;
  bytesIn: number;
  bytesOut: number;
  packetsIn: number;
  packetsLost: number;
  /** Remote video frames decoded so far; null: no video received. */
  framesDecoded: number | null;
}

export interface Quality {
  path: Path | null;
  /** The selected pair's local candidate type (host, srflx, prflx, relay). */
  localType: string | null;
  rttMs: number | null;
  /** Received packets lost since the previous reading, in percent. */
  lossPct: number | null;
  kbpsIn: number | null;
  kbpsOut: number | null;
  level: Level | null;
  /** Remote video frames decoded since the previous reading (null: unknown or no video). */
  newFrames: number | null;
}

type Stat = Record<string, unknown>;
type Report = { forEach(fn: (value: Stat, key: string) => void): void };

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function index(report: Report): Map<string, Stat> {
  const m = new Map<string, Stat>();
  report.forEach((v, k) => m.set(typeof v.id === 'string' ? v.id : k, v));
  return m;
}

/** The pair ICE uses now: the transport's selected pair, else a selected or nominated one. */
export function selectedPair(stats: Map<string, Stat>): Stat | null {
  for (const s of stats.values()) {
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
      const p = stats.get(s.selectedCandidatePairId);
      if (p) return p;
    }
  }
  let nominated: Stat | null = null;
  for (const s of stats.values()) {
    if (s.type !== 'candidate-pair') continue;
    if (s.selected === true) return s;
    if (s.nominated === true && s.state === 'succeeded') nominated ??= s;
  }
  return nominated;
}

export function level(rttMs: number | null, lossPct: number | null): Level | null {
  if (rttMs === null && lossPct === null) return null;
  const rtt = rttMs ?? 0;
  const loss = lossPct ?? 0;
  if (loss > 8 || rtt > 500) return 'poor';
  if (loss > 2 || rtt > 250) return 'fair';
  return 'good';
}

/** Reads one report; `prev` (the last sample) gives the rates. */
export function readStats(report: Report, prev: Sample | null, now: number): { quality: Quality; sample: Sample } {
  const stats = index(report);
  const pair = selectedPair(stats);
  let path: Path | null = null;
  let localType: string | null = null;
  let rttMs: number | null = null;
  if (pair) {
    const local = typeof pair.localCandidateId === 'string' ? stats.get(pair.localCandidateId) : undefined;
    const remote = typeof pair.remoteCandidateId === 'string' ? stats.get(pair.remoteCandidateId) : undefined;
    localType = typeof local?.candidateType === 'string' ? local.candidateType : null;
    if (local || remote) path = local?.candidateType === 'relay' || remote?.candidateType === 'relay' ? 'relayed' : 'direct';
    const rtt = num(pair.currentRoundTripTime);
    if (rtt !== null) rttMs = Math.round(rtt * 1000);
  }
  const sample: Sample = { at: now, bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsLost: 0, framesDecoded: null };
  let remoteRtt: number | null = null;
  for (const s of stats.values()) {
    if (s.type === 'inbound-rtp') {
      sample.bytesIn += num(s.bytesReceived) ?? 0;
      sample.packetsIn += num(s.packetsReceived) ?? 0;
      sample.packetsLost += Math.max(0, num(s.packetsLost) ?? 0);
      const frames = s.kind === 'video' ? num(s.framesDecoded) : null;
      if (frames !== null) sample.framesDecoded = (sample.framesDecoded ?? 0) + frames;
    } else if (s.type === 'outbound-rtp') {
      sample.bytesOut += num(s.bytesSent) ?? 0;
    } else if (s.type === 'remote-inbound-rtp') {
      remoteRtt ??= num(s.roundTripTime);
    }
  }
  if (rttMs === null && remoteRtt !== null) rttMs = Math.round(remoteRtt * 1000);

  let lossPct: number | null = null;
  let kbpsIn: number | null = null;
  let kbpsOut: number | null = null;
  let newFrames: number | null = null;
  if (prev && now > prev.at) {
    const secs = (now - prev.at) / 1000;
    kbpsIn = Math.max(0, Math.round(((sample.bytesIn - prev.bytesIn) * 8) / 1000 / secs));
    kbpsOut = Math.max(0, Math.round(((sample.bytesOut - prev.bytesOut) * 8) / 1000 / secs));
    const lost = Math.max(0, sample.packetsLost - prev.packetsLost);
    const got = Math.max(0, sample.packetsIn - prev.packetsIn);
    if (lost + got > 0) lossPct = Math.round((lost / (lost + got)) * 1000) / 10;
    if (sample.framesDecoded !== null && prev.framesDecoded !== null) {
      newFrames = Math.max(0, sample.framesDecoded - prev.framesDecoded);
    }
  }
  return {
    quality: { path, localType, rttMs, lossPct, kbpsIn, kbpsOut, level: level(rttMs, lossPct), newFrames },
    sample,
  };
}
