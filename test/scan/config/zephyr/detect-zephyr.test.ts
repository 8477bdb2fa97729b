// Detection: Zephyr's own names count for the kind, a Linux kernel config counts against it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { configFileFrom } from '../../../../src/scan/config/scan-config.ts';
import { zephyrKind } from '../../../../src/scan/config/zephyr/index.ts';

const detect = (text: string) => zephyrKind.detect(configFileFrom('f', new TextEncoder().encode(text)));
const fixture = (path: string) => readFileSync(new URL(`../../../fixtures/${path}`, import.meta.url), 'utf8');

const LINUX_CONFIG = `#
# Automatically generated file; DO NOT EDIT.
# Linux/arm64 6.1.21 Kernel Configuration
#
CONFIG_CC_VERSION_TEXT="aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0"
CONFIG_64BIT=y
CONFIG_MMU=y
CONFIG_MODULES=y
CONFIG_BT=m
CONFIG_PRINTK=y
`;

describe('detecting Zephyr Kconfig files', () => {
  it('is sure of the generated .config and the sysbuild .config', () => {
    assert.ok(detect(fixture('zephyr/nrf52840-sensor.config')) >= 0.9);
    assert.ok(detect(fixture('zephyr/sysbuild.config')) >= 0.9);
  });
  it('recognises prj.conf and sysbuild.conf fragments', () => {
    assert.ok(detect(fixture('zephyr/prj.conf')) >= 0.7);
    assert.ok(detect(fixture('zephyr/sysbuild.conf')) >= 0.7);
    assert.ok(detect('CONFIG_MAIN_STACK_SIZE=2048\n') >= 0.7);
    assert.ok(detect('CONFIG_BOOTLOADER_MCUBOOT=y\n') >= 0.7);
  });
  it('scores a Linux kernel .config low, even with names Zephyr shares', () => {
    assert.ok(detect(LINUX_CONFIG) < 0.5);
    assert.ok(detect(LINUX_CONFIG.split('\n').slice(4).join('\n')) < 0.5, 'without the header');
    assert.ok(detect('CONFIG_64BIT=y\nCONFIG_MMU=y\nCONFIG_SMP=y\n') < 0.5);
  });
  it('still takes Zephyr on x86_64, where CONFIG_64BIT and CONFIG_MMU also appear', () => {
    assert.ok(
      detect('CONFIG_64BIT=y\nCONFIG_MMU=y\nCONFIG_X86_MMU=y\nCONFIG_SYS_CLOCK_TICKS_PER_SEC=100\nCONFIG_MAIN_STACK_SIZE=2048\n') >= 0.7,
    );
  });
  it('does not claim an undecidable fragment', () => {
    assert.ok(detect('CONFIG_GPIO=y\nCONFIG_SERIAL=y\n') < 0.5);
  });
  it('scores other files zero or low', () => {
    assert.equal(detect(fixture('rpi/bookworm-config.txt')), 0);
    assert.equal(detect(''), 0);
    assert.equal(detect('CONFIG_SHELL=y\u0000'), 0);
    assert.ok(detect('#!/bin/sh\necho "CONFIG_SHELL=y"\nexport A=1\nrm -rf build\n') < 0.5);
  });
});
