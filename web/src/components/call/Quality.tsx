'use client';
// The connection's quality (from getStats every 2 s) and its path: "direct" (peer to peer) or
// "relayed" (through the TURN server).
import type { Quality as Q } from '@/lib/call/stats';

const LEVEL_TEXT = { good: 'Good', fair: 'Fair', poor: 'Poor' } as const;
const BARS = { good: 3, fair: 2, poor: 1 } as const;

export function Quality({ quality }: { quality: Q | null }) {
  const lvl = quality?.level ?? null;
  const bars = lvl ? BARS[lvl] : 0;
  const details = [
    quality?.rttMs != null ? `${quality.rttMs} ms` : null,
    quality?.lossPct != null ? `${quality.lossPct}% loss` : null,
    quality?.kbpsIn != null ? `${quality.kbpsIn} kbit/s` : null,
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <span
      data-testid="call-quality"
      data-path={quality?.path ?? ''}
      data-local-candidate={quality?.localType ?? ''}
      data-level={lvl ?? ''}
      title={details || undefined}
      className="inline-flex items-center gap-1.5 rounded-full bg-black/55 px-2 py-0.5 text-xs text-white"
    >
      <span aria-hidden="true" className="flex h-3 items-end gap-px">
        {[1, 2, 3].map((i) => (
          <span key={i} className={`w-1 rounded-sm ${i <= bars ? (lvl === 'poor' ? 'bg-red-400' : lvl === 'fair' ? 'bg-amber-300' : 'bg-emerald-400') : 'bg-white/35'}`} style={{ height: `${i * 4}px` }} />
        ))}
      </span>
      <span>
        {lvl ? `${LEVEL_TEXT[lvl]} connection` : 'Measuring…'}
        {quality?.path ? ` · ${quality.path === 'relayed' ? 'relayed' : 'direct'}` : ''}
        {details ? <span className="max-sm:hidden"> · {details}</span> : null}
      </span>
    </span>
  );
}
