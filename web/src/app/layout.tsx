import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';

import './globals.css';

export const metadata: Metadata = {
  title: 'Hallway — talk to a stranger',
  description: 'Anonymous one-to-one text chat with a random stranger. No sign-up, nothing kept.',
  applicationName: 'Hallway',
  manifest: '/manifest.webmanifest',
  icons: {
    icon: [{ url: '/icons/icon.svg', type: 'image/svg+xml' }],
    apple: [{ url: '/icons/icon-192.png' }],
  },
  appleWebApp: { capable: true, title: 'Hallway', statusBarStyle: 'default' },
  formatDetection: { telephone: false, email: false, address: false },
  referrer: 'no-referrer',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  viewportFit: 'cover',
  // The on-screen keyboard shrinks the layout: the composer stays above it.
  interactiveWidget: 'resizes-content',
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#ffffff' },
    { media: '(prefers-color-scheme: dark)', color: '#161b22' },
  ],
  colorScheme: 'light dark',
};

// Applies a stored explicit theme before the first paint (no flash of the wrong theme on a page
// loaded directly). The server allows this inline script by its sha256, computed per page;
// ThemeToggle owns the same key and keeps the class in step afterwards.
const THEME_BEFORE_PAINT =
  "try{var t=localStorage.getItem('hallway.theme');" +
  "if(t==='dark'||t==='light')document.documentElement.classList.add(t)}catch(e){}";

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_BEFORE_PAINT }} />
      </head>
      <body className="bg-canvas font-sans text-ink antialiased">{children}</body>
    </html>
  );
}
