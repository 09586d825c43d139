'use client';
// Native <select> named "Language": "Any" or a language (primary subtag), defaulting to the
// browser's language.
import { useId } from 'react';

/** Endonyms of common chat languages; the browser's own is added when missing. */
const LANGUAGES: [code: string, name: string][] = [
  ['ar', 'العربية'],
  ['bn', 'বাংলা'],
  ['cs', 'Čeština'],
  ['da', 'Dansk'],
  ['de', 'Deutsch'],
  ['el', 'Ελληνικά'],
  ['en', 'English'],
  ['es', 'Español'],
  ['fa', 'فارسی'],
  ['fi', 'Suomi'],
  ['fr', 'Français'],
  ['he', 'עברית'],
  ['hi', 'हिन्दी'],
  ['hu', 'Magyar'],
  ['id', 'Bahasa Indonesia'],
  ['it', 'Italiano'],
  ['ja', '日本語'],
  ['ko', '한국어'],
  ['nl', 'Nederlands'],
  ['no', 'Norsk'],
  ['pl', 'Polski'],
  ['pt', 'Português'],
  ['ro', 'Română'],
  ['ru', 'Русский'],
  ['sv', 'Svenska'],
  ['th', 'ไทย'],
  ['tl', 'Filipino'],
  ['tr', 'Türkçe'],
  ['uk', 'Українська'],
  ['ur', 'اردو'],
  ['vi', 'Tiếng Việt'],
  ['zh', '中文'],
];

export const ANY = '';

/** The primary subtag of the browser's language, or ANY. */
export function browserLanguage(): string {
  const tag = typeof navigator !== 'undefined' ? navigator.language : '';
  const primary = tag.split('-')[0]?.toLowerCase() ?? '';
  return /^[a-z]{2,3}$/.test(primary) ? primary : ANY;
}

function optionsWith(code: string): [string, string][] {
  if (code === ANY || LANGUAGES.some(([c]) => c === code)) return LANGUAGES;
  let name = code;
  try {
    name = new Intl.DisplayNames([code], { type: 'language' }).of(code) ?? code;
  } catch {
    // unknown to Intl: show the code
  }
  const extra: [string, string] = [code, name];
  return [...LANGUAGES, extra].sort((a, b) => a[0].localeCompare(b[0]));
}

export function LanguageSelect({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <div>
      <div className="mb-1 text-sm">
        <label htmlFor={id} className="font-medium">
          Language
        </label>{' '}
        <span className="text-muted">(who you would like to meet)</span>
      </div>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} className="field h-11">
        <option value={ANY}>Any</option>
        {optionsWith(value).map(([code, name]) => (
          <option key={code} value={code} lang={code}>
            {name}
          </option>
        ))}
      </select>
    </div>
  );
}
