// Every bootloader EEPROM rule, and the [config.txt] section the firmware appends to config.txt.
import { rpiKind } from '../../../../src/scan/config/rpi/index.ts';
import { configRuleTester } from '../../../helpers/config-rule-tester.ts';

const path = 'boot.conf';
/** A signed configuration that keeps every flag in a passing state. */
const BASE = '[all]\nSIGNED_BOOT=1\nBOOT_ORDER=0xf1\n';

configRuleTester(rpiKind, 'config/rpi-eeprom/boot-uart', {
  valid: [
    { path, text: `${BASE}BOOT_UART=0\n` },
    { name: 'default', path, text: BASE, message: /default is 0/ },
  ],
  invalid: [
    { path, text: `${BASE}BOOT_UART=1\n`, message: /BOOT_UART=1 \(applies on every board\)/ },
    {
      name: 'switched on by a GPIO',
      path,
      text: `${BASE}BOOT_UART=0\n[gpio7=0]\nBOOT_UART=1\n[all]\n`,
      message: /applies when GPIO 7 is low/,
    },
  ],
});

configRuleTester(rpiKind, 'config/rpi-eeprom/signed-boot', {
  valid: [{ path, text: BASE }],
  invalid: [
    { path, text: '[all]\nBOOT_UART=0\n', message: /SIGNED_BOOT not set/ },
    { path, text: '[all]\nSIGNED_BOOT=0\n' },
    { name: 'parked under [none]', path, text: '[all]\nBOOT_UART=0\n[none]\nSIGNED_BOOT=1\n', message: /only set under \[none\]/ },
    { name: 'overridden later', path, text: '[all]\nSIGNED_BOOT=1\nBOOT_UART=0\nSIGNED_BOOT=0\n' },
  ],
});

configRuleTester(rpiKind, 'config/rpi-eeprom/freeze-version', {
  valid: [
    { path, text: BASE },
    { path, text: `${BASE}FREEZE_VERSION=0\n` },
  ],
  invalid: [{ path, text: `${BASE}FREEZE_VERSION=1\n` }],
});

configRuleTester(rpiKind, 'config/rpi-eeprom/self-update', {
  valid: [
    { path, text: BASE },
    { path, text: `${BASE}ENABLE_SELF_UPDATE=1\n` },
  ],
  invalid: [{ path, text: `${BASE}ENABLE_SELF_UPDATE=0\n`, result: 'info' }],
});

configRuleTester(rpiKind, 'config/rpi-eeprom/netconsole', {
  valid: [
    { path, text: BASE },
    { name: 'empty', path, text: `${BASE}NETCONSOLE=\n` },
  ],
  invalid: [{ path, text: `${BASE}[gpio7=0]\nNETCONSOLE=6665@169.254.1.1/,6666@/\n`, message: /applies when GPIO 7 is low/ }],
});

configRuleTester(rpiKind, 'config/rpi-eeprom/boot-order', {
  valid: [
    { name: 'SD only', path, text: '[all]\nBOOT_ORDER=0xf1\n', message: /own storage: SD card \/ eMMC \(then starts over\)/ },
    { name: 'NVMe then SD', path, text: '[all]\nBOOT_ORDER=0xf16\n' },
    { name: 'modes after restart are never reached', path, text: '[all]\nBOOT_ORDER=0x4f1\n' },
  ],
  invalid: [
    {
      name: 'default order includes USB',
      path,
      text: '[all]\nBOOT_UART=0\n',
      result: 'info',
      message: /default 0xf41 tries SD card \/ eMMC, then USB mass storage/,
    },
    { name: 'network boot, unsigned', path, text: '[all]\nBOOT_ORDER=0xf21\n', result: 'info', message: /Without signed boot/ },
    { name: 'network boot, signed', path, text: BASE.replace('0xf1', '0xf21'), result: 'info', message: /SIGNED_BOOT=1 is set/ },
    { name: 'not hexadecimal', path, text: '[all]\nBOOT_ORDER=sd\n', result: 'info', message: /not a hexadecimal boot order/ },
  ],
});

configRuleTester(rpiKind, 'config/rpi-eeprom/http-boot', {
  valid: [
    { path, text: BASE },
    { name: 'plain HTTP but signed', path, text: `${BASE}HTTP_HOST=boot.example.com\n`, result: 'info' },
  ],
  invalid: [{ path, text: '[all]\nBOOT_ORDER=0xf71\nHTTP_HOST=192.168.1.10\n', message: /plain HTTP and SIGNED_BOOT is not set/ }],
});

configRuleTester(rpiKind, 'config/rpi-eeprom/otp-settings', {
  valid: [{ path, text: BASE }],
  invalid: [
    { path, text: `${BASE}PROGRAM_PUBKEY=1\n`, result: 'info', message: /recovery\.bin reads program_pubkey/ },
    { path, text: `${BASE}REVOKE_DEVKEY=1\nPROGRAM_JTAG_LOCK=1\n`, result: 'info' },
  ],
});

configRuleTester(rpiKind, 'config/rpi/enable-uart', {
  valid: [
    {
      name: 'EEPROM [config.txt] section that keeps the UART off',
      path,
      text: `${BASE}[config.txt]\ndtoverlay=vc4-kms-v3d\nenable_uart=0\n`,
    },
  ],
  invalid: [
    {
      name: 'EEPROM [config.txt] section, checked as config.txt',
      path,
      text: `${BASE}[config.txt]\nenable_uart=1\n`,
      message: /in the EEPROM config's \[config\.txt\] section, appended to config\.txt: enable_uart=1/,
    },
  ],
});
