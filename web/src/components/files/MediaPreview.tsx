'use client';
// Images and videos in the chat. The stranger's are blurred behind a "Show image" / "Show video"
// button until clicked (unsolicited explicit images are the abuse random-chat users report most);
// one's own are shown as they are. A shown image opens large on click or Enter.
import { useId, useState } from 'react';

import type { FileInfo } from '@/lib/protocol/events';

import { EyeIcon } from '../icons';

// A fixed box: the list does not jump when the picture arrives.
const BOX = 'h-44 w-60 max-w-full sm:h-52 sm:w-72';

function Veil({ what, nameId, onShow }: { what: 'image' | 'video'; nameId: string; onShow: () => void }) {
  return (
    <div className="absolute inset-0 flex flex-col items-center justify-center gap-2 bg-black/45 p-3 text-center text-white">
      <button
        type="button"
        onClick={onShow}
        aria-describedby={nameId}
        className="inline-flex min-h-10 items-center gap-1.5 rounded-lg bg-white/95 px-3 py-2 text-sm font-semibold text-gray-900 shadow hover:bg-white"
      >
        <EyeIcon />
        {what === 'image' ? 'Show image' : 'Show video'}
      </button>
      <p className="text-xs leading-snug">
        Blurred for your safety: the stranger&apos;s {what === 'image' ? 'images' : 'videos'} stay hidden until you choose
        to see them.
      </p>
    </div>
  );
}

export function ImagePreview({ f, mine, onView }: { f: FileInfo; mine: boolean; onView: (f: FileInfo) => void }) {
  const [shown, setShown] = useState(mine);
  const nameId = useId();
  return (
    <figure data-testid="image-preview" data-shown={shown} className={`relative overflow-hidden rounded-xl bg-black/20 ${BOX}`}>
      {shown ? (
        <button type="button" onClick={() => onView(f)} aria-label={`Enlarge ${f.name}`} className="block size-full">
          <img src={f.url} alt={f.name} decoding="async" className="size-full object-cover" />
        </button>
      ) : (
        <>
          <img src={f.url} alt="" aria-hidden="true" decoding="async" className="size-full scale-125 object-cover blur-2xl" />
          <Veil what="image" nameId={nameId} onShow={() => setShown(true)} />
        </>
      )}
      <figcaption id={nameId} className="sr-only">
        {f.name}
      </figcaption>
    </figure>
  );
}

export function VideoPreview({ f, mine }: { f: FileInfo; mine: boolean }) {
  const [shown, setShown] = useState(mine);
  const nameId = useId();
  return (
    <figure data-testid="video-preview" data-shown={shown} className={`relative overflow-hidden rounded-xl bg-black ${BOX}`}>
      {shown ? (
        <video src={f.url} controls playsInline preload="metadata" aria-label={f.name} className="size-full object-contain" />
      ) : (
        <>
          <video src={f.url} muted playsInline preload="metadata" tabIndex={-1} aria-hidden="true" className="size-full scale-125 object-cover blur-2xl" />
          <Veil what="video" nameId={nameId} onShow={() => setShown(true)} />
        </>
      )}
      <figcaption id={nameId} className="sr-only">
        {f.name}
      </figcaption>
    </figure>
  );
}
