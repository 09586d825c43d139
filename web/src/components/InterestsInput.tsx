'use client';
// Tag input with the API's rules: Enter or comma adds, Backspace in an empty field removes the
// last tag, each tag has its own remove button.
import { useId, useState, type ChangeEvent, type KeyboardEvent } from 'react';

import { addInterests, MAX_INTERESTS } from '@/lib/validation';

import { CloseIcon } from './icons';

export function InterestsInput({ tags, onChange }: { tags: string[]; onChange: (tags: string[]) => void }) {
  const id = useId();
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);

  const commit = (raws: string[]) => {
    const r = addInterests(tags, raws);
    setError(r.error);
    if (r.tags.length !== tags.length) onChange(r.tags);
  };

  const onInput = (e: ChangeEvent<HTMLInputElement>) => {
    const v = e.target.value;
    if (!v.includes(',')) return setDraft(v);
    // Typed or pasted commas: everything before the last comma becomes tags.
    const parts = v.split(',');
    const rest = parts.pop() ?? '';
    commit(parts);
    setDraft(rest);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      if (draft.trim()) commit([draft]);
      setDraft('');
    } else if (e.key === 'Backspace' && draft === '' && tags.length > 0) {
      e.preventDefault();
      onChange(tags.slice(0, -1));
      setError(null);
    }
  };

  const remove = (tag: string) => {
    onChange(tags.filter((t) => t !== tag));
    setError(null);
  };

  return (
    <div>
      <div className="mb-1 text-sm">
        <label htmlFor={id} className="font-medium">
          Interests
        </label>{' '}
        <span className="text-muted">(optional)</span>
      </div>
      <div className="field flex min-h-11 flex-wrap items-center gap-1.5 py-1.5 focus-within:outline-3 focus-within:outline-offset-2 focus-within:outline-focus">
        {tags.length > 0 ? (
        <ul className="flex flex-wrap gap-1.5" aria-label="Your interests">
          {tags.map((tag) => (
            <li key={tag} className="flex items-center gap-1 rounded-full bg-raised py-0.5 pl-2.5 pr-1 text-sm">
              <span>{tag}</span>
              <button
                type="button"
                onClick={() => remove(tag)}
                aria-label={`Remove interest ${tag}`}
                className="grid size-6 place-items-center rounded-full text-muted hover:bg-line hover:text-ink"
              >
                <CloseIcon width={14} height={14} />
              </button>
            </li>
          ))}
        </ul>
        ) : null}
        <input
          id={id}
          type="text"
          value={draft}
          onChange={onInput}
          onKeyDown={onKeyDown}
          onBlur={() => {
            if (draft.trim()) commit([draft]);
            setDraft('');
          }}
          placeholder={tags.length ? '' : 'music, films, travel…'}
          aria-describedby={`${id}-help${error ? ` ${id}-error` : ''}`}
          aria-invalid={error ? true : undefined}
          enterKeyHint="enter"
          autoComplete="off"
          autoCapitalize="off"
          className="min-w-[8ch] flex-1 bg-transparent py-1 outline-none"
        />
      </div>
      <p id={`${id}-help`} className="mt-1 text-xs text-muted">
        Press Enter or comma to add. Up to {MAX_INTERESTS}, each 1–30 characters. We try to match you
        with someone who shares one.
      </p>
      {error ? (
        <p id={`${id}-error`} className="mt-1 text-sm text-danger">
          {error}
        </p>
      ) : null}
    </div>
  );
}
