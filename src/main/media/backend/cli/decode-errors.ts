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
    // ffmpeg's own listing of inputs and outputs names their paths, which may contain any word ("corrupt take.mp4").
    if (/^\s*(Input|Output) #\d+/.test(line) || /^\s*(Duration|Stream #|Metadata):?/.test(line)) return;
    const withoutPaths = line.replace(/'[^']*'/g, "''");
    if (!DECODE_ERROR.test(withoutPaths)) return;
    this.count++;
    this.first ??= line.trim().slice(0, 300);
  }

  result(): { decodeErrors: number; firstDecodeError: string | null } {
    return { decodeErrors: this.count, firstDecodeError: this.first };
  }
}
