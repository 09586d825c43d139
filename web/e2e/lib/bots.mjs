// Scripted strangers: socket.io-client guests (the integration tests' helpers) that wait in the
// queue, get matched with a browser page and leave. They are cheap partners for steps that need
// a chat but no second browser (e.g. giving a guest three other recent partners).

import { assertAckOk, closeAllGuests, emitAck, guest, waitPayload } from
  '../../../server/test/integration/lib/chat.mjs';

export { closeAllGuests, emitAck, waitPayload };

/** A guest that is already searching (user:match, text) with `interests`. */
export async function searchingBot(server, interests = []) {
  const bot = await guest(server.url, { interests });
  assertAckOk(await emitAck(bot.socket, 'user:match', { mode: 'text' }), 'bot user:match');
  return bot;
}

/** Resolves the bot's user:matched payload. */
export function botMatched(bot, timeoutMs = 15000) {
  return waitPayload(bot.socket, 'user:matched', { timeoutMs });
}

/** The bot leaves its chat (chat:leave) and disconnects. */
export async function botLeaves(bot) {
  assertAckOk(await emitAck(bot.socket, 'chat:leave'), 'bot chat:leave');
  bot.socket.disconnect();
}
