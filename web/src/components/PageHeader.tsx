'use client';
// The header of pages outside the chat flow (/rules): the online count over REST, the
// connection indicator (no socket here: empty) and the theme toggle.
import { useCallback, useState } from 'react';

import { ORIGIN } from '@/lib/config';
import { useStatsPolling } from '@/lib/hooks/useStatsPolling';

import { Header } from './Header';

export function PageHeader() {
  const [online, setOnline] = useState<number | null>(null);
  const onOnline = useCallback((n: number) => setOnline(n), []);
  useStatsPolling(true, ORIGIN, onOnline);
  return <Header online={online} connection="idle" downSince={null} onReconnect={() => undefined} compact />;
}
