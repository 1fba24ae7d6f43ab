/**
 * The contract between Shotline's media code and an FFmpeg. Everything the app does
 * with media is expressed as a handful of jobs (probe, run a filter graph into a file
 * or into nothing, join files without re-encoding, try an encoder); the graphs are
 * FFmpeg filter-graph text built in one place (../graphs and friends). Two backends
 * execute the same jobs: the FFmpeg CLI (backend A, cli/) and the FFmpeg 8.1 libraries
 * through node-av (backend B, nodeav/). Both run inside the media worker process only.
 *
 * Everything here is plain data so that it crosses the worker's IPC channel unchanged.
 */

export type BackendName = 'cli' | 'node-av';

export interface MediaProbe {
  durationSeconds: number;
  /** Display size: coded size turned by the rotation. */
  width: number;
  height: number;
  /** Coded size, as stored in the stream. */
  codedWidth: number;
  codedHeight: number;
  /** Clockwise display rotation in degrees (0, 90, 180, 270). */
  rotation: number;
  /** Average frame rate (frames / duration). */
  fps: number;
  /** The stream's base frame rate; differs from fps for variable-frame-rate video. */
  baseFps: number;
  /** True when the average and base rates disagree by more than 1 %: variable frame rate. */
  variableFrameRate: boolean;
  videoCodec: string;
  /** Codec profile as FFmpeg names it ("High", "Main"), or null. */
  videoProfile: string | null;
  pixelFormat: string;
  /** Sample aspect ratio as "num:den" ("1:1" for square pixels). */
  sampleAspectRatio: string;
  /** YUV matrix as FFmpeg names it (bt709, smpte170m, bt470bg, bt2020nc, ...), null when the file does not say. */
  colourMatrix: string | null;
  /** tv (limited, 16-235) or pc (full); null when the file does not say. */
  colourRange: 'tv' | 'pc' | null;
  /** Transfer characteristic (bt709, smpte2084 for PQ and arib-std-b67 for HLG, ...), null when the file does not say. */
  colourTransfer: string | null;
  /** The video stream's time base as "num/den". */
  videoTimeBase: string;
  /**
   * SHA-256 of the video stream's codec setup (H.264 SPS/PPS and the like), hex, or null.
   * Two files can be joined without re-encoding only when these are equal.
   */
  videoSetupHash: string | null;
  hasAudio: boolean;
  audioCodec: string | null;
  audioSampleRate: number | null;
  audioChannels: number | null;
  /** Seconds the video stream itself lasts (can be shorter than the container). */
  videoDurationSeconds: number | null;
  /** Seconds the audio stream lasts, when there is one. */
  audioDurationSeconds: number | null;
}

/** One input of a graph job, addressed in the graph as [index:v] / [index:a]. */
export interface MediaInput {
  path: string;
  /** Seconds to skip before the first frame used (accurate seek: decoded and dropped). */
  seekSeconds?: number;
  /** Seconds to read after the seek. */
  durationSeconds?: number;
}

/** A hardware device the graph's filters and the encoder use. */
export interface HardwareDevice {
  type: 'vulkan' | 'vaapi' | 'qsv' | 'cuda' | 'videotoolbox';
  /** A device path or index; the platform's default when absent. */
  device?: string;
}

export interface VideoEncoding {
  /** FFmpeg encoder name: libx264, libx265, h264_vulkan, hevc_nvenc, h264_vaapi, ... */
  encoder: string;
  /** Private options of the encoder (preset, crf, qp, ...). Values are strings as on the command line. */
  options: Record<string, string>;
  /** Pixel format the encoder receives (the graph must end in it: format/hwupload). */
  pixelFormat: string;
  fps: number;
  /** Seconds (output time) at which a keyframe must start, so the file can be cut there without re-encoding. */
  keyframesAt?: number[];
  /** Largest distance between keyframes, in frames. */
  gopFrames?: number;
  /** Stream tag for MP4 (hvc1 for HEVC so Apple players accept it). */
  tag?: string;
}

export interface AudioEncoding {
  /** aac for delivery, pcm_s16le for intermediate pieces that are joined later. */
  encoder: 'aac' | 'pcm_s16le';
  sampleRate: number;
  channels: number;
  /** Bits per second (aac). */
  bitrate?: number;
}

/** `png` writes the first frame of the video label as one PNG image (use tile= for a contact sheet). */
export type Container = 'mp4' | 'matroska' | 'wav' | 'png' | 'null';

export interface GraphJob {
  inputs: MediaInput[];
  /**
   * Filter-graph text. Inputs are [i:v] and [i:a]; every label named in `video` or
   * `audio` must be an unconnected output of the graph. Sources (color, anullsrc) need no input.
   */
  graph: string;
  video?: { label: string; encoding: VideoEncoding };
  audio?: { label: string; encoding: AudioEncoding };
  /** Labels whose frames are pulled and thrown away (analysis graphs that write with metadata=print:file=). */
  discard?: string[];
  output: { path: string; container: Container; faststart?: boolean };
  hardware?: HardwareDevice;
  /** Length of the output, for progress. */
  expectedSeconds: number;
}

/** Joins files that share codec parameters, packet for packet (no decoding). */
export interface ConcatCopyJob {
  parts: string[];
  /** Join only each part's first video stream (the sound is made separately). */
  videoOnly?: boolean;
  /** Seconds each part lasts on the joined timeline (the concat list's `duration`); default: the part's own length. */
  partSeconds?: number[];
  output: { path: string; container: Exclude<Container, 'null'>; faststart?: boolean };
  expectedSeconds: number;
}

/** Puts the video of one file and the audio of another into one file, without re-encoding. */
export interface MuxJob {
  video: string;
  audio: string | null;
  output: { path: string; faststart: boolean };
  expectedSeconds: number;
}

export interface EncoderTrial {
  encoder: string;
  hardware?: HardwareDevice;
  /** Filters that bring a software frame to what the encoder takes (format=nv12,hwupload). */
  upload?: string;
  pixelFormat: string;
}

export interface EncoderTrialResult {
  encoder: string;
  works: boolean;
  /** Why not, in FFmpeg's words (first line). */
  reason: string | null;
}

export interface BackendInfo {
  name: BackendName;
  /** FFmpeg version string ("8.1", "5.1.8-0+deb12u1"). */
  version: string;
  /** Where it came from: the node-av package, or the CLI's locate source and path. */
  origin: string;
  encoders: string[];
  filters: string[];
  hardwareTypes: string[];
}

export interface JobProgress {
  /** Seconds of output written so far. */
  seconds: number;
  /** 0..1 when the expected length is known. */
  fraction: number;
}

export interface RunContext {
  signal: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  /** One line per FFmpeg command or call, copy-pasteable where there is a command. */
  log?: (line: string) => void;
  /** Called with the pid of every child process started (the CLI backend's ffmpeg), so the parent can kill it if the worker dies. */
  onChild?: (pid: number, running: boolean) => void;
}

export interface GraphRunResult {
  /** Packets or frames the decoders could not decode (corrupt data); 0 for a clean file. */
  decodeErrors: number;
  /** The first such error in FFmpeg's words, or null. */
  firstDecodeError: string | null;
  /** The hardware device the job ran on, as FFmpeg names it (device-log.ts), when it had one and FFmpeg said. */
  device: string | null;
}

export interface MediaBackend {
  info(): Promise<BackendInfo>;
  probe(file: string, context: RunContext): Promise<MediaProbe>;
  runGraph(job: GraphJob, context: RunContext): Promise<GraphRunResult>;
  concatCopy(job: ConcatCopyJob, context: RunContext): Promise<void>;
  mux(job: MuxJob, context: RunContext): Promise<void>;
  tryEncoder(trial: EncoderTrial, context: RunContext): Promise<EncoderTrialResult>;
}

/** What callers outside the worker get: the same jobs, with an optional signal. */
export interface OpOptions {
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  log?: (line: string) => void;
  /** A short job that other work waits on: it goes ahead of the ordinary jobs queued for a worker. */
  urgent?: boolean;
}

export interface MediaOps {
  info(options?: OpOptions): Promise<BackendInfo>;
  probe(file: string, options?: OpOptions): Promise<MediaProbe>;
  runGraph(job: GraphJob, options?: OpOptions): Promise<GraphRunResult>;
  concatCopy(job: ConcatCopyJob, options?: OpOptions): Promise<void>;
  mux(job: MuxJob, options?: OpOptions): Promise<void>;
  tryEncoder(trial: EncoderTrial, options?: OpOptions): Promise<EncoderTrialResult>;
}
