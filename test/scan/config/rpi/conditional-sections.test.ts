// Conditional sections as the firmware reads them: [all] resets, [none] parks, filters of one type
// replace each other, different types combine, later lines replace earlier ones where both apply.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  applyFilter,
  describeScope,
  effectiveSettings,
  EVERY_BOARD,
  scopeLabel,
} from '../../../../src/scan/config/rpi/conditional-sections.ts';
import { parseConfigTxt, settingsFor } from '../../../../src/scan/config/rpi/config-txt-parser.ts';
import { rpiKind } from '../../../../src/scan/config/rpi/index.ts';
import { configFileFrom } from '../../../../src/scan/config/scan-config.ts';

const effective = (text: string, key: string) => effectiveSettings(settingsFor(parseConfigTxt('c', text), key)).map((e) => e.setting.line);
const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/rpi/${name}`, import.meta.url), 'utf8');

describe('filters', () => {
  it('[all] resets, filters of one type replace each other, other types combine', () => {
    let scope = applyFilter(EVERY_BOARD, 'pi4');
    scope = applyFilter(scope, 'gpio4=1');
    assert.equal(scopeLabel(scope), '[pi4][gpio4=1]');
    scope = applyFilter(scope, 'cm5');
    assert.equal(scopeLabel(scope), '[gpio4=1][cm5]');
    assert.equal(describeScope(scope), 'applies on Compute Module 5 when GPIO 4 is high');
    assert.equal(scopeLabel(applyFilter(scope, 'all')), '');
  });
  it('[none] parks everything until [all], whatever comes between', () => {
    let scope = applyFilter(EVERY_BOARD, 'none');
    scope = applyFilter(scope, 'pi4');
    assert.equal(describeScope(scope), 'never applies');
    assert.equal(describeScope(applyFilter(scope, 'all')), 'applies on every board');
  });
  it('names boards and conditions in words', () => {
    assert.equal(describeScope(applyFilter(EVERY_BOARD, 'cm4')), 'applies on Compute Module 4');
    assert.equal(describeScope(applyFilter(EVERY_BOARD, 'board-type=0x14')), 'applies on board type 0x14');
    assert.equal(describeScope(applyFilter(EVERY_BOARD, 'EDID=VSC-TD2220')), 'applies when the monitor VSC-TD2220 is connected');
    assert.equal(describeScope(applyFilter(EVERY_BOARD, 'bootvar0&0x10')), 'applies when [bootvar0&0x10] holds');
  });
});

describe('later settings override earlier ones where both apply', () => {
  it('a later [all] line replaces an earlier one everywhere', () => {
    assert.deepEqual(effective('enable_uart=1\nenable_uart=0\n', 'enable_uart'), [2]);
  });
  it('a later [cm4] line replaces an [all] line on CM4 only', () => {
    assert.deepEqual(effective('enable_uart=1\n[cm4]\nenable_uart=0\n', 'enable_uart'), [1, 3]);
  });
  it('a later [pi4] line covers an earlier [cm4] one, since a CM4 also matches [pi4]', () => {
    assert.deepEqual(effective('[cm4]\nenable_uart=1\n[pi4]\nenable_uart=0\n', 'enable_uart'), [4]);
  });
  it('settings for different boards do not override each other', () => {
    assert.deepEqual(effective('[cm4]\nenable_uart=1\n[cm5]\nenable_uart=0\n', 'enable_uart'), [2, 4]);
  });
  it('[none] settings never take effect, nor override', () => {
    assert.deepEqual(effective('enable_uart=1\n[none]\nenable_uart=0\n', 'enable_uart'), [1]);
  });
  it('dtparam overrides per parameter', () => {
    assert.deepEqual(effective('dtparam=uart0=on,audio=on\ndtparam=uart0=off\n', 'dtparam:uart0'), [2]);
    assert.deepEqual(effective('dtparam=uart0=on,audio=on\ndtparam=uart0=off\n', 'dtparam:audio'), [1]);
  });
});

describe('the Raspberry Pi OS bookworm config.txt as shipped', () => {
  const scan = rpiKind.scan(configFileFrom('/boot/firmware/config.txt', new TextEncoder().encode(fixture('bookworm-config.txt'))), {});
  const of = (rule: string) => scan.findings.filter((f) => f.check === `config/rpi/${rule}`);

  it('fails nothing', () => {
    assert.deepEqual(
      scan.findings.filter((f) => f.result === 'fail').map((f) => f.message),
      [],
    );
  });
  it('reads the [cm5] dwc2 overlay as host mode, for Compute Module 5 only', () => {
    assert.equal(of('usb-gadget')[0]?.result, 'pass');
    assert.match(of('usb-gadget')[0]?.message ?? '', /under \[cm5\] \(applies on Compute Module 5\): host mode only/);
    assert.equal(of('usb-gadget')[0]?.location.line, 49);
  });
  it('leaves enable_uart to the model default and says so', () => {
    assert.equal(of('enable-uart')[0]?.result, 'info');
  });
  it('records the sections and arm_64bit', () => {
    assert.equal(scan.facts.sections, '[cm4] [cm5] [all]');
    assert.match(scan.facts.arm_64bit ?? '', /^1/);
  });
});

describe('a product config.txt with sections, [none] and include', () => {
  const scan = rpiKind.scan(configFileFrom('config.txt', new TextEncoder().encode(fixture('product-config.txt'))), {});
  const of = (rule: string) => scan.findings.filter((f) => f.check === `config/rpi/${rule}`);

  it('reports the console UART with the CM4 exception', () => {
    assert.equal(of('enable-uart')[0]?.result, 'fail');
    assert.equal(of('enable-uart')[0]?.location.line, 17);
    assert.match(of('enable-uart')[0]?.message ?? '', /except where line 23 under \[cm4\] sets it to 0/);
  });
  it('reports the CM4-only UART overlay as applying on Compute Module 4', () => {
    assert.match(of('uart-overlays')[0]?.message ?? '', /dtoverlay=uart3 under \[cm4\] \(applies on Compute Module 4\)/);
  });
  it('ignores JTAG parked under [none]', () => {
    assert.equal(of('jtag')[0]?.result, 'pass');
  });
  it('notes the include as information and as a part not read', () => {
    assert.equal(of('include')[0]?.result, 'info');
    assert.deepEqual(
      scan.incomplete.map((i) => i.part),
      ['config.txt:33 include extraconfig.txt'],
    );
  });
});
