// Package URLs (https://github.com/package-url/purl-spec): pkg:type/namespace/name@version?qualifiers.
// Segments are percent-encoded; qualifiers are sorted by key, as the specification's canonical form asks.

function encodeSegment(value: string): string {
  // encodeURIComponent leaves ~ and encodes + (as %2B, as the spec wants); ':' is allowed unencoded in versions.
  return encodeURIComponent(value).replaceAll('%3A', ':');
}

export function purl(parts: {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  qualifiers?: Record<string, string | undefined>;
}): string {
  const namespace = parts.namespace ? `${parts.namespace.split('/').map(encodeSegment).join('/')}/` : '';
  const version = parts.version ? `@${encodeSegment(parts.version)}` : '';
  const qualifiers = Object.entries(parts.qualifiers ?? {})
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k.toLowerCase()}=${encodeSegment(v)}`)
    .join('&');
  return `pkg:${parts.type}/${namespace}${encodeSegment(parts.name)}${version}${qualifiers ? `?${qualifiers}` : ''}`;
}
