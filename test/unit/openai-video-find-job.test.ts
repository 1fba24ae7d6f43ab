/** Finding a lost create among listed videos: exactly one match, or none, or an error that keeps the money held. */
import { describe, expect, it } from 'vitest';
import { findCreatedVideo, MAX_VIDEOS_SEARCHED, type ListedVideo } from '../../src/main/engines/openai/find-video';

const fields = { model: 'acme-video-1', prompt: 'a fox at dawn', seconds: '4', size: '1280x720' } as const;
const SUBMITTED_AFTER = 1_790_000_000_500; // ms; the second 1_790_000_000 counts
const noneClaimed = new Set<string>();

function listed(id: string, createdAt: number, overrides: Partial<ListedVideo> = {}): ListedVideo {
  return { id, created_at: createdAt, ...fields, ...overrides };
}

async function* newestFirst(videos: ListedVideo[]): AsyncIterable<ListedVideo> {
  yield* videos;
}

const find = (videos: ListedVideo[], claimed: ReadonlySet<string> = noneClaimed) =>
  findCreatedVideo(newestFirst(videos), { fields, submittedAfter: SUBMITTED_AFTER, claimed, engineId: 'my-video' });

describe('findCreatedVideo', () => {
  it('the one video since the submit with the same model, prompt, seconds and size', async () => {
    const videos = [
      listed('video_other_prompt', 1_790_000_009, { prompt: 'a cat' }),
      listed('video_other_size', 1_790_000_008, { size: '720x1280' }),
      listed('video_other_seconds', 1_790_000_007, { seconds: '8' }),
      listed('video_other_model', 1_790_000_006, { model: 'sora-2' }),
      listed('video_mine', 1_790_000_000),
      listed('video_before', 1_789_999_999),
    ];
    expect(await find(videos)).toEqual({ jobId: 'video_mine' });
  });

  it('none since the submit: null (an identical older video is another job)', async () => {
    expect(await find([listed('video_before', 1_789_999_000)])).toBeNull();
    expect(await find([])).toBeNull();
  });

  it('two identical ones: an error naming both, so nothing is taken', async () => {
    const error = await find([listed('video_b', 1_790_000_003), listed('video_a', 1_790_000_001)]).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'unavailable' });
    expect((error as Error).message).toContain('2 videos (video_b, video_a) match the lost submit');
  });

  it('a video whose create answer did arrive belongs to another attempt', async () => {
    expect(await find([listed('video_b', 1_790_000_003), listed('video_a', 1_790_000_001)], new Set(['video_b']))).toEqual({ jobId: 'video_a' });
  });

  it('too many videos since the submit to search to the end: an error, not a guess', async () => {
    const many = Array.from({ length: MAX_VIDEOS_SEARCHED + 5 }, (_, i) => listed(`video_${i}`, 1_790_000_100, { prompt: `other ${i}` }));
    expect(await find(many).catch((e: unknown) => e)).toMatchObject({ kind: 'unavailable' });
  });
});
