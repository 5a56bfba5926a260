/**
 * Why a capture could not start, said so that the user knows what to do:
 * dumpcap missing, an interface that does not exist, no right to capture, a
 * filter that is not BPF. Read from dumpcap's own words (its English
 * messages, dumpcap-process.ts runs it with LC_ALL=C) and, when it only says
 * "permission", from its list of interfaces (`dumpcap -D` needs no right to
 * capture): an unprivileged dumpcap reports a permission error even for an
 * interface that does not exist, because it fails to open the packet socket
 * before it looks the device up.
 */
import { execFile } from 'node:child_process';
import type { DumpcapExit } from './dumpcap-process.ts';

/** A capture that cannot start or went on no longer: a one-line message (the CLI prints it, the API answers it). */
export class CaptureError extends Error {}

const INSTALL = 'install it: sudo apt-get install wireshark-common (Debian, Ubuntu; dumpcap is in that package), sudo dnf install wireshark-cli (Fedora), or set PACSCOPE_DUMPCAP to its path';
const PERMISSION_FIX =
  'let your user capture: sudo dpkg-reconfigure wireshark-common (answer Yes), sudo usermod -aG wireshark $USER, then log in again; ' +
  'or give dumpcap the capabilities itself: sudo setcap cap_net_raw,cap_net_admin+eip $(command -v dumpcap); or run pacscope as root';

/** The interfaces dumpcap can capture on (`dumpcap -D`: "1. eth0", "3. lo (Loopback)"), or null when it cannot say. */
export function listInterfaces(command: string): Promise<string[] | null> {
  return new Promise((resolve) => {
    execFile(command, ['-D'], { timeout: 10_000, env: { ...process.env, LC_ALL: 'C' } }, (err, stdout) => {
      if (err) return resolve(null);
      resolve(
        stdout
          .split('\n')
          .map((l) => /^\d+\.\s+(\S+)/.exec(l)?.[1])
          .filter((x): x is string => x !== undefined),
      );
    });
  });
}

/** The names and numbers `-i` takes for an interface list, for a message. */
const named = (list: string[]) => list.map((n, i) => `${n} (${i + 1})`).join(', ');

/** True when `iface` names one of `list` (dumpcap also takes its number in `dumpcap -D`). */
function known(iface: string, list: string[]): boolean {
  return list.includes(iface) || (/^\d+$/.test(iface) && Number(iface) >= 1 && Number(iface) <= list.length);
}

/** The lines dumpcap wrote after "dumpcap: ", up to its advice, as one line. */
function dumpcapSays(stderr: string): string {
  const at = stderr.indexOf('dumpcap: ');
  const text = at >= 0 ? stderr.slice(at + 'dumpcap: '.length) : stderr;
  return text
    .split('\n')
    .map((l) => l.trim())
    // Its progress lines are no reason.
    .filter((l) => l !== '' && !/^(Packets|Capturing on|File: )/.test(l))
    .slice(0, 2)
    .join(' ');
}

/**
 * The message for a dumpcap that ended before the capture opened (or, with
 * `running` false, while it ran): one line with the cause and what to do.
 */
export async function explainFailure(exit: DumpcapExit, o: { interface: string; filter: string; userFilter: string | null; command: string }): Promise<string> {
  const e = exit.spawnError;
  if (e?.code === 'ENOENT') return `dumpcap is not installed (no "${o.command}" on PATH): pacscope captures with Wireshark's dumpcap; ${INSTALL}`;
  if (e?.code === 'EACCES') return `cannot run ${o.command}: permission denied (it is not executable for you); ${PERMISSION_FIX}`;
  if (e) return `cannot run ${o.command}: ${e.message}`;
  const err = exit.stderr;
  if (/There is no device named|No such device exists|SIOCGIFHWADDR: No such device|No such device/.test(err)) return await noSuchInterface(o.interface, o.command);
  if (/You (?:do not|don't) have permission to capture|Operation not permitted|Permission denied/.test(err)) {
    const list = await listInterfaces(o.command);
    if (list && !known(o.interface, list)) return await noSuchInterface(o.interface, o.command, list);
    return `you may not capture on ${o.interface}: dumpcap has no right to open it (${dumpcapSays(err)}); ${PERMISSION_FIX}`;
  }
  const bad = /Invalid capture filter "[^"]*" for interface '[^']*'\.\s*\n?\s*\n?That string isn't a valid capture filter \(([^)]*)\)/.exec(err) ?? /Invalid capture filter[^\n]*\n[^\n]*?\(([^)]*)\)/.exec(err);
  if (bad || /Invalid capture filter/.test(err)) {
    const shown = o.userFilter ?? o.filter;
    return `the capture filter "${shown}" is not a valid BPF filter${bad ? ` (${bad[1]})` : ''}: write it as for tcpdump or dumpcap -f, e.g. "tcp port 104" or "host 10.0.0.5 and tcp"`;
  }
  const how = exit.signal ? `was ended by ${exit.signal}` : `exited with code ${exit.code}`;
  const said = dumpcapSays(err);
  return `dumpcap ${how}${said ? `: ${said}` : ''}`;
}

async function noSuchInterface(iface: string, command: string, list?: string[] | null): Promise<string> {
  const all = list === undefined ? await listInterfaces(command) : list;
  return `there is no interface "${iface}"${all && all.length ? `: capture on one of ${named(all)} (dumpcap -D lists them)` : ' (dumpcap -D lists the interfaces)'}`;
}
