/** Pure readers of `ffmpeg -version`, `-encoders`, `-filters` and `-hwaccels` output. */

export function parseVersion(text: string): { text: string; major: number } {
  const match = /ffmpeg version (\S+)/.exec(text);
  const version = match?.[1] ?? 'unknown';
  // Release builds say "5.1.8-0+deb12u1"; git builds "N-12345-g..." are newest.
  const major = /^n?(\d+)\./.exec(version)?.[1];
  return { text: version, major: major ? Number(major) : 99 };
}

export function parseCapabilities(encoders: string, filters: string, hwaccels: string): { encoders: string[]; filters: string[]; hardwareTypes: string[] } {
  return {
    // " V....D libx264   libx264 H.264 ..." : flags, then the name.
    encoders: [...encoders.matchAll(/^ [VAS][A-Z.]{5} (\S+)/gm)].map((m) => m[1]!).filter((name) => name !== '='),
    // " ... xfade   VV->V   Cross fade ..." : flags (T, S, C or .), then the name.
    filters: [...filters.matchAll(/^ [TSC.]{2,3} (\S+)\s+\S+->\S+/gm)].map((m) => m[1]!),
    hardwareTypes: hwaccels
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.endsWith(':')),
  };
}
