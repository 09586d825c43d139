'use client';
// The chat's toolbar: auto-find, Stop, Report, Save chat log.
import type { ReportReason } from '@/lib/protocol/events';
import type { ReportResult } from '@/lib/socket/client';

import { DownloadIcon, StopIcon } from './icons';
import { ReportDialog } from './ReportDialog';
import { Switch } from './Switch';

export function ChatActions(props: {
  autoFind: boolean;
  onAutoFind: (v: boolean) => void;
  onStop: () => void;
  onSave: () => void;
  reportOpen: boolean;
  onReportOpen: (open: boolean) => void;
  onReport: (reason: ReportReason, note: string) => Promise<ReportResult>;
  canReport: boolean;
}) {
  return (
    <div className="flex flex-wrap items-center gap-x-1.5 gap-y-1.5 sm:gap-x-2">
      <Switch label="Auto-find a new stranger" shortLabel="Auto-find" checked={props.autoFind} onCheckedChange={props.onAutoFind} className="mr-auto" />
      <button type="button" onClick={props.onStop} className="btn min-h-9 px-2.5 py-1.5 short:min-h-8 short:py-1" aria-label="Stop" title="Stop: leave the chat">
        <StopIcon />
        <span aria-hidden="true" className="max-md:hidden">
          Stop
        </span>
      </button>
      <ReportDialog
        open={props.reportOpen}
        onOpenChange={props.onReportOpen}
        onReport={props.onReport}
        disabled={!props.canReport}
      />
      <button type="button" onClick={props.onSave} className="btn min-h-9 px-2.5 py-1.5 short:min-h-8 short:py-1" aria-label="Save chat log" title="Save chat log (stays on this device)">
        <DownloadIcon />
        <span aria-hidden="true" className="max-md:hidden">
          Save chat log
        </span>
      </button>
    </div>
  );
}
