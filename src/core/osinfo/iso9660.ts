/**
 * The identity of an ISO 9660 image, read from its primary volume descriptor (sector 16, 2048-byte sectors):
 * system, volume, publisher and application ids (space-padded a/d-characters, trailing spaces dropped) and the
 * volume size. libosinfo matches install media on these fields.
 */
export interface IsoIdentity {
  systemId: string;
  volumeId: string;
  publisherId: string;
  applicationId: string;
  /** Bytes: volume space size x logical block size. */
  volumeSize: number;
}

/** Byte offset and length of the primary volume descriptor an ISO reader must hand to parseIsoIdentity. */
export const PVD_OFFSET = 16 * 2048;
export const PVD_LENGTH = 2048;

/** The primary volume descriptor's 2048 bytes -> identity, or null when they are not one. */
export function parseIsoIdentity(pvd: Uint8Array): IsoIdentity | null {
  if (pvd.length < 882 || pvd[0] !== 1 || String.fromCharCode(...pvd.subarray(1, 6)) !== 'CD001') return null;
  const str = (off: number, len: number): string => new TextDecoder('latin1').decode(pvd.subarray(off, off + len)).replace(/[ \0]+$/, '');
  const view = new DataView(pvd.buffer, pvd.byteOffset, pvd.byteLength);
  return {
    systemId: str(8, 32),
    volumeId: str(40, 32),
    publisherId: str(318, 128),
    applicationId: str(574, 128),
    volumeSize: view.getUint32(80, true) * view.getUint16(128, true),
  };
}
