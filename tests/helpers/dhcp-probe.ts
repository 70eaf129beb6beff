/**
 * A minimal DHCPv4 client for tests: DISCOVER, OFFER, REQUEST, ACK over UDP
 * 68 -> 67 broadcast, from the network namespace it is run in
 * (`ip netns exec NS node dist/tests/helpers/dhcp-probe.js MAC HOSTNAME`). It
 * prints `{"ip": ..., "server": ...}` and exits 0 on an ACK, non-zero otherwise.
 * The namespace needs its interface up with a route for 255.255.255.255.
 * No DHCP client (busybox, dhclient) is installed on the host; this stands in.
 */
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';

const DISCOVER = 1;
const OFFER = 2;
const REQUEST = 3;
const ACK = 5;
const NAK = 6;

function packet(type: number, xid: Buffer, mac: string, host: string, extra: Array<[number, Buffer]>): Buffer {
  const head = Buffer.alloc(240);
  head[0] = 1; // BOOTREQUEST
  head[1] = 1; // Ethernet
  head[2] = 6;
  xid.copy(head, 4);
  head.writeUInt16BE(0x8000, 10); // answer by broadcast: we have no address yet
  Buffer.from(mac.split(':').map((h) => parseInt(h, 16))).copy(head, 28);
  head.writeUInt32BE(0x63825363, 236);
  const opts: Array<[number, Buffer]> = [[53, Buffer.from([type])], [12, Buffer.from(host)], ...extra];
  const body = Buffer.concat(opts.map(([code, v]) => Buffer.concat([Buffer.from([code, v.length]), v])));
  return Buffer.concat([head, body, Buffer.from([255])]);
}

interface Reply {
  type: number;
  yiaddr: string;
  server: Buffer;
}

function parse(msg: Buffer, xid: Buffer): Reply | undefined {
  if (msg.length < 240 || msg[0] !== 2 || !msg.subarray(4, 8).equals(xid)) return undefined;
  let type = 0;
  let server = Buffer.alloc(4);
  for (let i = 240; i < msg.length && msg[i] !== 255; ) {
    const code = msg[i] ?? 0;
    if (code === 0) { i++; continue; }
    const len = msg[i + 1] ?? 0;
    const v = msg.subarray(i + 2, i + 2 + len);
    if (code === 53) type = v[0] ?? 0;
    if (code === 54) server = Buffer.from(v);
    i += 2 + len;
  }
  return { type, yiaddr: [...msg.subarray(16, 20)].join('.'), server };
}

async function main(): Promise<void> {
  const [mac, host] = process.argv.slice(2);
  if (!mac || !host) throw new Error('usage: dhcp-probe MAC HOSTNAME');
  const xid = randomBytes(4);
  const sock = createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((res) => sock.bind(68, '0.0.0.0', res));
  sock.setBroadcast(true);
  const replies: Reply[] = [];
  sock.on('message', (m) => {
    const r = parse(m, xid);
    if (r) replies.push(r);
  });
  const send = (b: Buffer): void => sock.send(b, 67, '255.255.255.255');
  const wait = async (types: number[]): Promise<Reply | undefined> => {
    // Resend every 250 ms (dnsmasq may still be starting); give up after 40 tries.
    for (let n = 0; n < 40; n++) {
      const r = replies.find((x) => types.includes(x.type));
      if (r) return r;
      await new Promise((res) => setTimeout(res, 250));
    }
    return undefined;
  };
  const discover = packet(DISCOVER, xid, mac, host, []);
  send(discover);
  const timer = setInterval(() => { if (!replies.some((r) => r.type === OFFER)) send(discover); }, 250);
  const offer = await wait([OFFER]);
  clearInterval(timer);
  if (!offer) throw new Error('no DHCPOFFER');
  const ip = Buffer.from(offer.yiaddr.split('.').map(Number));
  send(packet(REQUEST, xid, mac, host, [[50, ip], [54, offer.server]]));
  const ack = await wait([ACK, NAK]);
  sock.close();
  if (!ack || ack.type !== ACK) throw new Error(ack ? 'DHCPNAK' : 'no DHCPACK');
  process.stdout.write(JSON.stringify({ ip: ack.yiaddr, server: [...ack.server].join('.') }) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`dhcp-probe: ${(e as Error).message}\n`);
  process.exit(1);
});
