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
