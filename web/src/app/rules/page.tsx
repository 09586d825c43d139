import type { Metadata } from 'next';
import Link from 'next/link';

import { PageHeader } from '@/components/PageHeader';

export const metadata: Metadata = { title: 'Rules · Hallway' };

const RULES = [
  ['Adults only.', 'You must be 18 or older. Report anyone who appears to be younger.'],
  ['Be decent.', 'No harassment, hate, threats or violence. Strangers are people.'],
  ['No sexual content.', 'Not in words, not in links.'],
  ['No spam or scams.', 'No advertising, no links to lure people, no asking for money.'],
  ['Keep yourself safe.', 'Do not share your name, address, phone number or accounts. Links open other sites: be careful.'],
  ['Reports end the chat.', 'Reporting someone ends the chat at once and you are never paired again. Abuse of reports counts too.'],
];

export default function Rules() {
  return (
    <>
      <PageHeader />
      <main className="mx-auto w-full max-w-2xl px-4 py-8 sm:py-12">
      <Link href="/" className="btn mb-6">
        Back
      </Link>
      <h1 className="text-3xl font-bold tracking-tight">Rules</h1>
      <p className="mt-2 text-muted">
        Hallway pairs you with a random stranger for a one-to-one chat. Messages are relayed, never
        stored; a chat log exists only if you save it on your device.
      </p>
      <ol className="mt-6 flex list-decimal flex-col gap-3 pl-6">
        {RULES.map(([title, text]) => (
          <li key={title}>
            <strong>{title}</strong> {text}
          </li>
        ))}
      </ol>
      </main>
    </>
  );
}
