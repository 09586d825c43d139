import type { NextConfig } from 'next';

// A static export served by the hallway server at `/` (same origin as /api and /socket.io).
const config: NextConfig = {
  output: 'export',
  images: { unoptimized: true },
  trailingSlash: false,
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
