// The rows that are not a plain symbol comparison: name patterns (test options, debug log levels),
// Zephyr's EXPERIMENTAL/DEPRECATED markers, and MCUboot sample key files.
import { zephyrKind } from '../../../../src/scan/config/zephyr/index.ts';
import { configRuleTester } from '../../../helpers/config-rule-tester.ts';
import { FULL_HEADER, SYSBUILD_HEADER } from './helpers.ts';

configRuleTester(zephyrKind, 'config/zephyr/test-options', {
  valid: [
    {
      name: 'full .config with test options off',
      path: '.config',
      text: `${FULL_HEADER}# CONFIG_ZTEST is not set\n# CONFIG_TEST is not set\n`,
    },
    {
      name: 'ATTEST is not a test option',
      path: '.config',
      text: `${FULL_HEADER}CONFIG_TFM_PARTITION_INITIAL_ATTESTATION=y\nCONFIG_LATEST_FEATURE=y\n`,
    },
    { name: 'a fragment without test options says so as info', text: 'CONFIG_GPIO=y\n', result: 'info' },
  ],
  invalid: [
    { text: 'CONFIG_ZTEST=y\n', message: /CONFIG_ZTEST=y/ },
    { text: 'CONFIG_TEST=y\n' },
    { text: 'CONFIG_ZTEST_NEW_API=y\n' },
    { text: 'CONFIG_BT_TESTING=y\n' },
    { text: 'CONFIG_TEST_USERSPACE=y\n' },
    { name: 'in a full .config', path: '.config', text: `${FULL_HEADER}CONFIG_TEST_SHELL=y\n` },
  ],
});

configRuleTester(zephyrKind, 'config/zephyr/module-debug-logs', {
  valid: [
    { name: 'info level', path: '.config', text: `${FULL_HEADER}CONFIG_BT_LOG_LEVEL_INF=y\n# CONFIG_BT_LOG_LEVEL_DBG is not set\n` },
    { name: 'fragment without debug levels', text: 'CONFIG_LOG=y\n', result: 'info' },
  ],
  invalid: [{ text: 'CONFIG_BT_LOG_LEVEL_DBG=y\n' }, { text: 'CONFIG_MCUBOOT_UTIL_LOG_LEVEL_DBG=y\n' }],
});

configRuleTester(zephyrKind, 'config/zephyr/experimental-features', {
  valid: [
    { name: 'full .config without the marker', path: '.config', text: `${FULL_HEADER}CONFIG_WARN_EXPERIMENTAL=y\n` },
    {
      name: 'a listed symbol the build no longer marks is information',
      path: '.config',
      text: `${FULL_HEADER}CONFIG_NET_L2_PPP=y\n`,
      result: 'info',
      message: /no longer marks it experimental/,
    },
    {
      name: 'a listed symbol in a fragment is information',
      text: 'CONFIG_BT_CLASSIC=y\n',
      result: 'info',
      message: /CONFIG_EXPERIMENTAL in the generated/,
    },
  ],
  invalid: [
    {
      name: 'marker selected',
      path: '.config',
      text: `${FULL_HEADER}CONFIG_EXPERIMENTAL=y\n`,
      message: /an enabled option is experimental/,
    },
    {
      name: 'marker selected names the listed culprit',
      path: '.config',
      text: `${FULL_HEADER}CONFIG_EXPERIMENTAL=y\nCONFIG_BT_CLASSIC=y\n`,
      message: /listed here: CONFIG_BT_CLASSIC/,
    },
  ],
});

configRuleTester(zephyrKind, 'config/zephyr/deprecated-features', {
  valid: [
    { name: 'full .config without the marker', path: '.config', text: `${FULL_HEADER}CONFIG_WARN_DEPRECATED=y\n`, message: /build warned/ },
  ],
  invalid: [
    {
      name: 'TinyCrypt selects DEPRECATED',
      path: '.config',
      text: `${FULL_HEADER}CONFIG_DEPRECATED=y\nCONFIG_TINYCRYPT=y\n`,
      message: /CONFIG_TINYCRYPT/,
    },
  ],
});

const KEY = 'CONFIG_MCUBOOT_SIGNATURE_KEY_FILE';
configRuleTester(zephyrKind, 'config/zephyr/mcuboot-sample-signing-key', {
  valid: [
    { name: 'own key', text: `${KEY}="/work/keys/fw-signing-ec-p256.pem"\n` },
    { name: 'own key inside the mcuboot tree but not named root-*', text: `${KEY}="/ncs/bootloader/mcuboot/product-key.pem"\n` },
    { name: 'sysbuild fragment with its own key', text: 'SB_CONFIG_BOOT_SIGNATURE_KEY_FILE="${APP_DIR}/keys/signing.pem"\n' },
    { name: 'no key file named: the build does not sign', text: `${KEY}=""\n`, result: 'info', message: /names no key file/ },
    {
      name: 'a sysbuild fragment that leaves the key out falls back to the sample key (info, not a failure)',
      text: 'SB_CONFIG_BOOTLOADER_MCUBOOT=y\n',
      result: 'info',
      message: /falls back to MCUboot's sample key/,
    },
  ],
  invalid: [
    {
      name: 'the default sysbuild path',
      text: `${KEY}="/home/dev/zephyrproject/bootloader/mcuboot/root-ec-p256.pem"\n`,
      message: /published sample key root-ec-p256\.pem/,
    },
    { name: 'RSA-2048 sample', text: `${KEY}="/opt/ncs/bootloader/mcuboot/root-rsa-2048.pem"\n` },
    { name: 'RSA-3072 sample', text: `${KEY}="bootloader/mcuboot/root-rsa-3072.pem"\n` },
    { name: 'P-384 sample', text: `${KEY}="/src/bootloader/mcuboot/root-ec-p384.pem"\n` },
    { name: 'Ed25519 sample', text: `${KEY}="/src/bootloader/mcuboot/root-ed25519.pem"\n` },
    { name: 'X25519 sample', text: `${KEY}="/src/bootloader/mcuboot/root-x25519.pem"\n` },
    { name: 'unexpanded module directory', text: `SB_CONFIG_BOOT_SIGNATURE_KEY_FILE="$(ZEPHYR_MCUBOOT_MODULE_DIR)/root-ed25519.pem"\n` },
    { name: 'Windows path', text: `${KEY}="C:\\\\ncs\\\\bootloader\\\\mcuboot\\\\root-ec-p256.pem"\n` },
    {
      name: 'a copy under the sample name',
      text: `${KEY}="/work/keys/root-ec-p256.pem"\n`,
      message: /unless it is a key you generated yourself/,
    },
    { name: 'a future root-* sample inside mcuboot', text: `${KEY}="/x/mcuboot/root-ec-p521.pem"\n` },
    {
      name: "MCUboot's own .config",
      path: '.config',
      text: `${FULL_HEADER}CONFIG_MCUBOOT=y\nCONFIG_BOOT_SIGNATURE_KEY_FILE="root-ec-p256.pem"\n`,
    },
    {
      name: 'full sysbuild .config',
      path: '.config',
      text: `${SYSBUILD_HEADER}SB_CONFIG_BOOT_SIGNATURE_KEY_FILE="/z/bootloader/mcuboot/root-rsa-2048.pem"\n`,
    },
  ],
});

configRuleTester(zephyrKind, 'config/zephyr/mcuboot-sample-encryption-key', {
  valid: [
    { name: 'own encryption key', text: 'CONFIG_MCUBOOT_ENCRYPTION_KEY_FILE="/keys/enc-product.pem"\n' },
    { name: 'no encryption', text: 'CONFIG_MCUBOOT_ENCRYPTION_KEY_FILE=""\n', result: 'not-applicable' },
  ],
  invalid: [
    { text: 'CONFIG_MCUBOOT_ENCRYPTION_KEY_FILE="/ncs/bootloader/mcuboot/enc-ec256-priv.pem"\n' },
    { text: 'SB_CONFIG_BOOT_ENCRYPTION_KEY_FILE="/ncs/bootloader/mcuboot/enc-x25519-priv.pem"\n' },
  ],
});
