// Linux and Zephyr write the same Kconfig syntax and share many names (CONFIG_PRINTK, CONFIG_64BIT,
// CONFIG_BT_…). Both kinds' detectors count the same markers here, so they cannot disagree about which
// names belong to whom.

/** Names a Linux kernel config has and a Zephyr one does not. */
export const LINUX_ONLY_SYMBOLS: ReadonlySet<string> = new Set(
  [
    'AUDIT',
    'BINFMT_ELF',
    'BLK_DEV_INITRD',
    'BLOCK',
    'BPF_SYSCALL',
    'CC_STACKPROTECTOR_STRONG',
    'CC_VERSION_TEXT',
    'CGROUPS',
    'COMPAT_BRK',
    'DEBUG_FS',
    'DEFAULT_HOSTNAME',
    'DEVKMEM',
    'DEVMEM',
    'DEVTMPFS',
    'HARDENED_USERCOPY',
    'HIBERNATION',
    'INET',
    'INITRAMFS_SOURCE',
    'INIT_ON_ALLOC_DEFAULT_ON',
    'KALLSYMS',
    'KEXEC',
    'KGDB',
    'LEGACY_PTYS',
    'LOCALVERSION',
    'MAGIC_SYSRQ',
    'MODULES',
    'MODULE_SIG',
    'MODULE_UNLOAD',
    'NAMESPACES',
    'PAGE_TABLE_ISOLATION',
    'PROC_FS',
    'PROC_KCORE',
    'RANDOMIZE_BASE',
    'SECCOMP',
    'SECURITY',
    'SECURITY_LOCKDOWN_LSM',
    'SHMEM',
    'SLAB_FREELIST_HARDENED',
    'SLUB',
    'STACKPROTECTOR',
    'STACKPROTECTOR_STRONG',
    'STRICT_DEVMEM',
    'STRICT_KERNEL_RWX',
    'STRICT_MODULE_RWX',
    'SWAP',
    'SYSFS',
    'SYSVIPC',
    'TMPFS',
    'USERFAULTFD',
    'USER_NS',
    'VMAP_STACK',
  ].map((s) => `CONFIG_${s}`),
);

/** Names that exist in Zephyr alone. */
export const ZEPHYR_ONLY_SYMBOLS: ReadonlySet<string> = new Set(
  [
    'BOARD',
    'BOARD_QUALIFIERS',
    'BOARD_TARGET',
    'BOOTLOADER_MCUBOOT',
    'BOOT_BANNER',
    'BT_CENTRAL',
    'BT_DEVICE_NAME',
    'BT_PERIPHERAL',
    'BUILD_OUTPUT_BIN',
    'ENTROPY_GENERATOR',
    'HEAP_MEM_POOL_SIZE',
    'HW_STACK_PROTECTION',
    'IDLE_STACK_SIZE',
    'ISR_STACK_SIZE',
    'KERNEL_BIN_NAME',
    'KERNEL_ENTRY',
    'LOG_DEFAULT_LEVEL',
    'MAIN_STACK_SIZE',
    'MINIMAL_LIBC',
    'MULTITHREADING',
    'NEWLIB_LIBC',
    'NUM_COOP_PRIORITIES',
    'NUM_PREEMPT_PRIORITIES',
    'PICOLIBC',
    'SOC',
    'SOC_FAMILY',
    'SOC_SERIES',
    'SYSTEM_WORKQUEUE_STACK_SIZE',
    'SYS_CLOCK_HW_CYCLES_PER_SEC',
    'SYS_CLOCK_TICKS_PER_SEC',
    'TEST_RANDOM_GENERATOR',
    'USERSPACE',
    'ZTEST',
  ].map((s) => `CONFIG_${s}`),
);

/** Prefixes of Zephyr-only names, including sysbuild's SB_CONFIG_. */
export const ZEPHYR_ONLY_PREFIXES: readonly string[] = [
  'CONFIG_BT_CTLR',
  'CONFIG_DT_HAS_',
  'CONFIG_MCUBOOT_',
  'CONFIG_MCUMGR',
  'CONFIG_NRF_',
  'CONFIG_SHELL',
  'CONFIG_SOC_',
  'CONFIG_SOC_SERIES_',
  'CONFIG_STACK_CANARIES',
  'CONFIG_SYS_CLOCK_',
  'CONFIG_ZEPHYR_',
  'SB_CONFIG_',
];

/** Shared with Zephyr on some architectures: they lean Linux only when nothing Zephyr-only shows. */
export const LINUX_LEANING_SYMBOLS: ReadonlySet<string> = new Set(['CONFIG_64BIT', 'CONFIG_MMU']);

export function isZephyrOnly(symbol: string): boolean {
  return ZEPHYR_ONLY_SYMBOLS.has(symbol) || ZEPHYR_ONLY_PREFIXES.some((p) => symbol.startsWith(p));
}

/** The header `make` writes at the top of a Linux kernel .config. */
export function isLinuxConfigHeader(line: string): boolean {
  return (line.startsWith('# Linux/') && line.endsWith(' Kernel Configuration')) || line.startsWith('# Linux kernel version:');
}
