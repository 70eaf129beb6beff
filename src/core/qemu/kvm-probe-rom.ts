/**
 * A 64 KiB firmware image that proves a CPU really runs guest code: from the
 * reset vector it walks the x86 boot path a Linux guest takes, real mode ->
 * 32-bit protected mode -> 64-bit long mode with paging, writes a marker
 * byte to the debugcon port at each stage ('R', 'P', 'L'), and finally
 * writes PROBE_EXIT_VALUE to an isa-debug-exit port, which makes QEMU exit
 * with status (value << 1) | 1. Where a broken KVM stops shows in the
 * markers: some nested setups run real mode and hang on the switch to
 * protected mode, which a probe stopping at the first instruction would miss.
 *
 * Hand-assembled (no assembler at run time); the layout, all in the image's
 * low alias at 0xF0000 (the reset code far-jumps there first):
 *   0x0100  real mode: cli, 'R', lgdt, CR0.PE, far jmp 0x08:pm32
 *   pm32    32-bit: flat data segments, 'P', page tables at 0x1000-0x3FFF
 *           (identity map of the first 2 MiB), CR4.PAE, CR3, EFER.LME,
 *           CR0.PG, far jmp 0x18:lm64
 *   lm64    64-bit: 'L', out PROBE_EXIT_PORT, hlt loop
 *   0x0200  GDT: null, code32, data, code64;  0x0220 its descriptor
 *   0xFFF0  reset vector: jmp far 0xF000:0x0100
 * Pure: returns bytes; src/host/qemu/kvm-probe.ts writes them to a file.
 */

export const PROBE_ROM_SIZE = 64 * 1024;
export const PROBE_DEBUGCON_PORT = 0xe9;
export const PROBE_EXIT_PORT = 0xf4;
export const PROBE_EXIT_VALUE = 0x2a;
/** QEMU's exit status when the guest wrote PROBE_EXIT_VALUE to isa-debug-exit. */
export const PROBE_EXIT_STATUS = (PROBE_EXIT_VALUE << 1) | 1;
/** The debugcon output of a run that reached every stage. */
export const PROBE_ALL_STAGES = 'RPL';

const LOW_BASE = 0xf0000; // where a 64 KiB BIOS also appears below 1 MiB
const START = 0x0100;
const GDT = 0x0200;
const GDTR = 0x0220;

const u16 = (v: number) => [v & 0xff, (v >> 8) & 0xff];
const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const ch = (c: string) => c.charCodeAt(0);
const mark = (c: string) => [0xb0, ch(c), 0xe6, PROBE_DEBUGCON_PORT]; // mov al, c; out port, al
const movDword = (addr: number, v: number) => [0xc7, 0x05, ...u32(addr), ...u32(v)]; // mov dword [addr], v

export function buildProbeRom(): Uint8Array {
  const rom = new Uint8Array(PROBE_ROM_SIZE).fill(0xf4); // hlt everywhere else
  const real = [
    0xfa, // cli
    ...mark('R'),
    0x2e, 0x66, 0x0f, 0x01, 0x16, ...u16(GDTR), // o32 lgdt cs:[GDTR]
    0x0f, 0x20, 0xc0, // mov eax, cr0
    0x66, 0x83, 0xc8, 0x01, // or eax, 1 (PE)
    0x0f, 0x22, 0xc0, // mov cr0, eax
  ];
  const pm32At = START + real.length + 8;
  real.push(0x66, 0xea, ...u32(LOW_BASE + pm32At), ...u16(0x08)); // jmp dword 0x08:pm32
  const pm32 = [
    0xb8, ...u32(0x10), 0x8e, 0xd8, 0x8e, 0xc0, 0x8e, 0xd0, // ds = es = ss = 0x10
    ...mark('P'),
    ...movDword(0x1000, 0x2003), // PML4[0] -> PDPT
    ...movDword(0x2000, 0x3003), // PDPT[0] -> PD
    ...movDword(0x3000, 0x0083), // PD[0]: 2 MiB page at 0, present + writable + large
    0x0f, 0x20, 0xe0, 0x83, 0xc8, 0x20, 0x0f, 0x22, 0xe0, // cr4 |= PAE
    0xb8, ...u32(0x1000), 0x0f, 0x22, 0xd8, // cr3 = 0x1000
    0xb9, ...u32(0xc0000080), 0x0f, 0x32, 0x0d, ...u32(0x100), 0x0f, 0x30, // EFER |= LME
    0x0f, 0x20, 0xc0, 0x0d, ...u32(0x80000000), 0x0f, 0x22, 0xc0, // cr0 |= PG
  ];
  const lm64At = pm32At + pm32.length + 7;
  pm32.push(0xea, ...u32(LOW_BASE + lm64At), ...u16(0x18)); // jmp 0x18:lm64
  const lm64 = [
    ...mark('L'),
    0xb0, PROBE_EXIT_VALUE, 0xe6, PROBE_EXIT_PORT, // the exit port: QEMU exits with PROBE_EXIT_STATUS
    0xf4, 0xeb, 0xfd, // hlt; jmp hlt
  ];
  const code = [...real, ...pm32, ...lm64];
  if (START + code.length > GDT) throw new Error('probe ROM code overlaps its GDT');
  rom.set(code, START);
  rom.set([
    0, 0, 0, 0, 0, 0, 0, 0, // null
    0xff, 0xff, 0, 0, 0, 0x9a, 0xcf, 0, // 0x08: code, 32-bit, flat
    0xff, 0xff, 0, 0, 0, 0x92, 0xcf, 0, // 0x10: data, flat
    0xff, 0xff, 0, 0, 0, 0x9a, 0xaf, 0, // 0x18: code, 64-bit
  ], GDT);
  rom.set([...u16(4 * 8 - 1), ...u32(LOW_BASE + GDT)], GDTR);
  rom.set([0xea, ...u16(START), ...u16(0xf000)], 0xfff0); // reset vector: jmp far 0xF000:START
  return rom;
}
