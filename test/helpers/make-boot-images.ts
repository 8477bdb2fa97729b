// Builds U-Boot legacy uImages and FIT images with mkimage (u-boot-tools; FIT needs dtc from
// device-tree-compiler), optionally signed with an RSA key made by openssl, for the carving tests.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasTool } from './make-squashfs.ts';

export const mkimageTools = hasTool('mkimage');
export const fitTools = mkimageTools && hasTool('dtc');

export interface UImageArgs {
  arch?: string;
  os?: string;
  type: 'kernel' | 'ramdisk' | 'multi' | 'firmware' | 'script';
  compression: 'none' | 'gzip' | 'bzip2' | 'lzma' | 'lzo' | 'lz4' | 'zstd';
  name: string;
  /** One file, or several joined with ':' for type multi. */
  data: string;
}

/** `mkimage -A arch -O os -T type -C comp -a 0x8000 -e 0x8000 -n name -d data out`. */
export function mkimage(out: string, args: UImageArgs): void {
  execFileSync(
    'mkimage',
    [
      '-A',
      args.arch ?? 'arm',
      '-O',
      args.os ?? 'linux',
      '-T',
      args.type,
      '-C',
      args.compression,
      '-a',
      '0x8000',
      '-e',
      '0x8000',
      '-n',
      args.name,
      '-d',
      args.data,
      out,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

export interface ItsFiles {
  kernel: string;
  ramdisk: string;
  fdt: string;
  /** Sign the configuration with key "dev" (keydir needed at build time). */
  signed?: boolean;
  kernelCompression?: 'none' | 'gzip';
}

/** Writes an image tree source with a kernel, a ramdisk and a device tree, hash nodes, and one configuration. */
export function writeIts(path: string, files: ItsFiles): void {
  const signature = files.signed
    ? `
            signature-1 {
                algo = "sha256,rsa2048";
                key-name-hint = "dev";
                sign-images = "kernel", "ramdisk", "fdt";
            };`
    : '';
  writeFileSync(
    path,
    `/dts-v1/;
/ {
    description = "Baseline test FIT";
    #address-cells = <1>;
    images {
        kernel-1 {
            description = "Linux kernel";
            data = /incbin/("${files.kernel}");
            type = "kernel";
            arch = "arm";
            os = "linux";
            compression = "${files.kernelCompression ?? 'none'}";
            load = <0x80008000>;
            entry = <0x80008000>;
            hash-1 { algo = "crc32"; };
            hash-2 { algo = "sha1"; };
            hash-3 { algo = "sha256"; };
        };
        ramdisk-1 {
            description = "initramfs";
            data = /incbin/("${files.ramdisk}");
            type = "ramdisk";
            arch = "arm";
            os = "linux";
            compression = "none";
            hash-1 { algo = "sha256"; };
        };
        fdt-1 {
            description = "board device tree";
            data = /incbin/("${files.fdt}");
            type = "flat_dt";
            arch = "arm";
            compression = "none";
            hash-1 { algo = "sha1"; };
        };
    };
    configurations {
        default = "conf-1";
        conf-1 {
            description = "Boot Linux";
            kernel = "kernel-1";
            ramdisk = "ramdisk-1";
            fdt = "fdt-1";${signature}
        };
    };
};
`,
  );
}

/** Compiles a minimal board device tree with dtc. */
export function writeBoardDtb(path: string): void {
  const dts = `${path}.dts`;
  writeFileSync(
    dts,
    '/dts-v1/;\n/ { model = "Baseline Test Board"; compatible = "baseline,test"; memory@80000000 { device_type = "memory"; reg = <0x80000000 0x10000000>; }; };\n',
  );
  execFileSync('dtc', ['-I', 'dts', '-O', 'dtb', '-o', path, dts], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** `mkimage -f its out` (with -E: external data; with keydir: -k keydir -r, signing the configurations). */
export function mkimageFit(its: string, out: string, options: { external?: boolean; keydir?: string } = {}): void {
  const args = ['-f', its];
  if (options.external) args.push('-E');
  if (options.keydir) args.push('-k', options.keydir, '-r');
  execFileSync('mkimage', [...args, out], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Makes keydir/dev.key and keydir/dev.crt (RSA 2048) with openssl; false when that fails. */
export function makeSigningKey(keydir: string): boolean {
  mkdirSync(keydir, { recursive: true });
  const key = join(keydir, 'dev.key');
  const ok1 =
    spawnSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key], { stdio: 'ignore' }).status ===
    0;
  const ok2 =
    ok1 &&
    spawnSync('openssl', ['req', '-batch', '-new', '-x509', '-key', key, '-subj', '/CN=dev', '-out', join(keydir, 'dev.crt')], {
      stdio: 'ignore',
    }).status === 0;
  return ok2;
}
