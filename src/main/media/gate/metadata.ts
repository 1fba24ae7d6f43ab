/**
 * Reading what FFmpeg's `metadata=mode=print:file=` / `ametadata=mode=print:file=` write:
 * a header line per frame that carried metadata, then one `key=value` line per entry:
 *
 *   frame:24   pts:12288   pts_time:1
 *   lavfi.black_end=1
 *   lavfi.signalstats.YAVG=16
 */

export interface MetadataFrame {
  /** The filter's frame counter. */
  frame: number;
  /** Seconds; null when the frame had no timestamp (FFmpeg prints NOPTS). */
  ptsTime: number | null;
  values: Record<string, string>;
}

const HEADER = /^frame:\s*(\d+)\s+pts:\s*(\S+)\s+pts_time:\s*(\S+)\s*$/;

export function parseMetadataPrint(text: string): MetadataFrame[] {
  const frames: MetadataFrame[] = [];
  let current: MetadataFrame | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const header = HEADER.exec(line);
    if (header) {
      const time = Number.parseFloat(header[3]!);
      current = { frame: Number(header[1]), ptsTime: Number.isFinite(time) ? time : null, values: {} };
      frames.push(current);
      continue;
    }
    const at = line.indexOf('=');
    // A line before the first header, or one without a key, is not ours (a truncated write).
    if (!current || at <= 0) continue;
    current.values[line.slice(0, at)] = line.slice(at + 1);
  }
  return frames;
}

/** A metadata value as a number: "-inf" is -Infinity, anything unreadable null. */
export function numberValue(frame: MetadataFrame, key: string): number | null {
  const raw = frame.values[key];
  if (raw === undefined) return null;
  const text = raw.trim().toLowerCase();
  if (text === '-inf') return Number.NEGATIVE_INFINITY;
  if (text === 'inf' || text === '+inf') return Number.POSITIVE_INFINITY;
  const value = Number.parseFloat(text);
  return Number.isFinite(value) ? value : null;
}
