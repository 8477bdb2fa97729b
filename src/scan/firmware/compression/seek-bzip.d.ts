// The part of seek-bzip's (untyped, CommonJS) API that bzip2.ts uses: the decoder object whose methods
// Bunzip.decode drives (pinned version 2.0.0), so that bzip2.ts can drive them itself and require each
// stream's end marker.
declare module 'seek-bzip' {
  interface InputStream {
    readByte(): number;
    read(buffer: Uint8Array, offset: number, length: number): number;
    seek(pos: number): void;
    eof(): boolean;
  }
  interface OutputStream {
    writeByte(byte: number): void;
  }
  interface Decoder {
    reader: { read(bits: number): number };
    streamCRC: number;
    _init_block(): boolean;
    _read_bunzip(): number;
    _start_bunzip(input: InputStream, output: OutputStream): void;
  }
  const Bunzip: {
    new (input: InputStream, output: OutputStream): Decoder;
  };
  export default Bunzip;
}
