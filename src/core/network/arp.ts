/** The host's IPv4 neighbour table as /proc/net/arp writes it (read by host/net/arp-table.ts). */

export interface ArpEntry {
  readonly ip: string;
  readonly mac: string;
  readonly device: string;
}

/**
 * /proc/net/arp: "IP address  HW type  Flags  HW address  Mask  Device" after a header line.
 * Incomplete entries (flags 0x0, MAC 00:00:00:00:00:00) are left out: the host has not heard
 * from that address.
 */
export function parseProcNetArp(text: string): ArpEntry[] {
  const out: ArpEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const [ip, , flags, mac, , device] = f as [string, string, string, string, string, string];
    if (flags === '0x0' || mac === '00:00:00:00:00:00') continue;
    out.push({ ip, mac: mac.toLowerCase(), device });
  }
  return out;
}
