'use client';
// "Report this stranger": a reason (required) and an optional note; the chat ends and the two
// are never paired again.
import * as Dialog from '@radix-ui/react-dialog';
import { useId, useState, type FormEvent } from 'react';

import type { ReportReason } from '@/lib/protocol/events';
import type { ReportResult } from '@/lib/socket/client';
import { MAX_NOTE_CHARS } from '@/lib/validation';

import { FlagIcon } from './icons';

const REASONS: [ReportReason, string][] = [
  ['spam', 'Spam or scam'],
  ['harassment', 'Harassment or hate'],
  ['sexual', 'Sexual content'],
  ['underage', 'Appears to be under 18'],
  ['violence', 'Violence or threats'],
  ['other', 'Something else'],
];

export function ReportDialog(props: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onReport: (reason: ReportReason, note: string) => Promise<ReportResult>;
  disabled: boolean;
}) {
  const id = useId();
  const [reason, setReason] = useState<ReportReason | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const openChange = (open: boolean) => {
    if (open) {
      setReason(null);
      setNote('');
      setError(null);
    }
    props.onOpenChange(open);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!reason || busy) return;
    setBusy(true);
    setError(null);
    const r = await props.onReport(reason, note);
    setBusy(false);
    if (r.ok) props.onOpenChange(false);
    else setError(r.message);
  };

  return (
    <Dialog.Root open={props.open} onOpenChange={openChange}>
      <Dialog.Trigger asChild>
        <button type="button" className="btn btn-danger min-h-9 px-2.5 py-1.5 short:min-h-8 short:py-1" disabled={props.disabled} aria-label="Report" title="Report this stranger">
          <FlagIcon />
          <span aria-hidden="true" className="max-md:hidden">
            Report
          </span>
        </button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
        <Dialog.Content className="card fixed left-1/2 top-1/2 z-50 max-h-[calc(100dvh-2rem)] w-[calc(100vw-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 overflow-y-auto p-5 text-ink">
          <Dialog.Title className="text-lg font-semibold">Report this stranger</Dialog.Title>
          <Dialog.Description className="mt-1 text-sm text-muted">
            The chat ends and you will not be matched with them again.
          </Dialog.Description>
          <form onSubmit={submit} className="mt-4 flex flex-col gap-4">
            <div>
              <div id={`${id}-reason`} className="mb-1.5 text-sm font-medium">
                Reason
              </div>
              <div role="radiogroup" aria-labelledby={`${id}-reason`} aria-required="true" className="flex flex-col gap-1 short:grid short:grid-cols-2">
                {REASONS.map(([value, label]) => (
                  <label key={value} className="flex items-center gap-2.5 rounded-lg px-2 py-1.5 hover:bg-raised">
                    <input
                      type="radio"
                      name="reason"
                      value={value}
                      checked={reason === value}
                      onChange={() => setReason(value)}
                      className="size-4 accent-accent"
                    />
                    {label}
                  </label>
                ))}
              </div>
            </div>
            <div>
              <label htmlFor={`${id}-note`} className="mb-1 block text-sm font-medium">
                Note (optional)
              </label>
              <textarea
                id={`${id}-note`}
                value={note}
                onChange={(e) => setNote(e.target.value)}
                maxLength={MAX_NOTE_CHARS}
                rows={3}
                className="field resize-y short:h-16"
              />
            </div>
            {error ? (
              <p role="alert" className="text-sm text-danger">
                {error}
              </p>
            ) : null}
            <div className="flex justify-end gap-2">
              <Dialog.Close asChild>
                <button type="button" className="btn">
                  Cancel
                </button>
              </Dialog.Close>
              <button type="submit" className="btn btn-primary" disabled={!reason || busy}>
                Send report
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
