/** Minimal typings for yauzl (no @types package installed). */
declare module 'yauzl' {
  import type { Readable } from 'node:stream';
  import type { EventEmitter } from 'node:events';
  export interface Entry {
    fileName: string;
  }
  export interface ZipFile extends EventEmitter {
    readEntry(): void;
    openReadStream(entry: Entry, cb: (err: Error | null, stream?: Readable) => void): void;
    close(): void;
  }
  export function open(path: string, options: { lazyEntries?: boolean }, cb: (err: Error | null, zip?: ZipFile) => void): void;
  const yauzl: { open: typeof open };
  export default yauzl;
}
