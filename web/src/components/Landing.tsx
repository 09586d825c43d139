'use client';
// The landing: what Hallway is, text/video, interests, language, nickname, the age gate, Start.
import Link from 'next/link';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';

import type { Mode } from '@/lib/protocol/events';
import type { Prefs } from '@/lib/socket/client';
import { nicknameError } from '@/lib/validation';

import { InterestsInput } from './InterestsInput';
import { browserLanguage, LanguageSelect } from './LanguageSelect';
import { LogoIcon } from './icons';

export type LandingValues = Omit<Prefs, 'interestsOnly'>;

export function Landing({
  initial,
  onStart,
  ready,
}: {
  initial: LandingValues | null;
  onStart: (v: LandingValues) => void;
  /** False until the realtime client has loaded. */
  ready: boolean;
}) {
  const id = useId();
  const [interests, setInterests] = useState<string[]>(initial?.interests ?? []);
  const [language, setLanguage] = useState<string>(initial?.language ?? '');
  const [nickname, setNickname] = useState(initial?.nickname ?? '');
  const [mode, setMode] = useState<Mode>(initial?.mode ?? 'text');
  const [nickTouched, setNickTouched] = useState(false);
  const [adult, setAdult] = useState(false);
  const nickRef = useRef<HTMLInputElement>(null);

  // The browser's language is known only in the browser (the page is pre-rendered).
  useEffect(() => {
    if (!initial) setLanguage(browserLanguage());
  }, [initial]);

  const nickError = nicknameError(nickname.trim());
  const showNickError = nickTouched && nickError !== null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!adult || !ready) return;
    if (nickError) {
      setNickTouched(true);
      nickRef.current?.focus();
      return;
    }
    onStart({ mode, interests, language: language || null, nickname: nickname.trim() });
  };

  return (
    <main className="mx-auto flex w-full max-w-xl flex-1 flex-col justify-center px-4 py-6 sm:py-10">
      <div className="mb-6 text-center">
        <h1 className="flex items-center justify-center gap-2.5 text-4xl font-bold tracking-tight">
          <LogoIcon className="text-accent" width={36} height={36} />
          Hallway
        </h1>
        <p className="mt-2 text-lg text-muted">Talk to a random stranger. No sign-up, nothing kept.</p>
      </div>

      <form onSubmit={submit} noValidate className="card flex flex-col gap-5 p-5 sm:p-6" aria-label="Start a chat">
        <div>
          <div id={`${id}-mode`} className="mb-1 text-sm font-medium">
            Chat mode
          </div>
          <div role="radiogroup" aria-labelledby={`${id}-mode`} className="grid grid-cols-2 gap-2">
            {(['text', 'video'] as const).map((m) => (
              <label
                key={m}
                className={`flex items-center gap-2 rounded-lg px-3 py-2.5 has-focus-visible:outline-3 has-focus-visible:outline-offset-2 has-focus-visible:outline-focus ${
                  mode === m ? 'border-2 border-accent bg-surface' : 'border border-line hover:bg-raised'
                }`}
              >
                <input
                  type="radio"
                  name="mode"
                  value={m}
                  checked={mode === m}
                  onChange={() => setMode(m)}
                  aria-describedby={m === 'video' ? `${id}-video-note` : undefined}
                  className="size-4 accent-accent focus-visible:outline-none"
                />
                <span className="font-medium">{m === 'text' ? 'Text' : 'Video'}</span>
              </label>
            ))}
          </div>
          <p id={`${id}-video-note`} className="mt-1 text-xs text-muted">
            Video starts blurred until you both choose to show it. Text chat goes on beside it.
          </p>
        </div>

        <InterestsInput tags={interests} onChange={setInterests} />
        <LanguageSelect value={language} onChange={setLanguage} />

        <div>
          <div className="mb-1 text-sm">
            <label htmlFor={`${id}-nick`} className="font-medium">
              Nickname
            </label>{' '}
            <span className="text-muted">(optional)</span>
          </div>
          <input
            ref={nickRef}
            id={`${id}-nick`}
            type="text"
            value={nickname}
            onChange={(e) => setNickname(e.target.value)}
            onBlur={() => setNickTouched(true)}
            maxLength={40}
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            aria-invalid={showNickError ? true : undefined}
            aria-describedby={`${id}-nick-help${showNickError ? ` ${id}-nick-error` : ''}`}
            className="field h-11"
          />
          <p id={`${id}-nick-help`} className="mt-1 text-xs text-muted">
            3–20 letters, digits or _. Left empty, you get a made-up one.
          </p>
          {showNickError ? (
            <p id={`${id}-nick-error`} className="mt-1 text-sm text-danger">
              {nickError}
            </p>
          ) : null}
        </div>

        <div className="flex items-start gap-2.5">
          <input
            id={`${id}-adult`}
            type="checkbox"
            checked={adult}
            onChange={(e) => setAdult(e.target.checked)}
            className="mt-0.5 size-5 shrink-0 accent-accent"
          />
          <label htmlFor={`${id}-adult`} className="text-sm">
            I am 18 or older and accept the{' '}
            <Link href="/rules" className="font-medium text-link-theirs underline underline-offset-2">
              rules
            </Link>
          </label>
        </div>

        <button type="submit" disabled={!adult || !ready} className="btn btn-primary h-12 text-base">
          Start
        </button>
      </form>
    </main>
  );
}
