'use client';
import { useEffect, useState } from 'react';

import { isMuted, setMuted } from '@/lib/sound';

import { SoundIcon, SoundOffIcon } from './icons';

/** "Mute sounds": a toggle button (aria-pressed when muted), remembered. */
export function SoundToggle() {
  const [muted, setState] = useState(false);
  useEffect(() => setState(isMuted()), []);
  const toggle = () => {
    setMuted(!muted);
    setState(!muted);
  };
  return (
    <button
      type="button"
      onClick={toggle}
      aria-label="Mute sounds"
      aria-pressed={muted}
      title={muted ? 'Sounds are off' : 'Sounds are on'}
      className="btn size-10 min-h-0 p-0 short:size-8"
    >
      {muted ? <SoundOffIcon /> : <SoundIcon />}
    </button>
  );
}
