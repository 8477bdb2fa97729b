// The profile itself: it loads, cites real provisions, lists every rule, and every rule is tested.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadEtsiCatalog } from '../../../../src/catalog/load.ts';
import { zephyrRules } from '../../../../src/scan/config/zephyr/hardening-rules.ts';
import { zephyrKind } from '../../../../src/scan/config/zephyr/index.ts';
import { matchesPattern } from '../../../../src/scan/config/zephyr/symbol-patterns.ts';

/** The symbols of zephyrproject-rtos/zephyr scripts/kconfig/hardened.csv at commit 0761962b672a6940bb27108d86d358f0c45528b6. */
const HARDENED_CSV = `HW_STACK_PROTECTION INIT_STACKS KERNEL_DEBUG BOOT_BANNER BOOT_DELAY THREAD_MONITOR THREAD_NAME STACK_CANARIES
EXECUTE_XOR_WRITE STACK_POINTER_RANDOM BOUNDS_CHECK_BYPASS_MITIGATION PERFORMANCE_METRICS STATS DEBUG TRACING STACK_USAGE PRINTK
EARLY_CONSOLE ASSERT OVERRIDE_FRAME_POINTER_DEFAULT DEBUG_INFO DEBUG_THREAD_INFO TRACING_CTF USE_SEGGER_RTT LOG SHELL
TEST_RANDOM_GENERATOR ZTEST TEST TEST_SHELL TEST_EXTRA_STACKSIZE TEST_USERSPACE BUILD_OUTPUT_STRIPPED SOC_ATMEL_SAME70_DISABLE_ERASE_PIN
SOC_ATMEL_SAME70_WAIT_MODE FAULT_DUMP EXCEPTION_DEBUG X86_MMU BUILTIN_STACK_GUARD MPU_STACK_GUARD STACK_SENTINEL BOOT_TIME_MEASUREMENT
BT_A2DP BT_AVDTP BT_BREDR BT_H5 BT_HFP_HF BT_RFCOMM BT_DEBUG_SMP BT_OOB_DATA_FIXED BT_FIXED_PASSKEY BT_DEBUG_KEYS BT_LOG_SNIFFER_INFO
BT_USE_DEBUG_KEYS BT_STORE_DEBUG_KEYS BT_CONN_DISABLE_SECURITY CAN_NET CONSOLE_SUBSYS CRYPTO CRYPTO_MBEDTLS_SHIM CRYPTO_TINYCRYPT_SHIM
MODEM_CONTEXT NET_BUF_VARIABLE_DATA_SIZE NET_CONNECTION_MANAGER NET_GPTP NET_IPV4_AUTO NET_L2_CANBUS NET_L2_IEEE802154_SECURITY NET_L2_PPP
NET_OFFLOAD NET_PROMISCUOUS_MODE NET_SOCKETS_CAN NET_SOCKETS_ENABLE_DTLS NET_SOCKETS_NET_MGMT NET_SOCKETS_OFFLOAD NET_SOCKETS_SOCKOPT_TLS
SHELL_TELNET_SUPPORT_COMMAND SPI_SLAVE UART_ASYNC_API MCUMGR_CMD_FS_MGMT`.split(/\s+/);

/** hardened.csv rows left out, and why. */
const NOT_COVERED: Record<string, string> = {
  OVERRIDE_FRAME_POINTER_DEFAULT: 'changes frame-pointer code generation; no security effect we can state',
  BUILD_OUTPUT_STRIPPED: 'only adds a stripped ELF beside the image; the flashed image is the same',
  SOC_ATMEL_SAME70_WAIT_MODE: 'a low-power mode choice; no security effect we can state',
  TEST_EXTRA_STACKSIZE: 'an integer that only matters in test builds, which test-options already fails',
  // Marked experimental in hardened.csv's third column. Named in the experimental list they would flag
  // options many products enable; the CONFIG_EXPERIMENTAL marker of the full .config still catches them.
  CAN_NET: 'experimental column; left to the CONFIG_EXPERIMENTAL marker',
  CRYPTO: 'experimental column; left to the CONFIG_EXPERIMENTAL marker',
  CRYPTO_MBEDTLS_SHIM: 'experimental column; left to the CONFIG_EXPERIMENTAL marker',
  CRYPTO_TINYCRYPT_SHIM: 'experimental column; left to the CONFIG_EXPERIMENTAL marker',
  MODEM_CONTEXT: 'experimental column; left to the CONFIG_EXPERIMENTAL marker',
  NET_BUF_VARIABLE_DATA_SIZE: 'experimental column; left to the CONFIG_EXPERIMENTAL marker',
  NET_CONNECTION_MANAGER: 'experimental column; left to the CONFIG_EXPERIMENTAL marker',
  NET_IPV4_AUTO: 'experimental column; left to the CONFIG_EXPERIMENTAL marker',
  NET_L2_CANBUS: 'experimental column; left to the CONFIG_EXPERIMENTAL marker',
  NET_SOCKETS_CAN: 'experimental column; left to the CONFIG_EXPERIMENTAL marker',
  NET_SOCKETS_ENABLE_DTLS: 'experimental column; left to the CONFIG_EXPERIMENTAL marker',
  NET_SOCKETS_SOCKOPT_TLS: 'experimental column; left to the CONFIG_EXPERIMENTAL marker',
  SPI_SLAVE: 'experimental column; left to the CONFIG_EXPERIMENTAL marker',
  UART_ASYNC_API: 'experimental column; left to the CONFIG_EXPERIMENTAL marker',
};

describe('the Zephyr hardening profile', () => {
  it('cites provisions that exist in EN 303 645 V2.1.1', () => {
    const catalog = loadEtsiCatalog('2.1.1');
    for (const rule of zephyrRules()) for (const p of rule.provisions) assert.ok(catalog.byId.has(p), `${rule.id}: ${p}`);
  });

  it('lists every rule with its setting and expected value', () => {
    const listed = zephyrKind.rules();
    assert.equal(listed.length, zephyrRules().length);
    for (const r of listed) {
      assert.equal(r.kind, 'zephyr');
      assert.match(r.id, /^config\/zephyr\/[a-z0-9-]+$/);
      assert.ok(r.setting.length > 2 && r.expected.length > 0 && r.source.length > 2, r.id);
    }
  });

  it('agrees with every hardened.csv value it cites', () => {
    for (const rule of zephyrRules()) {
      const cited = /hardened\.csv: ([^;]*)/.exec(rule.source)?.[1];
      if (!cited) continue;
      for (const [, symbol, value] of cited.matchAll(/([A-Z0-9_]+),(y|n|\d+)/g)) {
        const name = `CONFIG_${symbol}`;
        if (rule.check === 'pattern') {
          assert.ok(value === 'n' && matchesPattern(name, rule), `${rule.id}: ${name}`);
          continue;
        }
        assert.equal(rule.check, 'symbol', `${rule.id} cites hardened.csv`);
        if (rule.check !== 'symbol') continue;
        assert.ok(rule.symbols.includes(name), `${rule.id} cites ${name} but does not read it`);
        if (value === 'y') assert.equal(rule.want, 'enabled', rule.id);
        else if (value === 'n') assert.equal(rule.want, 'disabled', rule.id);
        else
          assert.ok(
            (rule.want === 'equals' && rule.value === Number(value)) ||
              (rule.want === 'at-least' && (rule.value as number) <= Number(value)),
            rule.id,
          );
      }
    }
  });

  it('covers every row of hardened.csv, or says why not', () => {
    const read = new Set(
      zephyrRules().flatMap((r) => (r.check === 'symbol' ? r.symbols : r.check === 'lifecycle' ? r.known.map((k) => k.symbol) : [])),
    );
    const patterns = zephyrRules().filter((r) => r.check === 'pattern');
    for (const symbol of HARDENED_CSV) {
      const name = `CONFIG_${symbol}`;
      if (read.has(name) || patterns.some((p) => p.check === 'pattern' && matchesPattern(name, p))) continue;
      assert.ok(NOT_COVERED[symbol], `hardened.csv row ${symbol} is neither a rule nor explained`);
    }
  });

  it('has a test for every rule: table-driven for symbol rows, by hand for the others', () => {
    const tests = readdirSync(new URL('.', import.meta.url))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(new URL(f, import.meta.url), 'utf8'))
      .join('\n');
    for (const rule of zephyrRules()) {
      if (rule.check === 'symbol') continue;
      assert.ok(tests.includes(`'config/zephyr/${rule.id}'`), `no configRuleTester cases for ${rule.id}`);
    }
  });
});
