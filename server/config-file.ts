/** A JSON settings file (`--config FILE` of serve and proxy): read and parsed, with errors that name the file. */
import { readFileSync } from 'node:fs';

export function readJsonConfig(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`config file ${path} is not JSON: ${(e as Error).message}`);
  }
}
