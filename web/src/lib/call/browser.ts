// The call controller wired to the browser's WebRTC and media APIs. Loaded in its own chunk once
// the page leaves the landing (the landing's first load stays small).
import { ORIGIN } from '../config';
import type { ChatClient } from '../socket/client';
import { CallController } from './controller';
import { IceServers } from './ice';
import { LocalMedia } from './media';
import type { PeerConnectionLike } from './peer';

export function createCallController(client: ChatClient): CallController {
  const md = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
  const media = new LocalMedia({
    getUserMedia: md?.getUserMedia ? (c) => md.getUserMedia(c) : undefined,
    enumerateDevices: md?.enumerateDevices ? () => md.enumerateDevices() : undefined,
    createStream: (tracks) => new MediaStream(tracks),
  });
  const ice = new IceServers({
    fetch: (input, init) => window.fetch(input, init),
    origin: ORIGIN,
    token: () => client.token(),
    refreshToken: () => client.refreshToken(),
    now: Date.now,
  });
  return new CallController({
    link: client.callLink(),
    media,
    ice,
    peer: {
      createPeerConnection: (config) => new RTCPeerConnection(config) as unknown as PeerConnectionLike,
      createStream: () => new MediaStream(),
    },
    now: Date.now,
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (h) => window.clearTimeout(h as number),
  });
}
