// RFC 3339 date-times, the only form RFC 9116 accepts in Expires. Written out rather than left to
// Date.parse, which takes many other shapes and would let an invalid Expires pass.
export type DateTimeResult = { ok: true; date: Date } | { ok: false; reason: string };

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const EXAMPLE = 'e.g. 2027-01-31T23:59:59Z';

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses an RFC 3339 date-time; when it is not one, says what is wrong in words a maker can act on. */
export function parseRfc3339(text: string): DateTimeResult {
  const match = RFC3339.exec(text);
  if (!match) return { ok: false, reason: whyNot(text) };
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = match[7] ?? '';
  const zone = match[8] ?? 'Z';
  if (month < 1 || month > 12) return { ok: false, reason: `month ${month} does not exist` };
  if (day < 1 || day > daysInMonth(year, month))
    return { ok: false, reason: `day ${day} does not exist in ${year}-${String(month).padStart(2, '0')}` };
  if (hour > 23 || minute > 59 || second > 60) return { ok: false, reason: `time ${match[4]}:${match[5]}:${match[6]} does not exist` };
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const offsetHours = Number(zone.slice(1, 3));
    const offsetMins = Number(zone.slice(4, 6));
    if (offsetHours > 23 || offsetMins > 59) return { ok: false, reason: `time zone offset ${zone} does not exist` };
    offsetMinutes = sign * (offsetHours * 60 + offsetMins);
  }
  // A leap second (:60) is a real instant; Date cannot hold it, so it counts as the second before.
  const millis = Date.UTC(
    year,
    month - 1,
    day,
    hour,
    minute,
    Math.min(second, 59),
    fraction ? Math.floor(Number(`0${fraction}`) * 1000) : 0,
  );
  return { ok: true, date: new Date(millis - offsetMinutes * 60_000) };
}

function whyNot(text: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return `a date without a time and time zone (${EXAMPLE})`;
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(text)) return `needs "T" between the date and the time (${EXAMPLE})`;
  if (/^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text))
    return `has no time zone: end it with Z or an offset such as +01:00 (${EXAMPLE})`;
  if (/^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}([Zz]|[+-]\d{2}:?\d{2})?$/.test(text)) return `needs seconds (${EXAMPLE})`;
  if (/^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{4}$/.test(text))
    return `time zone offset needs a colon, as in +01:00 (${EXAMPLE})`;
  if (/^[A-Za-z]{3}, /.test(text)) return `uses the e-mail date format of early drafts; RFC 9116 wants an RFC 3339 date-time (${EXAMPLE})`;
  return `not an RFC 3339 date-time (${EXAMPLE})`;
}

/** The ISO form of a date for messages, without milliseconds. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
