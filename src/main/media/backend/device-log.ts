/**
 * Which hardware device FFmpeg opened, in its own words. Only its verbose log says so:
 * for Vulkan, "Device 0 selected: llvmpipe (LLVM 15.0.6, 256 bits) (software) (0x0)",
 * the physical device's name, its type (discrete, integrated, virtual, software) and id.
 */
export const DEVICE_SELECTED = /Device \d+ selected: (.+)$/;

/** The device's name and type from a log line ("NVIDIA H100 80GB HBM3 (discrete)"), or null for any other line. */
export function selectedDevice(line: string): string | null {
  const name = DEVICE_SELECTED.exec(line.trim())?.[1];
  return name ? name.replace(/\s*\(0x[0-9a-f]+\)$/i, '') : null;
}

/** A CPU rasteriser (Mesa's llvmpipe/lavapipe, SwiftShader): it works, but much slower than FFmpeg's own filters. */
export function isSoftwareDevice(name: string): boolean {
  return /\(software\)$|\bllvmpipe\b|\bswiftshader\b/i.test(name);
}
