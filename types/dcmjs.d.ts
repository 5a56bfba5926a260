/**
 * The part of dcmjs 0.51 that pacscope uses (dcmjs ships no typings).
 * Only bare data set reading: shared/dimse/dataset.ts.
 */
declare module 'dcmjs' {
  export interface DcmjsElement {
    vr: string;
    Value?: unknown[];
    _rawValue?: unknown;
  }
  export type DcmjsDict = Record<string, DcmjsElement>;

  export interface ReadOptions {
    ignoreErrors?: boolean;
    untilTag?: string | null;
    includeUntilTagValue?: boolean;
    stopOnGreaterTag?: boolean;
  }

  export class ReadBufferStream {
    constructor(buffer: ArrayBuffer | null, littleEndian?: boolean | null, options?: { start?: number | null; stop?: number | null; noCopy?: boolean });
    offset: number;
    size: number;
    getBuffer(start?: number, end?: number): ArrayBuffer;
  }

  export class DeflatedReadBufferStream extends ReadBufferStream {
    constructor(stream: ReadBufferStream, options?: { noCopy?: boolean });
  }

  export interface DictionaryEntry {
    tag: string;
    vr: string;
    vm: string;
    name: string;
    version: string;
  }

  export const data: {
    ReadBufferStream: typeof ReadBufferStream;
    DeflatedReadBufferStream: typeof DeflatedReadBufferStream;
    DicomMessage: {
      _read(stream: ReadBufferStream, syntax: string, options?: ReadOptions): DcmjsDict;
    };
    DicomMetaDictionary: {
      /** Keyed by "(GGGG,EEEE)". */
      dictionary: Record<string, DictionaryEntry | undefined>;
      /** Keyed by keyword. */
      nameMap: Record<string, DictionaryEntry | undefined>;
      naturalizeDataset(dict: DcmjsDict): Record<string, unknown>;
    };
  };

  export interface Logger {
    getLevel(): number;
    setLevel(level: number | string, persist?: boolean): void;
    getLogger(name: string): Logger;
  }
  export const log: Logger;

  const dcmjs: { data: typeof data; log: typeof log };
  export default dcmjs;
}
