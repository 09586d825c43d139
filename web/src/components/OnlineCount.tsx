export function OnlineCount({ online }: { online: number | null }) {
  return (
    <span className="flex items-center gap-1.5 text-sm text-muted">
      {online !== null ? <span aria-hidden="true" className="size-2 rounded-full bg-ok" /> : null}
      <span data-testid="online-count">{online !== null ? `${online} online` : ''}</span>
    </span>
  );
}
