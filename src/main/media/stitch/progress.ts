/**
 * Progress of a stitch as one fraction and an ETA: each video segment weighs its frames,
 * the sound and the final join a fixed share. Reports only go forwards.
 */
import type { VideoSegment } from './timeline';

const SOUND_SHARE = 0.1;
const JOIN_SHARE = 0.05;

export class StitchProgress {
  private readonly weights: number[];
  private readonly finished: number[];
  private readonly startedAt = Date.now();
  private extra = 0;
  private last = 0;

  /** `segments`: the video jobs (none when the video is copied); `totalFrames`: the episode's. */
  constructor(
    segments: readonly VideoSegment[],
    totalFrames: number,
    private readonly report?: (fraction: number, etaSeconds: number | null) => void,
  ) {
    const videoShare = 1 - SOUND_SHARE - JOIN_SHARE;
    const total = Math.max(1, totalFrames);
    this.weights = segments.map((segment) => (videoShare * (segment.end - segment.start)) / total);
    this.finished = this.weights.map(() => 0);
    if (segments.length === 0) this.extra = videoShare;
  }

  piece(index: number, fraction: number): void {
    if (index >= this.finished.length) return;
    this.finished[index] = Math.max(this.finished[index]!, Math.min(1, fraction));
    this.emit();
  }

  videoJoined(): void {
    this.extra += JOIN_SHARE / 2;
    this.emit();
  }
  soundMeasured(): void {
    this.extra += SOUND_SHARE / 2;
    this.emit();
  }
  soundEncoded(): void {
    this.extra += SOUND_SHARE / 2;
    this.emit();
  }

  done(): void {
    this.last = 1;
    this.report?.(1, 0);
  }

  private emit(): void {
    const fraction = Math.min(0.999, this.extra + this.weights.reduce((sum, weight, i) => sum + weight * this.finished[i]!, 0));
    if (fraction <= this.last) return;
    this.last = fraction;
    const elapsed = (Date.now() - this.startedAt) / 1000;
    this.report?.(fraction, fraction > 0.02 ? (elapsed / fraction) * (1 - fraction) : null);
  }
}
