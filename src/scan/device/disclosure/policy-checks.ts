// The PSTI's own demand on the disclosure policy (Schedule 1 paragraph 2): it must tell a reporter when
// to expect an acknowledgement and when status updates. These checks read the published texts for both,
// and hold the product file's claims against what was published.
import type { Check, FindingDraft } from '../../check.ts';
import { DISCLOSURE_PROVISIONS, located, type Place } from './security-txt-checks.ts';
import { findTimescales, parseTimescale, sameTimescale, type TimescaleFound, type TimescaleKind } from './policy-timescales.ts';
import { showLine, type TextLine } from './security-txt.ts';

export interface PolicyText {
  /** The file path or URL. */
  name: string;
  place: Place;
  lines: TextLine[];
}

export interface PolicySubject {
  /** The published texts read, in the order they are searched. */
  texts: PolicyText[];
  /** What the product file says, e.g. { acknowledgement: 'within 5 working days' }. */
  claims: Partial<Record<TimescaleKind, string>>;
  /** Policy documents named but not read, and why, so a missing timescale says where else to look. */
  unread: { name: string; reason: string }[];
  /** Where a missing timescale is reported. */
  place: Place;
  /** The name used for `place` in messages about a service. */
  placeName: string;
}

const WORDS: Record<TimescaleKind, { what: string; example: string; field: string }> = {
  acknowledgement: { what: 'acknowledgement', example: '"We acknowledge reports within 5 working days."', field: 'acknowledgement' },
  statusUpdates: {
    what: 'status-update',
    example: '"We send status updates at least every 30 days until the issue is resolved."',
    field: 'statusUpdates',
  },
};

function* timescaleDrafts(kind: TimescaleKind, subject: PolicySubject): Iterable<FindingDraft> {
  const words = WORDS[kind];
  let found: { text: PolicyText; match: TimescaleFound } | undefined;
  for (const text of subject.texts) {
    const match = findTimescales(text.lines)[kind];
    if (match) {
      found = { text, match };
      break;
    }
  }
  const claim = subject.claims[kind];
  if (!found) {
    const searched = subject.texts.length ? subject.texts.map((t) => t.name).join(', ') : 'no policy text';
    const unread = subject.unread.length ? `; not read: ${subject.unread.map((u) => `${u.name} (${u.reason})`).join(', ')}` : '';
    const claimed = claim ? `; the product file says "${showLine(claim, 120)}", but the published policy has to say it` : '';
    yield located(subject.place, subject.placeName, undefined, {
      result: 'fail',
      message: `no ${words.what} timescale found in ${searched}${unread}${claimed}; the policy should say e.g. ${words.example}`,
    });
    return;
  }
  const { text, match } = found;
  const quoted = `"${match.timescale.text}" ("${showLine(match.sentence, 300)}")`;
  const claimed = claim ? parseTimescale(claim) : undefined;
  if (claim && claimed && !sameTimescale(claimed, match.timescale)) {
    yield located(text.place, text.name, match.line, {
      result: 'fail',
      severity: 'medium',
      message: `the published ${words.what} timescale ${quoted} differs from the product file's ${words.field} "${showLine(claim, 120)}"`,
      evidence: match.sentence,
    });
    return;
  }
  const note =
    claim && !claimed
      ? `; the product file's ${words.field} "${showLine(claim, 120)}" names no timescale to compare`
      : claim
        ? ', as the product file says'
        : '';
  yield located(text.place, text.name, match.line, {
    result: 'pass',
    message: `${words.what} timescale: ${quoted}${note}`,
    evidence: match.sentence,
  });
}

export const acknowledgementTimescaleCheck: Check<PolicySubject> = {
  id: 'disclosure/policy/acknowledgement-timescale',
  title: 'The disclosure policy says when a report is acknowledged',
  provisions: DISCLOSURE_PROVISIONS,
  severity: 'high',
  rationale:
    'The UK PSTI regulations require the published policy to tell reporters when they will receive an acknowledgement of their report; EN 303 645 5.2-1 asks for the same timeline.',
  remediation: 'State the acknowledgement time in the published policy, e.g. "We acknowledge every report within 5 working days."',
  run: (subject) => timescaleDrafts('acknowledgement', subject),
};

export const statusUpdateTimescaleCheck: Check<PolicySubject> = {
  id: 'disclosure/policy/status-update-timescale',
  title: 'The disclosure policy says when reporters get status updates',
  provisions: DISCLOSURE_PROVISIONS,
  severity: 'high',
  rationale:
    'The UK PSTI regulations require the published policy to tell reporters when they will receive status updates until the issue is resolved; EN 303 645 5.2-1 asks for the same.',
  remediation:
    'State how often reporters hear about progress, e.g. "We send a status update at least every 30 days until the issue is resolved."',
  run: (subject) => timescaleDrafts('statusUpdates', subject),
};

export const POLICY_CHECKS: Check<PolicySubject>[] = [acknowledgementTimescaleCheck, statusUpdateTimescaleCheck];
