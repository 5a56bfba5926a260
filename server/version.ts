import { readFileSync } from 'node:fs';

/** The product version, from package.json (declared once), printed by the CLI and written into recordings. */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
