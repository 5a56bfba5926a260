/**
 * Link-layer headers in front of the IP packet, by LINKTYPE_ value
 * (draft-ietf-opsawg-pcaplinktype; tcpdump.org/linktypes.html). The table is
 * data: one entry per supported link type, each giving where the IP packet
 * starts in a captured frame.
 */

/** Where the network-layer packet starts and which IP version it is (0: look at the first nibble); null: not IP, skip. */
export interface NetworkPacket {
  offset: number;
  ipVersion: 0 | 4 | 6;
}

type LinkParser = (frame: Uint8Array) => NetworkPacket | null;

/** EtherType values (IEEE 802): IPv4, IPv6 and the VLAN tags that may precede them. */
const EtherType = Object.freeze({ IPv4: 0x0800, IPv6: 0x86dd, Vlan8021Q: 0x8100, Vlan8021ad: 0x88a8, VlanQinQ: 0x9100 } as const);

/** Address family values of the BSD loopback header: AF_INET, and AF_INET6 as the BSDs number it (24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS). */
const AF_INET = 2;
const AF_INET6 = new Set([24, 28, 30]);

function byEtherType(type: number, offset: number): NetworkPacket | null {
  if (type === EtherType.IPv4) return { offset, ipVersion: 4 };
  if (type === EtherType.IPv6) return { offset, ipVersion: 6 };
  return null;
}

function byFamily(family: number, offset: number): NetworkPacket | null {
  if (family === AF_INET) return { offset, ipVersion: 4 };
  if (AF_INET6.has(family)) return { offset, ipVersion: 6 };
  return null;
}

/** Ethernet II: destination, source (6 bytes each), EtherType; 802.1Q / 802.1ad tags (4 bytes each) skipped. */
const ethernet: LinkParser = (f) => {
  let p = 12;
  while (p + 2 <= f.length) {
    const type = (f[p] << 8) | f[p + 1];
    if (type === EtherType.Vlan8021Q || type === EtherType.Vlan8021ad || type === EtherType.VlanQinQ) {
      p += 4;
      continue;
    }
    return byEtherType(type, p + 2);
  }
  return null;
};

/** BSD loopback (LINKTYPE_NULL): a 4-byte address family in the capturing host's byte order. */
const bsdNull: LinkParser = (f) => {
  if (f.length < 4) return null;
  const family = f[0] === 0 && f[1] === 0 ? (f[2] << 8) | f[3] : f[0] | (f[1] << 8);
  return byFamily(family, 4);
};

/** OpenBSD loopback (LINKTYPE_LOOP): the same family field, always big-endian. */
const openBsdLoop: LinkParser = (f) => (f.length < 4 ? null : byFamily(((f[0] << 24) | (f[1] << 16) | (f[2] << 8) | f[3]) >>> 0, 4));

/** Linux cooked capture v1 (LINKTYPE_LINUX_SLL): 16-byte header, protocol type at 14. */
const linuxSll: LinkParser = (f) => (f.length < 16 ? null : byEtherType((f[14] << 8) | f[15], 16));

/** Linux cooked capture v2 (LINKTYPE_LINUX_SLL2): 20-byte header, protocol type at 0. */
const linuxSll2: LinkParser = (f) => (f.length < 20 ? null : byEtherType((f[0] << 8) | f[1], 20));

const raw: LinkParser = () => ({ offset: 0, ipVersion: 0 });
const rawIpv4: LinkParser = () => ({ offset: 0, ipVersion: 4 });
const rawIpv6: LinkParser = () => ({ offset: 0, ipVersion: 6 });

/** Supported link types: LINKTYPE_ value → name and header parser. */
export const LINK_TYPES: ReadonlyMap<number, { name: string; parse: LinkParser }> = new Map([
  [0, { name: 'NULL (BSD loopback)', parse: bsdNull }],
  [1, { name: 'ETHERNET', parse: ethernet }],
  [101, { name: 'RAW', parse: raw }],
  [108, { name: 'LOOP (OpenBSD loopback)', parse: openBsdLoop }],
  [113, { name: 'LINUX_SLL', parse: linuxSll }],
  [228, { name: 'IPV4', parse: rawIpv4 }],
  [229, { name: 'IPV6', parse: rawIpv6 }],
  [276, { name: 'LINUX_SLL2', parse: linuxSll2 }],
]);
