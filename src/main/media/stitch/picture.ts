/**
 * How one clip's picture becomes the episode's: turned, fitted inside the frame without
 * distortion (square pixels), converted to BT.709 SDR in TV range from whatever matrix,
 * range or HDR transfer it has, on the CPU (swscale, zimg) or with libplacebo on a Vulkan
 * GPU, then padded, tagged alike and brought to the output's constant frame rate.
 */
import type { MediaProbe } from '../backend/types';
import { libplaceboScale } from '../encoders';
import { filter } from '../filtergraph';
import type { Scaling } from './video-settings';

/** The output a clip's picture is made for. */
export interface EpisodeFrame {
  width: number;
  height: number;
  fps: number;
  scaling: Scaling;
}

/** Seconds of picture kept before the first frame a piece needs: enough for the rate conversion to pick the same source frame. */
export const LEAD_SECONDS = 0.5;

/**
 * Turns, scales and pads one input to the output frame at the output rate, holding the
 * last frame as long as needed. Frames well before the piece are dropped before the
 * scaler (the expensive part); the rate conversion still counts output frames from the
 * clip's start (start_time=0), so frame numbers, and so the cut, are the same as if
 * every frame had been converted.
 */
export function normalisedVideo(probe: MediaProbe, output: EpisodeFrame, fromFrame: number, toFrame: number): string[] {
  const { width, height, fps } = output;
  const skip = fromFrame / fps - LEAD_SECONDS;
  return [
    filter('setpts', { expr: 'PTS-STARTPTS' }),
    ...(skip > 0 ? [filter('trim', { start: skip })] : []),
    ...rotation(probe.rotation),
    ...(output.scaling === 'libplacebo'
      ? libplaceboScale({ ...fittedSize(probe, output), colour: true })
      : [
          // Non-square pixels first become square, so "fit inside" keeps the real shape.
          ...(probe.sampleAspectRatio === '1:1' ? [] : [filter('scale', { w: 'trunc(iw*sar/2)*2', h: 'ih' })]),
          filter('scale', { w: width, h: height, force_original_aspect_ratio: 'decrease', force_divisible_by: 2, ...toBt709(probe) }),
          ...(isHdr(probe) ? HDR_TO_SDR : []),
        ]),
    filter('pad', { w: width, h: height, x: '(ow-iw)/2', y: '(oh-ih)/2', color: 'black' }),
    // Every piece says the same: the join keeps the first piece's header for the whole episode.
    filter('setparams', { colorspace: 'bt709', color_primaries: 'bt709', color_trc: 'bt709', range: 'tv' }),
    filter('setsar', { sar: 1 }),
    filter('fps', { fps, start_time: 0 }),
    filter('tpad', { stop_mode: 'clone', stop: toFrame + 1 }),
    filter('trim', { start_frame: fromFrame, end_frame: toFrame }),
    filter('setpts', { expr: 'PTS-STARTPTS' }),
  ];
}

/**
 * The clip's picture fitted inside the output frame without distortion, in even sizes:
 * its display shape is the coded size, widened by the sample aspect ratio, then turned.
 */
export function fittedSize(probe: Pick<MediaProbe, 'codedWidth' | 'codedHeight' | 'rotation' | 'sampleAspectRatio'>, frame: { width: number; height: number }): { width: number; height: number } {
  const [num, den] = probe.sampleAspectRatio.split(':').map(Number);
  const sar = num && den ? num / den : 1;
  const turned = probe.rotation === 90 || probe.rotation === 270;
  const aspect = turned ? probe.codedHeight / (probe.codedWidth * sar) : (probe.codedWidth * sar) / probe.codedHeight;
  const even = (value: number, limit: number) => Math.min(limit, Math.max(2, 2 * Math.round(value / 2)));
  return aspect >= frame.width / frame.height
    ? { width: frame.width, height: even(frame.width / aspect, frame.height) }
    : { width: even(frame.height * aspect, frame.width), height: frame.height };
}

/** PQ (HDR10) and HLG: SDR players show them dim and flat unless they are tone-mapped. */
export function isHdr(probe: Pick<MediaProbe, 'colourTransfer'>): boolean {
  return probe.colourTransfer === 'smpte2084' || probe.colourTransfer === 'arib-std-b67';
}

/**
 * HDR to BT.709 SDR on the CPU, with zimg: to linear light (100 nits as SDR white), to
 * BT.709 primaries, tone-mapped with Mobius (values inside SDR's range stay nearly as
 * they are, highlights are compressed), then BT.709's transfer and matrix in TV range.
 * libplacebo does the same on a GPU.
 */
const HDR_TO_SDR = [
  filter('zscale', { transfer: 'linear', npl: 100 }),
  filter('format', { pix_fmts: 'gbrpf32le' }),
  filter('zscale', { primaries: 'bt709' }),
  filter('tonemap', { tonemap: 'mobius', desat: 0 }),
  filter('zscale', { transfer: 'bt709', matrix: 'bt709', range: 'tv' }),
  filter('format', { pix_fmts: 'yuv420p' }),
];

const SWSCALE_MATRICES: Readonly<Record<string, string>> = { bt709: 'bt709', smpte170m: 'smpte170m', bt470bg: 'bt470', fcc: 'fcc', smpte240m: 'smpte240m', bt2020nc: 'bt2020', bt2020c: 'bt2020' };

/**
 * The clip's YUV matrix in swscale's words, so the scaler converts it to BT.709; an
 * untagged clip is read as players read it: BT.601 below 720 lines, BT.709 from there.
 */
export function swscaleMatrix(probe: Pick<MediaProbe, 'colourMatrix' | 'codedHeight'>): string {
  return (probe.colourMatrix && SWSCALE_MATRICES[probe.colourMatrix]) || (probe.codedHeight < 720 ? 'bt601' : 'bt709');
}

/**
 * swscale's options that bring the clip to BT.709 in TV range; none for a clip already
 * there, so the scaler passes a frame of the right size through untouched (any colour
 * option makes it convert every frame).
 */
function toBt709(probe: Pick<MediaProbe, 'colourMatrix' | 'colourRange' | 'colourTransfer' | 'codedHeight'>): Record<string, string> {
  // An HDR clip is scaled as it is and converted after (HDR_TO_SDR), at the output's size.
  if (isHdr(probe)) return {};
  const matrix = swscaleMatrix(probe);
  if (matrix === 'bt709' && probe.colourRange !== 'pc') return {};
  return { in_color_matrix: matrix, out_color_matrix: 'bt709', out_range: 'tv' };
}

function rotation(degrees: number): string[] {
  if (degrees === 90) return [filter('transpose', { dir: 'clock' })];
  if (degrees === 180) return ['hflip', 'vflip'];
  if (degrees === 270) return [filter('transpose', { dir: 'cclock' })];
  return [];
}
