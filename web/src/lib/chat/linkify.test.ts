import { describe, expect, it } from 'vitest';

import { linkify, safeHref } from './linkify';

const links = (t: string) => linkify(t).filter((p) => p.type === 'link');

describe('linkify', () => {
  it('plain text stays one text part', () => {
    expect(linkify('hello there')).toEqual([{ type: 'text', text: 'hello there' }]);
    expect(linkify('')).toEqual([]);
  });

  it('http and https URLs become links, the rest stays text', () => {
    expect(linkify('see https://example.com/a?b=1#c now')).toEqual([
      { type: 'text', text: 'see ' },
      { type: 'link', text: 'https://example.com/a?b=1#c', href: 'https://example.com/a?b=1#c' },
      { type: 'text', text: ' now' },
    ]);
    expect(links('http://example.org')).toEqual([
      { type: 'link', text: 'http://example.org', href: 'http://example.org/' },
    ]);
  });

  it('bare www. hosts link to https', () => {
    expect(links('go to www.example.com.')).toEqual([
      { type: 'link', text: 'www.example.com', href: 'https://www.example.com/' },
    ]);
  });

  it('javascript:, data:, file: and other schemes are not linked', () => {
    for (const t of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(document.cookie)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'ftp://example.com',
      'vbscript:msgbox',
    ]) {
      expect(links(t), t).toEqual([]);
      expect(linkify(t).map((p) => p.text).join('')).toBe(t);
    }
  });

  it('a URL glued to a scheme or word is not split out of it', () => {
    expect(links('javascript:alert(1)//http://evil.example')).toEqual([]);
    expect(links('xhttp://example.com')).toEqual([]);
    expect(links('mail me at bob@www.example.com')).toEqual([]);
  });

  it('HTML stays text', () => {
    const t = '<img src=x onerror=alert(1)> <a href="https://evil.example">x</a>';
    const parts = linkify(t);
    expect(parts.map((p) => p.text).join('')).toBe(t);
    expect(parts.filter((p) => p.type === 'link').map((p) => p.text)).toEqual(['https://evil.example']);
  });

  it('trailing punctuation and unbalanced brackets stay outside the link', () => {
    expect(links('(see https://example.com/x)').map((p) => p.text)).toEqual(['https://example.com/x']);
    expect(links('https://en.wikipedia.org/wiki/Foo_(bar)').map((p) => p.text)).toEqual([
      'https://en.wikipedia.org/wiki/Foo_(bar)',
    ]);
    expect(links('wow https://example.com/!?').map((p) => p.text)).toEqual(['https://example.com/']);
  });

  it('several links and the text between them', () => {
    const parts = linkify('a https://a.example b www.b.example c');
    expect(parts.map((p) => p.type)).toEqual(['text', 'link', 'text', 'link', 'text']);
    expect(parts.map((p) => p.text).join('')).toBe('a https://a.example b www.b.example c');
  });

  it('hosts without a dot are not links (except localhost)', () => {
    expect(links('http://intranet')).toEqual([]);
    expect(links('http://localhost:3000/x').map((p) => p.text)).toEqual(['http://localhost:3000/x']);
  });

  it('safeHref refuses anything that is not http(s)', () => {
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('https://')).toBeNull();
    expect(safeHref('https://example.com')).toBe('https://example.com/');
  });
});
