import type { Connection } from '@/lib/chat/reducer';

import { ConnectionIndicator } from './ConnectionIndicator';
import { LogoIcon } from './icons';
import { OnlineCount } from './OnlineCount';
import { SoundToggle } from './SoundToggle';
import { ThemeToggle } from './ThemeToggle';

export function Header(props: {
  online: number | null;
  connection: Connection;
  downSince: number | null;
  onReconnect: () => void;
  compact: boolean;
}) {
  return (
    <header className="flex shrink-0 items-center gap-2 border-b short:py-0.5 sm:gap-3 border-line bg-surface px-3 py-1.5 sm:px-4">
      {props.compact ? (
        <span className="flex items-center gap-2 font-semibold">
          <LogoIcon className="text-accent" width={22} height={22} />
          <span className="max-sm:hidden">Hallway</span>
        </span>
      ) : null}
      <OnlineCount online={props.online} />
      <div className="ml-auto flex items-center gap-2">
        <ConnectionIndicator connection={props.connection} downSince={props.downSince} />
        {props.connection === 'replaced' ? (
          <button type="button" className="btn min-h-8 py-1" onClick={props.onReconnect}>
            Use here
          </button>
        ) : null}
        <SoundToggle />
        <ThemeToggle />
      </div>
    </header>
  );
}
