/**
 * What pacscope reaches inside dcmjs-dimse requests: the late load of a
 * request made from a file, command elements the typings do not allow, the
 * data set a request holds. Not in the library's typings (dcmjs-dimse 0.3.3;
 * its GitHub source is the reference): this file is the only place that
 * knows these names.
 */
import type { Request } from './library.ts';

/**
 * A request made from a file path is read whole by the library just before
 * it is sent (`loadFullDatasetIfNeeded`): `load` runs there instead.
 */
export function loadBeforeSending(request: Request, load: () => void): void {
  (request as unknown as { loadFullDatasetIfNeeded(): void }).loadFullDatasetIfNeeded = load;
}

/** Sets a command element by keyword, of any value (the typings allow strings only). */
export function setCommandElement(request: Request, keyword: string, value: string | number): void {
  (request.getCommandDataset() as unknown as { setElement(tag: string, value: unknown): void }).setElement(keyword, value);
}

/** Lets go of the request's data set (the typings have no way to unset it): a sent request need not hold a file in memory. */
export function releaseDataset(request: Request): void {
  (request as unknown as { dataset?: unknown }).dataset = undefined;
}
