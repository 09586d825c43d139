import type { AppError } from '@/lib/chat/reducer';

export function ErrorBanner({ error, onRetry, onDismiss }: { error: AppError; onRetry: () => void; onDismiss: () => void }) {
  return (
    <div role="alert" className="mx-auto mt-3 flex w-[calc(100%-1.5rem)] max-w-xl flex-wrap items-center gap-3 rounded-xl border border-danger/40 bg-surface px-4 py-3 text-sm shadow-sm">
      <p className="min-w-0 flex-1 text-danger">{error.message}</p>
      <div className="flex gap-2">
        {error.retry ? (
          <button type="button" onClick={onRetry} className="btn btn-primary min-h-9 py-1">
            Try again
          </button>
        ) : null}
        <button type="button" onClick={onDismiss} className="btn min-h-9 py-1">
          Dismiss
        </button>
      </div>
    </div>
  );
}
