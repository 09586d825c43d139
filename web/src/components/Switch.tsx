'use client';
// A labelled Radix switch (role="switch"), named by its visible label.
import * as RadixSwitch from '@radix-ui/react-switch';
import { useId } from 'react';

export function Switch(props: {
  label: string;
  /** A shorter visible label for narrow screens (the accessible name stays `label`). */
  shortLabel?: string;
  checked: boolean;
  onCheckedChange: (v: boolean) => void;
  disabled?: boolean;
  hint?: string;
  className?: string;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className={`flex items-center gap-2 ${props.className ?? ''}`}>
      <RadixSwitch.Root
        id={id}
        checked={props.checked}
        onCheckedChange={props.onCheckedChange}
        disabled={props.disabled}
        aria-describedby={props.hint ? hintId : undefined}
        aria-label={props.shortLabel ? props.label : undefined}
        className="relative inline-flex h-6 w-10 shrink-0 items-center rounded-full border border-line bg-raised transition-colors data-[state=checked]:border-transparent data-[state=checked]:bg-accent disabled:cursor-not-allowed disabled:opacity-50"
      >
        <RadixSwitch.Thumb className="block size-4.5 translate-x-0.5 rounded-full bg-white shadow ring-1 ring-black/10 transition-transform data-[state=checked]:translate-x-[1.1rem]" />
      </RadixSwitch.Root>
      <label htmlFor={id} className={`text-sm ${props.disabled ? 'text-muted' : ''}`}>
        {props.shortLabel ? (
          <>
            <span className="sm:hidden">{props.shortLabel}</span>
            <span className="max-sm:hidden">{props.label}</span>
          </>
        ) : (
          props.label
        )}
      </label>
      {props.hint ? (
        <span id={hintId} className="sr-only">
          {props.hint}
        </span>
      ) : null}
    </div>
  );
}
