/**
 * The counters a capturing tool leaves in a pcapng file: the Interface
 * Statistics Block (draft-ietf-opsawg-pcapng §4.6), block type 5, interface
 * id u32 at 8, timestamp at 12/16, options from 20. The options read here
 * (§4.6, Table 7): isb_ifrecv 4 (packets the interface received),
 * isb_ifdrop 5 (dropped by the interface for lack of resources),
 * isb_osdrop 7 (dropped by the operating system). Every counter counts from
 * the start of the capture, so a later block of the same interface replaces
 * an earlier one. dumpcap writes one per interface when it stops, with
 * isb_ifdrop = libpcap's ps_drop + its own drops + packets flushed, and
 * all-ones when it could not read them ("unknown" here).
 */

export const PCAPNG_INTERFACE_STATISTICS = 0x00000005;

const OPT_END = 0;
const OPT_ISB_IFRECV = 4;
const OPT_ISB_IFDROP = 5;
const OPT_ISB_OSDROP = 7;

/** The counters of one interface; null where the block did not say (or said all-ones, "unknown"). */
export interface InterfaceStatistics {
  /** Interface number in its section (the order of its Interface Description Block). */
  interfaceId: number;
  /** if_name of its Interface Description Block, when it had one. */
  name: string | null;
  received: number | null;
  /** isb_ifdrop: dropped by the interface (dumpcap: the kernel's buffer was full, or its own queue). */
  interfaceDropped: number | null;
  /** isb_osdrop: dropped by the operating system. */
  osDropped: number | null;
  /** Stream offset of the block that said so. */
  blockOffset: number;
}

/** Packets lost by the capture in all, or null when neither counter was given. */
export function droppedPackets(s: InterfaceStatistics): number | null {
  if (s.interfaceDropped === null && s.osDropped === null) return null;
  return (s.interfaceDropped ?? 0) + (s.osDropped ?? 0);
}

/**
 * Reads the options of an Interface Statistics Block `b[o .. o+length)`;
 * `u16`/`u32` read in the section's byte order. Options that overrun the
 * block end the reading (the counters read so far are kept).
 */
export function readInterfaceStatistics(
  b: Uint8Array,
  o: number,
  length: number,
  u16: (b: Uint8Array, o: number) => number,
  u32: (b: Uint8Array, o: number) => number,
  littleEndian: boolean,
): Omit<InterfaceStatistics, 'name' | 'blockOffset'> {
  const stats: Omit<InterfaceStatistics, 'name' | 'blockOffset'> = { interfaceId: u32(b, o + 8), received: null, interfaceDropped: null, osDropped: null };
  const end = o + length - 4;
  let p = o + 20;
  while (p + 4 <= end) {
    const code = u16(b, p);
    const len = u16(b, p + 2);
    const value = p + 4;
    if (code === OPT_END || value + len > end) break;
    if (len === 8) {
      const hi = littleEndian ? u32(b, value + 4) : u32(b, value);
      const lo = littleEndian ? u32(b, value) : u32(b, value + 4);
      // All-ones is dumpcap's "could not read the counter"; above 2^53 a count is no count anyway.
      const n = hi === 0xffffffff && lo === 0xffffffff ? null : hi * 4294967296 + lo;
      if (code === OPT_ISB_IFRECV) stats.received = n;
      else if (code === OPT_ISB_IFDROP) stats.interfaceDropped = n;
      else if (code === OPT_ISB_OSDROP) stats.osDropped = n;
    }
    p = value + ((len + 3) & ~3);
  }
  return stats;
}

/** The reason a capture's drops are reported with (a summary error): one sentence, matched by the diagnosis (capture-health.ts). */
export function droppedReason(s: InterfaceStatistics, dropped: number): string {
  const where = s.name ? `interface ${s.name}` : `interface ${s.interfaceId}`;
  const parts = [
    s.interfaceDropped !== null ? `${s.interfaceDropped} by the interface` : null,
    s.osDropped !== null ? `${s.osDropped} by the operating system` : null,
    s.received !== null ? `${s.received} received` : null,
  ].filter((x): x is string => x !== null);
  return `the capture dropped ${dropped} packet(s) on ${where} (${parts.join(', ')}; the capturing tool's counters, pcapng Interface Statistics Block)`;
}

/** Matches `droppedReason` (with a `file: ` or `capture: ` prefix): the number dropped in group 1. */
export const DROPPED_REASON = /(?:^|: )the capture dropped (\d+) packet\(s\) on /;
