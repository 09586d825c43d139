'use client';
// The body of a message that is a file: its upload while on its way, then a preview by kind
// (image, video, voice note, audio) or a card with a Download link; after the chat ended,
// "No longer available".
import type { OwnMessage, StrangerMessage } from '@/lib/chat/reducer';
import type { FileInfo } from '@/lib/protocol/events';

import { FileCard, GoneCard } from './FileCard';
import { ImagePreview, VideoPreview } from './MediaPreview';
import { UploadCard, type UploadActions } from './UploadCard';
import { AudioPreview, VoicePlayer } from './VoicePlayer';

export interface FileActions extends UploadActions {
  view: (f: FileInfo) => void;
}

export function FileBody({ m, on }: { m: (OwnMessage | StrangerMessage) & { file: FileInfo }; on: FileActions }) {
  const mine = m.kind === 'me';
  const f = m.file;
  if (m.kind === 'me' && m.upload) return <UploadCard id={m.id} f={f} upload={m.upload} on={on} />;
  if (m.gone) return <GoneCard f={f} />;
  switch (f.kind) {
    case 'image':
      return <ImagePreview f={f} mine={mine} onView={on.view} />;
    case 'video':
      return <VideoPreview f={f} mine={mine} />;
    case 'voice':
      return <VoicePlayer f={f} mine={mine} />;
    case 'audio':
      return <AudioPreview f={f} mine={mine} />;
    default:
      return <FileCard f={f} mine={mine} />;
  }
}
