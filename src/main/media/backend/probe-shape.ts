/** The parts of a MediaProbe both backends derive the same way from what their FFmpeg reports. Pure. */
import type { MediaProbe } from './types';

/** Display size from the coded size and the clockwise rotation. */
export function orientedSize(codedWidth: number, codedHeight: number, rotation: number): Pick<MediaProbe, 'width' | 'height' | 'codedWidth' | 'codedHeight' | 'rotation'> {
  const turned = rotation === 90 || rotation === 270;
  return { width: turned ? codedHeight : codedWidth, height: turned ? codedWidth : codedHeight, codedWidth, codedHeight, rotation };
}

/** The average rate, the stream's base rate, and whether they disagree by more than 1 % (variable frame rate). */
export function frameRates(average: number | undefined, base: number | undefined): Pick<MediaProbe, 'fps' | 'baseFps' | 'variableFrameRate'> {
  const fps = average ?? base ?? 0;
  const baseFps = base ?? fps;
  return { fps, baseFps, variableFrameRate: fps > 0 && baseFps > 0 && Math.abs(fps - baseFps) / baseFps > 0.01 };
}

/** FFmpeg's AVColorSpace values by the names ffprobe prints; unspecified (2) and reserved are null. */
const MATRIX_NAMES: Readonly<Record<number, string>> = { 0: 'gbr', 1: 'bt709', 4: 'fcc', 5: 'bt470bg', 6: 'smpte170m', 7: 'smpte240m', 8: 'ycgco', 9: 'bt2020nc', 10: 'bt2020c', 14: 'ictcp' };

export function colourMatrixName(value: number): string | null {
  return MATRIX_NAMES[value] ?? null;
}

/** FFmpeg's AVColorTransferCharacteristic values by ffprobe's names; unspecified (2) and reserved are null. */
const TRANSFER_NAMES: Readonly<Record<number, string>> = {
  1: 'bt709', 4: 'bt470m', 5: 'bt470bg', 6: 'smpte170m', 7: 'smpte240m', 8: 'linear', 13: 'iec61966-2-1', 14: 'bt2020-10', 15: 'bt2020-12', 16: 'smpte2084', 18: 'arib-std-b67',
};

export function colourTransferName(value: number): string | null {
  return TRANSFER_NAMES[value] ?? null;
}

/** AVColorRange 1 (MPEG) is tv, 2 (JPEG) is pc; a yuvj pixel format is full range whatever the tag says. */
export function colourRangeOf(range: number | string | undefined, pixelFormat: string): 'tv' | 'pc' | null {
  if (pixelFormat.startsWith('yuvj')) return 'pc';
  if (range === 1 || range === 'tv') return 'tv';
  if (range === 2 || range === 'pc') return 'pc';
  return null;
}
