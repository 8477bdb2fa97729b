// Builds U-Boot environment images with U-Boot's own mkenvimage (Debian package u-boot-tools) and reads
// them back with fw_printenv (libubootenv-tool), so the in-process reader can be compared with the tools;
// and boot scripts (boot.scr) with mkimage, as the boards' build scripts make them.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasTool } from './make-squashfs.ts';
import { tempDir } from './product.ts';

export const mkenvimageTool = hasTool('mkenvimage');
export const fwPrintenvTool = hasTool('fw_printenv');
export const mkimageScriptTool = hasTool('mkimage');

export interface EnvImageOptions {
  /** CONFIG_ENV_SIZE in bytes; default 0x4000. */
  size?: number;
  /** -r: one flag byte after the CRC, as the redundant variant has. */
  redundant?: boolean;
  /** -b: the CRC in big-endian order. */
  bigEndian?: boolean;
  /** -p: padding byte; default 0xff. */
  pad?: number;
}

/** `mkenvimage -s SIZE [-r] [-b] [-p PAD] -o out input` on the given text (mkenvimage's input format). */
export function mkenvimage(text: string, options: EnvImageOptions = {}): Uint8Array {
  const dir = tempDir('baseline-ubootenv-');
  const input = join(dir, 'env.txt');
  const output = join(dir, 'env.bin');
  writeFileSync(input, text);
  const args = ['-s', String(options.size ?? 0x4000)];
  if (options.redundant) args.push('-r');
  if (options.bigEndian) args.push('-b');
  if (options.pad !== undefined) args.push('-p', String(options.pad));
  execFileSync('mkenvimage', [...args, '-o', output, input], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Uint8Array(readFileSync(output));
}

/**
 * What fw_printenv prints for an environment image: libubootenv reads the file through an fw_env.config
 * line (device, offset, size), and a second line for the redundant copy. Undefined when it cannot read it.
 */
export function fwPrintenv(image: Uint8Array, size: number, copies: 1 | 2 = 1): string | undefined {
  const dir = tempDir('baseline-fwenv-');
  const file = join(dir, 'env.bin');
  writeFileSync(file, image);
  const config = join(dir, 'fw_env.config');
  const lines = [`${file} 0x0 0x${size.toString(16)}`];
  if (copies === 2) lines.push(`${file} 0x${size.toString(16)} 0x${size.toString(16)}`);
  writeFileSync(config, `${lines.join('\n')}\n`);
  const r = spawnSync('fw_printenv', ['-c', config], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : undefined;
}

/** `mkimage -A arm -T script -C none -d boot.cmd boot.scr` on the given commands: the compiled boot.scr. */
export function mkimageScript(commands: string, options: { compression?: 'none' | 'gzip'; name?: string } = {}): Uint8Array {
  const dir = tempDir('baseline-bootscr-');
  const input = join(dir, 'boot.cmd');
  const output = join(dir, 'boot.scr');
  writeFileSync(input, commands);
  const name = options.name === undefined ? [] : ['-n', options.name];
  execFileSync('mkimage', ['-A', 'arm', '-T', 'script', '-C', options.compression ?? 'none', ...name, '-d', input, output], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Uint8Array(readFileSync(output));
}

/** Flips one byte of a copy. */
export function corrupt(image: Uint8Array, at: number): Uint8Array {
  const copy = new Uint8Array(image);
  copy[at] = (copy[at] as number) ^ 0x20;
  return copy;
}
