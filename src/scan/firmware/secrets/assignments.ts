// Hard-coded passwords in shell scripts and configuration files: `password = "…"`, `passwd=…`,
// `secret: …`, uci's `option key '…'`. A value that is clearly not a literal (a variable, a template
// placeholder, a file path, an empty string) is skipped; a well-known default such as `changeme` or
// `admin` is a real default password and is reported.

export interface PasswordAssignment {
  line: number;
  name: string;
  value: string;
  /** The whole line, for evidence after redaction. */
  text: string;
}

/** The setting's name ends in a word that means "this is a secret". */
const SECRET_NAME =
  /(?:^|[_.-])(?:pass|passwd|password|passphrase|pwd|pw|secret|psk|wpa_passphrase|wpa_psk|api_?key|apikey|auth_?key|auth_?token|access_?token|private_?key|client_secret|shared_?secret|key_passwd|key)$/i;
/** Names ending like a secret that are not one: references to files, hashes, lengths and switches. */
const NOT_A_SECRET_NAME =
  /(?:file|path|dir|length|len|min|max|policy|hash|type|cmd|command|mode|enable|enabled|disable|prompt|id|name|_key_?(?:mgmt|size|bits|type))$/i;

const ASSIGNMENT =
  /^\s{0,32}(?:export\s{1,8}|local\s{1,8}|readonly\s{1,8}|set\s{1,8})?["']?([A-Za-z_][A-Za-z0-9_.-]{0,63})["']?\s{0,8}(?::=|=|:)\s{0,8}(.{0,512})$/;
const UCI_OPTION = /^\s{0,32}option\s{1,8}([A-Za-z_][A-Za-z0-9_]{0,63})\s{1,8}(.{0,512})$/;
/** `key` alone is too broad outside uci (where `option key` is the Wi-Fi passphrase). */
const BARE_KEY = /^key$/i;

/** Values that stand for a secret rather than being one. */
function isPlaceholder(value: string): boolean {
  if (value === '') return true;
  if (/^\$|\$\{|\$\(|`|%[sd]|\{\{|<[^>]{0,40}>|@[A-Z_]{1,40}@/.test(value)) return true;
  if (/^(?:\*{3,}|x{3,}|X{3,}|\.{3,}|null|none|nil|undefined|true|false|yes|no|on|off|required|optional|\?)$/i.test(value)) return true;
  if (value.startsWith('/') || value.startsWith('./') || /^(?:file|env|vault|secret):/i.test(value)) return true;
  if (/[()]/.test(value) || /^[A-Z_]{1,40}$/.test(value)) return true;
  return false;
}

function unquote(raw: string): string | undefined {
  let value = raw.trim();
  // A trailing comment (shell, ini) or a JSON/YAML trailing comma.
  const quote = value[0];
  if (quote === '"' || quote === "'") {
    const close = value.indexOf(quote, 1);
    if (close < 0) return undefined;
    return value.slice(1, close);
  }
  value = value.replace(/\s{1,8}[#;].{0,512}$/, '').replace(/[,;]$/, '');
  if (/\s/.test(value)) return undefined;
  return value;
}

export function passwordAssignments(text: string, maxLines = 100_000): PasswordAssignment[] {
  const found: PasswordAssignment[] = [];
  const lines = text.split('\n', maxLines);
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length > 600 || /^\s{0,64}(?:#|;|\/\/|--|\*|\/\*)/.test(line)) return;
    const uci = UCI_OPTION.exec(line);
    const match = uci ?? ASSIGNMENT.exec(line);
    if (!match) return;
    const name = match[1] as string;
    const lastPart = name.split(/[.]/).pop() ?? name;
    if (!SECRET_NAME.test(lastPart) || NOT_A_SECRET_NAME.test(lastPart)) return;
    if (!uci && BARE_KEY.test(lastPart)) return;
    const value = unquote(match[2] as string);
    if (value === undefined || isPlaceholder(value)) return;
    found.push({ line: i + 1, name, value, text: line });
  });
  return found;
}
