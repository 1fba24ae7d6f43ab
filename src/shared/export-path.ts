/** Where the board writes an episode by default: the data folder's exports, named after the title. */
export function exportPathFor(exportsDir: string, title: string, mode: string, suffix = ''): string {
  const safe = title.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').trim().slice(0, 120) || 'episode';
  const separator = exportsDir.includes('\\') && !exportsDir.includes('/') ? '\\' : '/';
  return `${exportsDir.replace(/[\\/]+$/, '')}${separator}${safe} (${mode})${suffix}.mp4`;
}
