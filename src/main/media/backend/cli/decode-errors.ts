/**
 * Counts what ffmpeg reports about data its decoders could not use. ffmpeg keeps going
 * past a corrupt packet (concealing the damage), so the job succeeds; the gate decides
 * whether a clip with damage is acceptable.
 */
const DECODE_ERROR =
  /error while decoding|invalid data found when processing input|corrupt|concealing|decode_slice_header error|no frame!|missing picture|non-existing pps|invalid nal|error splitting the input|moov atom not found|partial file/i;

export class DecodeErrorCounter {
  private count = 0;
  private first: string | null = null;

  see(line: string): void {
    if (!DECODE_ERROR.test(line)) return;
    this.count++;
    this.first ??= line.trim().slice(0, 300);
  }

  result(): { decodeErrors: number; firstDecodeError: string | null } {
    return { decodeErrors: this.count, firstDecodeError: this.first };
  }
}
