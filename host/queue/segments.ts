import { closeSync, fsyncSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Segment files are named by the queue offset of their first byte, in fixed-width hex, so that
 * a directory listing sorts them and an offset finds its segment without reading any file.
 */
const SEGMENT_RE = /^([0-9a-f]{16})\.seg$/;

export function segmentName(start: number): string {
  return `${start.toString(16).padStart(16, '0')}.seg`;
}

/** Start offsets of the segments in `dir`, ascending. */
export function listSegments(dir: string): number[] {
  const starts: number[] = [];
  for (const name of readdirSync(dir)) {
    const m = SEGMENT_RE.exec(name);
    if (m) starts.push(parseInt(m[1]!, 16));
  }
  return starts.sort((a, b) => a - b);
}

export function segmentPath(dir: string, start: number): string {
  return join(dir, segmentName(start));
}

/** Makes a created or removed directory entry durable; a new segment is useless if its name is lost. */
export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
