/** Origin of the hallway server: empty (same origin) in production; `next dev` sets
 *  NEXT_PUBLIC_HALLWAY_ORIGIN (e.g. http://localhost:3000). */
export const ORIGIN = (process.env.NEXT_PUBLIC_HALLWAY_ORIGIN ?? '').replace(/\/+$/, '');

/** The largest file the server accepts by default (its files size limit: 10 MiB). A deployment
 *  may configure another one: the server's 413 is what counts; this constant only spares a
 *  pointless upload of a file that is surely too large. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Voice notes: the server accepts 1–300 s (X-Voice-Duration). A recording stops and is sent at
 *  the upper limit; a shorter one than the lower limit is discarded. */
export const MAX_VOICE_SECONDS = 300;
export const MIN_VOICE_SECONDS = 1;
