'use client';
// The incoming-call dialog: who calls how, the ring countdown, Accept / Decline. Esc declines;
// a click beside the dialog does nothing (no call is declined by accident).
import * as Dialog from '@radix-ui/react-dialog';

import type { CallType } from '@/lib/protocol/events';
import { useNow } from '@/lib/hooks/useNow';

import { HangUpIcon, PhoneIcon, VideoIcon } from '../icons';

export function IncomingCall(props: {
  open: boolean;
  callType: CallType | null;
  ringEndsAt: number | null;
  onAccept: () => void;
  onDecline: () => void;
}) {
  const now = useNow(props.open, 250);
  const left = props.ringEndsAt === null ? null : Math.max(0, Math.ceil((props.ringEndsAt - now) / 1000));
  const video = props.callType === 'video';
  return (
    <Dialog.Root open={props.open} onOpenChange={(open) => !open && props.onDecline()}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
        <Dialog.Content
          onPointerDownOutside={(e) => e.preventDefault()}
          onInteractOutside={(e) => e.preventDefault()}
          className="card fixed left-1/2 top-1/2 z-50 w-[calc(100vw-2rem)] max-w-sm -translate-x-1/2 -translate-y-1/2 p-5 text-center text-ink"
        >
          <div className="mx-auto mb-3 flex size-14 items-center justify-center rounded-full bg-accent text-on-accent motion-safe:animate-pulse" aria-hidden="true">
            {video ? <VideoIcon width={28} height={28} /> : <PhoneIcon width={28} height={28} />}
          </div>
          <Dialog.Title className="text-lg font-semibold">{video ? 'Incoming video call' : 'Incoming audio call'}</Dialog.Title>
          <Dialog.Description className="mt-1 text-sm text-muted">
            {video
              ? 'The stranger is calling you. Video stays blurred until you both choose to show it.'
              : 'The stranger is calling you.'}
          </Dialog.Description>
          {left !== null ? (
            <p className="mt-2 text-sm tabular-nums" role="timer" aria-label="Ringing time left" data-testid="ring-countdown">
              Ringing · {left} s
            </p>
          ) : null}
          <div className="mt-4 flex justify-center gap-3">
            <button type="button" className="btn btn-danger min-w-28" onClick={props.onDecline}>
              <HangUpIcon />
              Decline
            </button>
            <button type="button" className="btn btn-primary min-w-28" onClick={props.onAccept} autoFocus>
              {video ? <VideoIcon /> : <PhoneIcon />}
              Accept
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
