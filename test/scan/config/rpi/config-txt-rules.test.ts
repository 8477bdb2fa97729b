// Every config.txt rule, with settings that pass and settings that fail, conditional sections included.
import { rpiKind } from '../../../../src/scan/config/rpi/index.ts';
import { configRuleTester } from '../../../helpers/config-rule-tester.ts';

const path = 'config.txt';

configRuleTester(rpiKind, 'config/rpi/enable-uart', {
  valid: [
    { path, text: 'arm_64bit=1\nenable_uart=0\n' },
    { name: 'a later [all] line turns it off everywhere', path, text: 'enable_uart=1\n[all]\nenable_uart=0\n' },
    { name: 'only under [none]', path, text: 'arm_64bit=1\n[none]\nenable_uart=1\n', result: 'info', message: /only set under \[none\]/ },
    { name: 'not set: the default depends on the model', path, text: 'arm_64bit=1\n', result: 'info', message: /default applies/ },
  ],
  invalid: [
    { path, text: 'enable_uart=1\n', message: /enable_uart=1 \(applies on every board\)/ },
    {
      name: 'under [cm4]',
      path,
      text: 'arm_64bit=1\n[cm4]\nenable_uart=1\n[all]\n',
      message: /enable_uart=1 under \[cm4\] \(applies on Compute Module 4\)/,
    },
    {
      name: 'overridden only on CM4',
      path,
      text: 'enable_uart=1\n[cm4]\nenable_uart=0\n',
      message: /every board, except where line 3 under \[cm4\] sets it to 0/,
    },
    { name: 'Pi 5 early UART', path, text: 'enable_rp1_uart=1\n', message: /enable_rp1_uart=1/ },
    { name: 'CRLF line ends', path, text: 'arm_64bit=1\r\nenable_uart=1\r\n' },
  ],
});

configRuleTester(rpiKind, 'config/rpi/uart-overlays', {
  valid: [
    { path, text: 'dtoverlay=vc4-kms-v3d\n' },
    { name: 'dtparam=uart0=off', path, text: 'dtparam=uart0=off\n' },
    { name: 'parked under [none]', path, text: 'arm_64bit=1\n[none]\ndtoverlay=uart2\n' },
  ],
  invalid: [
    { path, text: 'dtoverlay=uart2\n', message: /dtoverlay=uart2/ },
    { path, text: 'dtoverlay=uart5,ctsrts\n' },
    { name: 'Pi 5 overlay', path, text: 'dtoverlay=uart1-pi5\n' },
    { name: 'Pi 5 parameter, several on one line', path, text: 'dtparam=i2c_arm=on,uart0=on\n', message: /dtparam=uart0=on/ },
    { name: 'parameter without a value means on', path, text: 'dtparam=uart0\n' },
    { name: 'under [pi4]', path, text: 'arm_64bit=1\n[pi4]\ndtoverlay=uart3\n', message: /Raspberry Pi 4B, 400, Compute Module 4 and 4S/ },
  ],
});

configRuleTester(rpiKind, 'config/rpi/bluetooth-uart-overlays', {
  valid: [
    { path, text: 'dtoverlay=vc4-kms-v3d\n' },
    {
      name: 'with enable_uart=0',
      path,
      text: 'dtoverlay=disable-bt\nenable_uart=0\n',
      result: 'info',
      message: /enable_uart=0 keeps it off/,
    },
  ],
  invalid: [
    { path, text: 'dtoverlay=disable-bt\n', message: /enable_uart then defaults to 1/ },
    { path, text: 'dtoverlay=miniuart-bt\nenable_uart=1\n', message: /line 2 sets enable_uart=1/ },
  ],
});

configRuleTester(rpiKind, 'config/rpi/jtag', {
  valid: [
    { path, text: 'arm_64bit=1\n' },
    { path, text: 'enable_jtag_gpio=0\n' },
    { name: '[none] never applies', path, text: 'arm_64bit=1\n[none]\nenable_jtag_gpio=1\n[all]\n', message: /only set under \[none\]/ },
  ],
  invalid: [
    { path, text: 'enable_jtag_gpio=1\n', message: /enable_jtag_gpio=1/ },
    { name: 'under a GPIO filter', path, text: 'arm_64bit=1\n[gpio4=1]\nenable_jtag_gpio=1\n', message: /applies when GPIO 4 is high/ },
    { name: '[none] then [all] applies again', path, text: '[none]\n[all]\nenable_jtag_gpio=1\n' },
    { name: 'serial-number filter', path, text: 'arm_64bit=1\n[0x12345678]\nenable_jtag_gpio=1\n', message: /serial number is 0x12345678/ },
  ],
});

configRuleTester(rpiKind, 'config/rpi/uart-2ndstage', {
  valid: [
    { path, text: 'arm_64bit=1\n' },
    { path, text: 'uart_2ndstage=0\n' },
  ],
  invalid: [
    { path, text: 'uart_2ndstage=1\n' },
    { name: 'in tryboot mode', path, text: 'arm_64bit=1\n[tryboot]\nuart_2ndstage=1\n', message: /tryboot mode/ },
  ],
});

configRuleTester(rpiKind, 'config/rpi/debug-firmware', {
  valid: [
    { path, text: 'arm_64bit=1\n' },
    { name: 'start_x is camera firmware, not debug', path, text: 'start_x=1\n' },
  ],
  invalid: [
    { path, text: 'start_debug=1\n' },
    { path, text: 'start_file=start4db.elf\nfixup_file=fixup4db.dat\n' },
  ],
});

configRuleTester(rpiKind, 'config/rpi/usb-gadget', {
  valid: [
    { path, text: 'arm_64bit=1\n' },
    { name: 'host mode inline', path, text: '[cm5]\ndtoverlay=dwc2,dr_mode=host\n[all]\n', message: /host mode only/ },
    {
      name: 'host mode on the next dtparam line',
      path,
      text: 'dtoverlay=dwc2\ndtparam=dr_mode=host\n',
      message: /host mode only \(line 2\)/,
    },
  ],
  invalid: [
    { name: 'default otg', path, text: 'dtoverlay=dwc2\n', message: /dr_mode=otg \(the default\)/ },
    { name: 'peripheral', path, text: 'dtoverlay=dwc2,dr_mode=peripheral\n' },
    { name: 'a later overlay ends the dwc2 parameter scope', path, text: 'dtoverlay=dwc2\ndtoverlay=vc4-kms-v3d\ndtparam=dr_mode=host\n' },
    { name: 'dtoverlay= ends the scope too', path, text: 'dtoverlay=dwc2\ndtoverlay=\ndtparam=dr_mode=host\n' },
  ],
});

configRuleTester(rpiKind, 'config/rpi/i2c-spi', {
  valid: [
    { path, text: 'arm_64bit=1\n' },
    { path, text: 'dtparam=spi=off\n' },
  ],
  invalid: [
    { path, text: 'dtparam=i2c_arm=on\n', result: 'info' },
    { path, text: 'dtparam=audio=on,spi=on\n', result: 'info', message: /dtparam=spi=on/ },
  ],
});

configRuleTester(rpiKind, 'config/rpi/kernel-image', {
  valid: [{ name: 'the default kernel', path, text: 'arm_64bit=1\n', result: 'not-applicable' }],
  invalid: [
    { path, text: 'kernel=kernel8-rt.img\n', result: 'info', message: /kernel=kernel8-rt\.img/ },
    { path, text: 'initramfs initrd.img followkernel\n', result: 'info', message: /initramfs initrd\.img followkernel/ },
  ],
});

configRuleTester(rpiKind, 'config/rpi/include', {
  valid: [{ path, text: 'arm_64bit=1\n' }],
  invalid: [
    { path, text: 'arm_64bit=1\ninclude extraconfig.txt\n', result: 'info', message: /not followed; scan extraconfig\.txt/ },
    { name: 'include under a filter', path, text: '[cm4]\ninclude cm4.txt\n', result: 'info', message: /under \[cm4\]/ },
  ],
});

const RECOVERY = 'recovery_metadata=1\n';
configRuleTester(rpiKind, 'config/rpi/program-pubkey', {
  valid: [{ path, text: `${RECOVERY}program_pubkey=1\n` }],
  invalid: [
    { path, text: `${RECOVERY}program_pubkey=0\n` },
    { name: 'left commented out', path, text: `${RECOVERY}#program_pubkey=1\n`, message: /does not lock secure boot/ },
  ],
});

configRuleTester(rpiKind, 'config/rpi/revoke-devkey', {
  valid: [{ path, text: `${RECOVERY}program_pubkey=1\nrevoke_devkey=1\n` }],
  invalid: [{ path, text: `${RECOVERY}program_pubkey=1\n`, message: /2025-05-16/ }],
});

configRuleTester(rpiKind, 'config/rpi/program-jtag-lock', {
  valid: [{ path, text: `${RECOVERY}program_pubkey=1\nrevoke_devkey=1\nprogram_jtag_lock=1\n` }],
  invalid: [{ path, text: `${RECOVERY}program_pubkey=1\nrevoke_devkey=1\n` }],
});
