'use client';
// The chat screen's uploads (one FileUploads for the screen's lifetime) and what its controls
// call. Uploads belong to one chat: its end, leaving it or a new one stops them (the server
// deletes a chat's files with it).
import { useEffect, useMemo } from 'react';

import type { Phase } from '../chat/reducer';
import { ORIGIN } from '../config';
import { voiceFileName } from '../files/format';
import { voiceSeconds } from '../files/recorder';
import { FileUploads, type FileUploadsDeps } from '../files/uploads';
import { uuid } from '../socket/uuid';

export interface FileControls {
  /** Sends each file on its own. */
  add: (files: File[]) => void;
  voice: (note: Blob, seconds: number) => void;
  cancel: (id: string) => void;
  retry: (id: string) => void;
  remove: (id: string) => void;
}

export function useFileUploads(
  deps: Pick<FileUploadsDeps, 'dispatch' | 'token' | 'refreshToken' | 'sendFile'>,
  phase: Phase,
  roomId: string | null,
): FileControls {
  const uploads = useMemo(() => new FileUploads({ ...deps, origin: ORIGIN, newId: uuid, now: Date.now }), [deps]);

  useEffect(() => {
    if (phase !== 'chatting') uploads.cancelAll();
  }, [phase, roomId, uploads]);
  useEffect(() => () => uploads.cancelAll(), [uploads]);

  return useMemo(
    () => ({
      add: (files) => {
        for (const f of files) uploads.add(f);
      },
      voice: (note, seconds) =>
        void uploads.add(note, { voiceDuration: voiceSeconds(seconds), name: voiceFileName(note.type) }),
      cancel: (id) => uploads.cancel(id),
      retry: (id) => uploads.retry(id),
      remove: (id) => uploads.remove(id),
    }),
    [uploads],
  );
}
