/**
 * The settings of `pacscope serve` for the built-in PACS and the store SCP:
 * defaults, then a config file (JSON, see config.ts), then CLI flags; the
 * store SCP is a move destination of the PACS unless one of that AE title is
 * given. The data directory defaults to $XDG_DATA_HOME/pacscope (else
 * ~/.local/share/pacscope): the PACS's store in `pacs/`, what the store SCP
 * receives in `store-scp/`.
 */
import { readJsonConfig } from '../../config-file.ts';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_PACS, DEFAULT_STORE, parseAeAddress, parseAePolicy, parseDestination, parseMoveMode, parseSettings, type Destination, type FileSettings, type PacsConfig, type StoreScpConfig } from './config.ts';
import { resolveLimits, type GuardLimits } from '../guard/limits.ts';
import { DEFAULT_COMMIT_DELAY_MS, DEFAULT_COMMIT_REPORT_MODE, parseCommitDelay, parseCommitReportMode } from './commitment-settings.ts';

export interface ServeFlags {
  pacs?: string;
  store?: string;
  dest?: string[];
  moveMode?: string;
  data?: string;
  aePolicy?: string;
  config?: string;
  subOperationDelay?: string;
  /** Storage commitment report mode and delay (commitment-settings.ts). */
  commitReport?: string;
  commitDelay?: string;
  /** Limits from flags (checked by the caller: ../guard/limits.ts). */
  limits?: Partial<GuardLimits>;
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'pacscope');
}

export function readConfigFile(path: string): FileSettings {
  const json = readJsonConfig(path);
  return parseSettings(json, `config file ${path}`);
}

export function resolveServeSettings(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): { pacs: PacsConfig; store: StoreScpConfig; limits: GuardLimits } {
  const file = flags.config ? readConfigFile(flags.config) : {};
  const pacsAddress = flags.pacs ? parseAeAddress(flags.pacs) : (file.pacs ?? parseAeAddress(DEFAULT_PACS));
  const storeAddress = flags.store ? parseAeAddress(flags.store) : (file.store ?? parseAeAddress(DEFAULT_STORE));
  if (pacsAddress.host === storeAddress.host && pacsAddress.port === storeAddress.port && pacsAddress.port !== 0) {
    throw new Error(`the PACS and the store SCP cannot both listen on ${pacsAddress.host}:${pacsAddress.port}`);
  }
  const dataDir = resolve(flags.data ?? file.data ?? defaultDataDir(env));
  const destinations = new Map<string, Destination>([[storeAddress.ae, { host: storeAddress.host, port: storeAddress.port }]]);
  for (const [ae, d] of file.destinations ?? []) destinations.set(ae, d);
  for (const text of flags.dest ?? []) destinations.set(...parseDestination(text));
  let delay = file.subOperationDelayMs ?? 0;
  if (flags.subOperationDelay !== undefined) {
    delay = Number(flags.subOperationDelay);
    if (!/^\d+$/.test(flags.subOperationDelay) || delay > 60_000) throw new Error(`--sub-operation-delay must be a number of ms from 0 to 60000, got "${flags.subOperationDelay}"`);
  }
  const pacs: PacsConfig = {
    ...pacsAddress,
    dataDir: join(dataDir, 'pacs'),
    destinations,
    moveMode: flags.moveMode ? parseMoveMode(flags.moveMode) : (file.moveMode ?? 'sync'),
    aePolicy: flags.aePolicy ? parseAePolicy(flags.aePolicy) : (file.aePolicy ?? 'any'),
    knownCallers: file.knownCallers ?? [],
    subOperationDelayMs: delay,
    commitReportMode: flags.commitReport ? parseCommitReportMode(flags.commitReport) : (file.commitReportMode ?? DEFAULT_COMMIT_REPORT_MODE),
    commitReportDelayMs: flags.commitDelay !== undefined ? parseCommitDelay(flags.commitDelay, '--commit-delay') : (file.commitReportDelayMs ?? DEFAULT_COMMIT_DELAY_MS),
  };
  const store: StoreScpConfig = {
    ...storeAddress,
    outputDir: join(dataDir, 'store-scp'),
    acceptedSopClasses: file.storeSopClasses,
    acceptedTransferSyntaxes: file.storeTransferSyntaxes,
  };
  return { pacs, store, limits: resolveLimits(file.limits, flags.limits) };
}
