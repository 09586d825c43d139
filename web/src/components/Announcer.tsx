// A visually hidden live region for changes of screen (searching, matched, left). Keyed by the
// announcement id, so the same words are announced again.
export function Announcer({ announcement }: { announcement: { id: number; text: string } | null }) {
  return (
    <div role="status" aria-live="polite" aria-atomic="true" className="sr-only">
      {announcement ? <span key={announcement.id}>{announcement.text}</span> : null}
    </div>
  );
}
