/** Origin of the hallway server: empty (same origin) in production; `next dev` sets
 *  NEXT_PUBLIC_HALLWAY_ORIGIN (e.g. http://localhost:3000). */
export const ORIGIN = (process.env.NEXT_PUBLIC_HALLWAY_ORIGIN ?? '').replace(/\/+$/, '');
