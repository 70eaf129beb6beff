/**
 * Which OS an install ISO belongs to, as libosinfo decides it (osinfo_db_identify_media): the first media entry
 * whose set patterns all match the ISO's ids. Patterns are regular expressions searched in the id (not anchored,
 * as GLib's g_regex_match_simple); an entry with no pattern at all never matches; the media's arch must be the
 * wanted one or `all`; an entry's volume size, when given, must be equal. Rolling releases are tried last.
 */
import type { IsoIdentity } from './iso9660.js';
import type { RawOs } from './parse.js';

function matches(pattern: string | null, value: string): boolean {
  if (pattern === null) return true;
  try {
    return new RegExp(pattern).test(value);
  } catch {
    return false;
  }
}

export interface MediaMatch {
  os: RawOs;
  media: RawOs['media'][number];
}

export function identifyMedia(iso: IsoIdentity, oses: readonly RawOs[], arch: string): MediaMatch | null {
  for (const os of [...oses.filter((o) => !o.rolling), ...oses.filter((o) => o.rolling)]) {
    for (const media of os.media) {
      if (media.arch !== arch && media.arch !== 'all') continue;
      if (media.volumeId === null && media.systemId === null && media.publisherId === null && media.applicationId === null && media.volumeSize === null) continue;
      if (
        (media.volumeSize === null || media.volumeSize === iso.volumeSize) &&
        matches(media.volumeId, iso.volumeId) &&
        matches(media.systemId, iso.systemId) &&
        matches(media.publisherId, iso.publisherId) &&
        matches(media.applicationId, iso.applicationId)
      ) {
        return { os, media };
      }
    }
  }
  return null;
}
