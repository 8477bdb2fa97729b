// config.txt (and the bootloader EEPROM config) is read top to bottom; `[filter]` lines decide which
// hardware the following settings apply to. Filters of the same type replace each other, different
// types combine, [all] resets them, [none] switches everything off until the next [all]. Without
// knowing the board, a setting is judged for every board it can apply to, and the finding says which.
// Reference: https://www.raspberrypi.com/documentation/computers/config_txt.html#conditional-filters

export interface Filter {
  /** Filters of one type replace each other: model, serial, gpio4, edid, hdmi, tryboot… */
  type: string;
  /** The text between the brackets. */
  text: string;
}

export interface Scope {
  /** In the order they were applied, one per type. */
  filters: Filter[];
  /** After [none] and before the next [all]: applies to no hardware at all. */
  none: boolean;
}

export const EVERY_BOARD: Scope = { filters: [], none: false };

/** Model filters and the boards they select (a board matching a narrower filter also matches the wider one). */
const MODELS: Record<string, { boards: string; within?: string }> = {
  pi1: { boards: 'Raspberry Pi 1 and Compute Module 1' },
  pi2: { boards: 'Raspberry Pi 2' },
  pi3: { boards: 'Raspberry Pi 3 models and Compute Module 3/3+' },
  'pi3+': { boards: 'Raspberry Pi 3A+ and 3B+', within: 'pi3' },
  pi4: { boards: 'Raspberry Pi 4B, 400, Compute Module 4 and 4S' },
  pi400: { boards: 'Raspberry Pi 400', within: 'pi4' },
  cm4: { boards: 'Compute Module 4', within: 'pi4' },
  cm4s: { boards: 'Compute Module 4S', within: 'pi4' },
  pi5: { boards: 'Raspberry Pi 5, 500 and Compute Module 5' },
  pi500: { boards: 'Raspberry Pi 500', within: 'pi5' },
  cm5: { boards: 'Compute Module 5', within: 'pi5' },
  pi0: { boards: 'Raspberry Pi Zero, Zero W and Zero 2 W' },
  pi0w: { boards: 'Raspberry Pi Zero W', within: 'pi0' },
  pi02: { boards: 'Raspberry Pi Zero 2 W', within: 'pi0' },
};

export function parseFilter(text: string): Filter | 'all' | 'none' {
  const t = text.trim();
  const lower = t.toLowerCase();
  if (lower === 'all') return 'all';
  if (lower === 'none') return 'none';
  if (lower in MODELS || lower.startsWith('board-type=')) return { type: 'model', text: lower };
  if (/^0x[0-9a-f]{1,16}$/.test(lower)) return { type: 'serial', text: lower };
  const gpio = /^gpio([0-9]{1,3})=/.exec(lower);
  if (gpio) return { type: `gpio${gpio[1]}`, text: lower };
  if (lower.startsWith('edid=')) return { type: 'edid', text: t };
  if (lower.startsWith('hdmi:')) return { type: 'hdmi', text: lower };
  if (lower === 'tryboot') return { type: 'tryboot', text: lower };
  if (lower.startsWith('partition=')) return { type: 'partition', text: lower };
  if (lower.startsWith('bootvar0')) return { type: 'bootvar0', text: lower };
  return { type: `other:${lower}`, text: t };
}

export function applyFilter(scope: Scope, text: string): Scope {
  const filter = parseFilter(text);
  if (filter === 'all') return EVERY_BOARD;
  if (filter === 'none') return { filters: scope.filters, none: true };
  return { filters: [...scope.filters.filter((f) => f.type !== filter.type), filter], none: scope.none };
}

/** "[cm4][gpio4=1]", or "" for settings that apply everywhere. */
export function scopeLabel(scope: Scope): string {
  if (scope.none) return '[none]';
  return scope.filters.map((f) => `[${f.text}]`).join('');
}

/** "applies on Compute Module 4 when GPIO 4 is high". */
export function describeScope(scope: Scope): string {
  if (scope.none) return 'never applies';
  if (scope.filters.length === 0) return 'applies on every board';
  const model = scope.filters.find((f) => f.type === 'model');
  const others = scope.filters.filter((f) => f.type !== 'model').map(describeCondition);
  const on = model ? `applies on ${describeModel(model.text)}` : 'applies';
  return others.length ? `${on} when ${others.join(' and ')}` : on;
}

function describeModel(text: string): string {
  const known = MODELS[text];
  if (known) return known.boards;
  return `board type ${text.slice('board-type='.length)}`;
}

function describeCondition(filter: Filter): string {
  if (filter.type === 'serial') return `the serial number is ${filter.text}`;
  const gpio = /^gpio([0-9]+)=(.*)$/.exec(filter.text);
  if (gpio) return `GPIO ${gpio[1]} is ${gpio[2] === '1' ? 'high' : gpio[2] === '0' ? 'low' : gpio[2]}`;
  if (filter.type === 'edid') return `the monitor ${filter.text.slice(5)} is connected`;
  if (filter.type === 'hdmi') return `configuring HDMI port ${filter.text.slice(5)}`;
  if (filter.type === 'tryboot') return 'booting in tryboot mode';
  if (filter.type === 'partition') return `booting partition ${filter.text.slice(10)}`;
  return `[${filter.text}] holds`;
}

/** A board matching `narrow` always matches `wide` (cm4 within pi4; equal filters). */
function implies(narrow: Filter, wide: Filter): boolean {
  if (narrow.type !== wide.type) return false;
  if (narrow.text === wide.text) return true;
  return narrow.type === 'model' && MODELS[narrow.text]?.within === wide.text;
}

/** Whether both filters can hold on one board at one boot. */
function compatible(a: Filter, b: Filter): boolean {
  return a.type !== b.type || implies(a, b) || implies(b, a);
}

/** `later` applies on every board where `earlier` applies, so `earlier` never takes effect. */
export function covers(later: Scope, earlier: Scope): boolean {
  return later.filters.every((l) => earlier.filters.some((e) => implies(e, l)));
}

/** `later` applies on at least some boards where `earlier` applies. */
export function overlaps(later: Scope, earlier: Scope): boolean {
  return later.filters.every((l) => earlier.filters.every((e) => compatible(l, e)));
}

export interface Scoped {
  scope: Scope;
  line: number;
  key?: string;
  value?: string;
}

export interface Effective<T extends Scoped> {
  setting: T;
  /** Later settings of the same key that replace this one on some of its boards. */
  exceptWhere: T[];
}

/**
 * The settings of one key that take effect on some board, as the firmware reads them: a later setting
 * replaces an earlier one wherever both apply; [none] settings never apply.
 */
export function effectiveSettings<T extends Scoped>(settings: readonly T[]): Array<Effective<T>> {
  const live = settings.filter((s) => !s.scope.none);
  const result: Array<Effective<T>> = [];
  live.forEach((setting, index) => {
    const later = live.slice(index + 1);
    if (later.some((l) => covers(l.scope, setting.scope))) return;
    result.push({ setting, exceptWhere: later.filter((l) => overlaps(l.scope, setting.scope)) });
  });
  return result;
}

/** " under [cm4] (applies on Compute Module 4)" or " (applies on every board)", plus any exceptions. */
export function whereItApplies(effective: Effective<Scoped>): string {
  const { setting, exceptWhere } = effective;
  const label = scopeLabel(setting.scope);
  const except = exceptWhere.length
    ? `, except where ${exceptWhere.map((e) => `line ${e.line}${scopeLabel(e.scope) ? ` under ${scopeLabel(e.scope)}` : ''} sets ${e.value !== undefined ? `it to ${e.value}` : 'it again'}`).join(' and ')}`
    : '';
  return `${label ? ` under ${label}` : ''} (${describeScope(setting.scope)}${except})`;
}
