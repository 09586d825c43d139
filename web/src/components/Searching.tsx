'use client';
// "Looking for someone…", the countdown to the fallback to anyone, "Interests only", Cancel.
import { useEffect, useRef } from 'react';

import type { Search } from '@/lib/chat/reducer';
import { useNow } from '@/lib/hooks/useNow';

import { Switch } from './Switch';

function orList(items: string[]): string {
  try {
    return new Intl.ListFormat('en', { type: 'disjunction' }).format(items);
  } catch {
    return items.join(', ');
  }
}

export function Searching(props: {
  search: Search;
  interests: string[];
  onInterestsOnly: (v: boolean) => void;
  onCancel: () => void;
}) {
  const { search, interests } = props;
  const counting = search.fallbackAt !== null && !search.interestsOnly;
  const now = useNow(counting);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => cancelRef.current?.focus(), []);

  let countdown: string | null = null;
  if (counting && search.fallbackAt !== null) {
    const s = Math.ceil((search.fallbackAt - now) / 1000);
    countdown = s > 0 ? `Anyone in ${s} s` : 'Looking for anyone…';
  }

  return (
    <main className="mx-auto flex w-full max-w-md flex-1 flex-col items-center justify-center gap-6 px-4 py-8 text-center">
      <div aria-hidden="true" className="relative size-20">
        <span className="absolute inset-0 animate-ping rounded-full bg-accent/30" />
        <span className="absolute inset-4 rounded-full bg-accent/70" />
      </div>
      <div>
        <h1 className="text-2xl font-semibold">Looking for someone…</h1>
        {interests.length > 0 ? (
          <p className="mt-2 text-muted">Someone who also likes {orList(interests)}</p>
        ) : (
          <p className="mt-2 text-muted">Anyone who is around</p>
        )}
        {countdown !== null ? (
          <p data-testid="fallback-countdown" className="mt-3 font-medium tabular-nums">
            {countdown}
          </p>
        ) : null}
      </div>
      <Switch
        label="Interests only"
        checked={search.interestsOnly}
        onCheckedChange={props.onInterestsOnly}
        disabled={interests.length === 0}
        hint={
          interests.length === 0
            ? 'Add interests on the start page to use this.'
            : 'Wait for someone who shares an interest instead of meeting anyone.'
        }
      />
      <button ref={cancelRef} type="button" onClick={props.onCancel} className="btn min-w-32">
        Cancel
      </button>
    </main>
  );
}
