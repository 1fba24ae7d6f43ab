import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseEncoder, gpuFilters } from '../../src/main/media/encoders';
import { MediaPool } from '../../src/main/media/worker/pool';
import { bins } from './media-fixtures';

let pool: MediaPool;
beforeAll(() => {
  pool = new MediaPool({ settings: { backend: 'cli', ffmpegPath: bins.ffmpeg }, size: 1 });
});
afterAll(() => pool?.close());

describe('chooseEncoder through the media service', () => {
  it('tries the hardware encoders this FFmpeg lists and, without a GPU, chooses libx264 saying why', async () => {
    const info = await pool.info();
    const choice = await chooseEncoder(pool, 'h264');
    const listed = ['h264_vulkan', 'h264_nvenc', 'h264_vaapi', 'h264_qsv'].filter((name) => info.encoders.includes(name));
    for (const name of listed) expect(choice.tried.find((t) => t.encoder === name)).toBeDefined();
    if (choice.tried.some((t) => t.encoder !== 'libx264' && t.works)) return; // a machine with a working GPU encoder
    expect(choice.encoder).toBe('libx264');
    expect(choice.filterTail).toEqual([]);
    expect(choice.tried.find((t) => t.encoder === 'libx264')).toEqual({ encoder: 'libx264', works: true, reason: null });
    expect(choice.reason).toMatch(/^libx264: no hardware h264 encoder works here/);
    for (const name of listed) expect(choice.reason).toContain(`${name}: `);
    // Asked again: the trials are remembered, so the answer is immediate and the same.
    const started = Date.now();
    expect((await chooseEncoder(pool, 'h264')).reason).toBe(choice.reason);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('says whether libplacebo can scale on the GPU, with the reason', async () => {
    const gpu = await gpuFilters(pool);
    expect(typeof gpu.libplacebo).toBe('boolean');
    expect(gpu.reason.length).toBeGreaterThan(10);
    if (!gpu.libplacebo) expect(gpu.reason).toMatch(/libplacebo|Vulkan/);
  });
});
