/**
 * `shotline doctor`: what this machine's media setup can do, for a bug report or before a
 * long render. It is a report, so missing hardware or fonts exit 0; only an FFmpeg that
 * cannot be used at all exits 1, since nothing else would work either.
 */
import { isAbortError } from '../../shared/errors';
import { drawtextShaping } from '../engines/animatic/render';
import type { BackendInfo, MediaOps } from '../media/backend/types';
import { ENCODER_CANDIDATES, gpuFilters, pickEncoder, tryEncoders, type GpuFilters } from '../media/encoders';
import { chooseFont, installedFonts, scriptCoverage } from '../media/fonts';

export const DOCTOR_USAGE = `Usage: shotline doctor [--json] [--ffmpeg PATH]
Reports the media engine (bundled FFmpeg libraries or the FFmpeg command line), hardware
devices, which video encoders work here and which one Shotline chooses, GPU filters, and
which writing systems the animatic cards can draw.
  --json        print the report as JSON
Exit codes: 0 the report was made (even with things missing), 1 no FFmpeg works, 2 usage error.`;

export interface DoctorIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  media: MediaOps & { backend(): Promise<{ backend: string; fallbackReason: string | null }> };
  signal?: AbortSignal;
}

export interface DoctorReport {
  media: { backend: string; version: string; origin: string; fallbackReason: string | null };
  hardwareTypes: string[];
  encoders: { encoder: string; codec: string; family: string; works: boolean; reason: string | null }[];
  chosen: Record<'h264' | 'hevc', { encoder: string | null; reason: string }>;
  gpuFilters: GpuFilters;
  fonts: {
    /** Who orders and shapes right-to-left text on the cards. */
    textShaping: 'ffmpeg' | 'builtin';
    scripts: { script: string; sample: string; font: string | null; debianPackage: string }[];
    problem: string | null;
  };
}

export async function runDoctorCommand(args: string[], io: DoctorIo): Promise<number> {
  const unknown = args.filter((arg) => !['--json', '--help', '-h'].includes(arg));
  if (unknown.length) {
    io.stderr(`shotline doctor: unknown argument ${unknown[0]}\n\n${DOCTOR_USAGE}\n`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${DOCTOR_USAGE}\n`);
    return 0;
  }
  const json = args.includes('--json');
  let backend: { backend: string; fallbackReason: string | null };
  let info: BackendInfo;
  try {
    backend = await io.media.backend();
    info = await io.media.info({ signal: io.signal });
  } catch (error) {
    if (isAbortError(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    if (json) io.stdout(`${JSON.stringify({ media: null, problem: reason }, null, 2)}\n`);
    else io.stderr(`shotline doctor: no FFmpeg works: ${reason}\n`);
    return 1;
  }
  const report = await collect(io, backend, info);
  io.stdout(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctorReport(report)}\n`);
  return 0;
}

async function collect(io: DoctorIo, backend: { backend: string; fallbackReason: string | null }, info: BackendInfo): Promise<DoctorReport> {
  const { signal, media } = io;
  const tried = await tryEncoders(media, undefined, signal);
  const chosen = {} as DoctorReport['chosen'];
  for (const codec of ['h264', 'hevc'] as const) {
    try {
      const pick = pickEncoder(codec, tried.filter((t) => codecOf(t.encoder) === codec));
      chosen[codec] = { encoder: pick.candidate.encoder, reason: pick.reason };
    } catch (error) {
      chosen[codec] = { encoder: null, reason: error instanceof Error ? error.message : String(error) };
    }
  }
  const fonts = await installedFonts();
  const latin = chooseFont(fonts.faces, '0123456789');
  const shaping = info.filters.includes('drawtext')
    ? await drawtextShaping(media, latin ? { fontfile: latin.file } : { font: 'Sans' }, signal).catch((error: unknown) => {
        if (isAbortError(error)) throw error;
        return false;
      })
    : false;
  return {
    media: { backend: backend.backend, version: info.version, origin: info.origin, fallbackReason: backend.fallbackReason },
    hardwareTypes: info.hardwareTypes,
    encoders: tried.map((t) => {
      const candidate = ENCODER_CANDIDATES.find((c) => c.encoder === t.encoder)!;
      return { encoder: t.encoder, codec: candidate.codec, family: candidate.family, works: t.works, reason: t.reason };
    }),
    chosen,
    gpuFilters: await gpuFilters(media, signal),
    fonts: { textShaping: shaping ? 'ffmpeg' : 'builtin', scripts: await scriptCoverage(), problem: fonts.problem },
  };
}

const codecOf = (encoder: string) => ENCODER_CANDIDATES.find((c) => c.encoder === encoder)?.codec;

export function formatDoctorReport(report: DoctorReport): string {
  const { media } = report;
  const engine = media.backend === 'node-av' ? 'FFmpeg libraries bundled with node-av' : 'FFmpeg command line';
  const lines = [`Media engine: ${engine}, version ${media.version}`, `  from ${media.origin}`];
  if (media.fallbackReason) lines.push(`  the bundled FFmpeg was not used: ${media.fallbackReason}`);
  lines.push(`Hardware device types: ${report.hardwareTypes.join(', ') || 'none'}`, '', 'Video encoders (in order of preference):');
  const width = Math.max(...report.encoders.map((e) => e.encoder.length));
  for (const e of report.encoders) lines.push(`  ${e.works ? 'yes' : 'no '}  ${e.encoder.padEnd(width)}  ${e.works ? 'works' : e.reason ?? 'failed'}`);
  lines.push('', 'Chosen encoder:');
  for (const [codec, pick] of Object.entries(report.chosen)) lines.push(`  ${codec.padEnd(5)} ${pick.encoder ?? 'none'} — ${pick.reason}`);
  lines.push('', `GPU scaling (libplacebo): ${report.gpuFilters.libplacebo ? 'yes' : 'no'} — ${report.gpuFilters.reason}`, '');

  const { fonts } = report;
  lines.push(`Animatic card fonts (right-to-left text shaped by ${fonts.textShaping === 'ffmpeg' ? "FFmpeg's drawtext" : 'Shotline (basic Arabic letters only)'}):`);
  if (fonts.problem) lines.push(`  ${fonts.problem}`);
  const scriptWidth = Math.max(...fonts.scripts.map((s) => s.script.length));
  for (const s of fonts.scripts) lines.push(`  ${s.font ? 'yes' : 'no '}  ${s.script.padEnd(scriptWidth)}  ${s.font ?? `no font: drawn as boxes (install ${s.debianPackage})`}`);
  const missing = fonts.scripts.filter((s) => !s.font);
  if (missing.length) {
    const packages = [...new Set(missing.map((s) => s.debianPackage))];
    lines.push(`  Missing: ${missing.map((s) => s.script).join(', ')}. On Debian/Ubuntu: sudo apt-get install ${packages.join(' ')}`);
  }
  return lines.join('\n');
}
