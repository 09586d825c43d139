'use client';
// Consent-first video: the stranger's video stays blurred until both have pressed "Show video";
// either can blur it again. Both states are shown on both sides.
export function revealText(mine: boolean, theirs: boolean): string {
  if (mine && theirs) return 'Shown to both of you — either can blur it again.';
  if (mine) return 'Waiting for the stranger to agree';
  if (theirs) return 'The stranger agreed to show video — press Show video to see each other.';
  return 'Video is blurred until you both press Show video.';
}

export function RevealButton({
  mine,
  disabled,
  onReveal,
  className = '',
}: {
  mine: boolean;
  disabled: boolean;
  onReveal: (reveal: boolean) => void;
  className?: string;
}) {
  return (
    <button
      type="button"
      disabled={disabled}
      onClick={() => onReveal(!mine)}
      className={`btn ${mine ? '' : 'btn-primary'} ${className}`}
    >
      {mine ? 'Blur video' : 'Show video'}
    </button>
  );
}
