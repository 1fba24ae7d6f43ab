/**
 * The ComfyUI node classes the emulator knows, with the type of each input, as ComfyUI's
 * /object_info describes them (core nodes and comfy_extras: Wan, LTX-Video, Hunyuan,
 * video saving; VideoHelperSuite's combine node as the common custom one). A class not
 * listed is "not installed" on the emulated box, as on a real one without that pack.
 *
 * Stricter than ComfyUI in one way, on purpose: a number input must be a JSON number.
 * ComfyUI would convert "24" itself, which would hide a template filled by pasting text.
 */

export type InputKind = 'INT' | 'FLOAT' | 'STRING' | 'COMBO' | 'LINK' | 'UPLOADED_IMAGE';

export interface NodeType {
  required: Record<string, InputKind>;
  optional?: Record<string, InputKind>;
  /** An output node: what ComfyUI runs a prompt for (a prompt with none is refused). */
  output?: boolean;
}

const LATENT_VIDEO_SIZE = { width: 'INT', height: 'INT', length: 'INT', batch_size: 'INT' } as const;

export const NODE_TYPES: Readonly<Record<string, NodeType>> = {
  CheckpointLoaderSimple: { required: { ckpt_name: 'COMBO' } },
  UNETLoader: { required: { unet_name: 'COMBO', weight_dtype: 'COMBO' } },
  CLIPLoader: { required: { clip_name: 'COMBO', type: 'COMBO' }, optional: { device: 'COMBO' } },
  VAELoader: { required: { vae_name: 'COMBO' } },
  CLIPVisionLoader: { required: { clip_name: 'COMBO' } },
  CLIPVisionEncode: { required: { clip_vision: 'LINK', image: 'LINK', crop: 'COMBO' } },
  ModelSamplingSD3: { required: { model: 'LINK', shift: 'FLOAT' } },
  CLIPTextEncode: { required: { clip: 'LINK', text: 'STRING' } },
  KSampler: {
    required: {
      model: 'LINK', positive: 'LINK', negative: 'LINK', latent_image: 'LINK',
      seed: 'INT', steps: 'INT', cfg: 'FLOAT', sampler_name: 'COMBO', scheduler: 'COMBO', denoise: 'FLOAT',
    },
  },
  VAEDecode: { required: { samples: 'LINK', vae: 'LINK' } },
  VAEDecodeTiled: { required: { samples: 'LINK', vae: 'LINK', tile_size: 'INT', overlap: 'INT', temporal_size: 'INT', temporal_overlap: 'INT' } },
  LoadImage: { required: { image: 'UPLOADED_IMAGE' } },
  ImageScale: { required: { image: 'LINK', upscale_method: 'COMBO', width: 'INT', height: 'INT', crop: 'COMBO' } },
  EmptyHunyuanLatentVideo: { required: LATENT_VIDEO_SIZE },
  EmptyLTXVLatentVideo: { required: LATENT_VIDEO_SIZE },
  EmptyMochiLatentVideo: { required: LATENT_VIDEO_SIZE },
  Wan22ImageToVideoLatent: { required: { vae: 'LINK', ...LATENT_VIDEO_SIZE }, optional: { start_image: 'LINK' } },
  WanImageToVideo: {
    required: { positive: 'LINK', negative: 'LINK', vae: 'LINK', ...LATENT_VIDEO_SIZE },
    optional: { clip_vision_output: 'LINK', start_image: 'LINK' },
  },
  LTXVImgToVideo: { required: { positive: 'LINK', negative: 'LINK', vae: 'LINK', image: 'LINK', ...LATENT_VIDEO_SIZE, strength: 'FLOAT' } },
  LTXVConditioning: { required: { positive: 'LINK', negative: 'LINK', frame_rate: 'FLOAT' } },
  CreateVideo: { required: { images: 'LINK', fps: 'FLOAT' }, optional: { audio: 'LINK' } },
  SaveVideo: { required: { video: 'LINK', filename_prefix: 'STRING', format: 'COMBO', codec: 'COMBO' }, output: true },
  SaveWEBM: { required: { images: 'LINK', filename_prefix: 'STRING', codec: 'COMBO', fps: 'FLOAT', crf: 'FLOAT' }, output: true },
  SaveAnimatedWEBP: { required: { images: 'LINK', filename_prefix: 'STRING', fps: 'FLOAT', lossless: 'COMBO', quality: 'INT', method: 'COMBO' }, output: true },
  VHS_VideoCombine: {
    required: { images: 'LINK', frame_rate: 'FLOAT', loop_count: 'INT', filename_prefix: 'STRING', format: 'COMBO', pingpong: 'COMBO', save_output: 'COMBO' },
    optional: { audio: 'LINK' },
    output: true,
  },
};

/** Nodes that set a video's frame size and length, and where each keeps its frame count. */
export const LATENT_VIDEO_NODES = ['Wan22ImageToVideoLatent', 'WanImageToVideo', 'EmptyHunyuanLatentVideo', 'EmptyLTXVLatentVideo', 'EmptyMochiLatentVideo', 'LTXVImgToVideo'];

/** Nodes that set the frame rate, and the input that holds it. */
export const FRAME_RATE_INPUTS: Readonly<Record<string, string>> = { CreateVideo: 'fps', VHS_VideoCombine: 'frame_rate', SaveWEBM: 'fps', SaveAnimatedWEBP: 'fps' };

/** The file extension each saving node writes (SaveVideo "auto" writes mp4). */
export const SAVED_EXTENSION: Readonly<Record<string, string>> = { SaveVideo: 'mp4', VHS_VideoCombine: 'mp4', SaveWEBM: 'webm', SaveAnimatedWEBP: 'webp' };

/** The /history list each saving node reports its files in. */
export const OUTPUT_LIST: Readonly<Record<string, 'images' | 'gifs'>> = { SaveVideo: 'images', SaveWEBM: 'images', SaveAnimatedWEBP: 'images', VHS_VideoCombine: 'gifs' };
