import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import { updateMechanisms } from '../mechanisms.ts';

export const updatePlainHttp: FirmwareCheck = {
  id: 'firmware/update-plain-http',
  title: 'Updates fetched over plain HTTP',
  provisions: ['5.3-10'],
  severity: 'high',
  rationale:
    'An update fetched over http:// reaches the device through a channel anyone on the path can alter. Where the client verifies signatures, that check is the trust relationship 5.3-10 asks for and HTTP costs only confidentiality (an observer learns what is installed), so it is reported as information; without signature verification nothing protects the update.',
  remediation: 'Fetch updates over https:// with certificate validation, and verify signatures on the device in any case.',
  run(context) {
    const drafts: FindingDraft[] = [];
    for (const m of updateMechanisms(context)) {
      const verified = m.verification.length > 0 && m.verification.every((v) => v.status === 'verified');
      for (const s of m.sources.filter((src) => src.url.toLowerCase().startsWith('http://'))) {
        drafts.push(
          verified
            ? {
                result: 'info',
                severity: 'low',
                location: s.place,
                message: `${m.name} fetches ${s.url} over plain HTTP; integrity rests on its signature check`,
              }
            : {
                result: 'fail',
                location: s.place,
                message: `${m.name} fetches ${s.url} over plain HTTP without verified signatures`,
              },
        );
      }
    }
    return drafts;
  },
};
