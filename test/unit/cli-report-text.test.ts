import { describe, expect, it } from 'vitest';
import type { HeldReservation } from '../../src/shared/api';
import { formatHeldReservations, formatLocalTime } from '../../src/main/cli/report-text';

const since = new Date(2026, 0, 2, 9, 5).getTime();
const until = new Date(2026, 0, 3, 21, 30).getTime();

const held: HeldReservation[] = [
  {
    episodeId: 'ep_1',
    title: 'Pilot',
    shotId: 's03',
    attemptId: 'at_9',
    engineId: 'runway-gen4-turbo',
    status: 'timed_out',
    heldMicros: 12_500_000,
    since,
    holdUntil: until,
    reason: 'the job did not finish within 10 minutes; collected later if it does',
  },
  {
    episodeId: 'ep_2',
    title: 'Trailer',
    shotId: 'q01',
    attemptId: 'at_10',
    engineId: 'luma-ray-2',
    status: 'submitting',
    heldMicros: 400_000,
    since,
    holdUntil: null,
    reason: 'submission outcome unknown: the provider may have billed up to $0.40',
  },
];

describe('costs --held', () => {
  it('says so in one line when nothing is held', () => {
    expect(formatHeldReservations([])).toBe('Nothing is held: every reservation has been settled or released.');
  });

  it('lists every reservation: amount, episode, shot, engine, state, since, hold-until and reason', () => {
    expect(formatHeldReservations(held)).toBe(
      [
        '$12.90 held in 2 reservations:',
        '',
        '  $12.50  Pilot, shot s03 on runway-gen4-turbo (timed_out)',
        '          episode ep_1, attempt at_9',
        '          since 2026-01-02 09:05; held until 2026-01-03 21:30, then released if nothing is heard of the job',
        '          why: the job did not finish within 10 minutes; collected later if it does',
        '',
        '   $0.40  Trailer, shot q01 on luma-ray-2 (submitting)',
        '          episode ep_2, attempt at_10',
        '          since 2026-01-02 09:05; held while the job is live',
        '          why: submission outcome unknown: the provider may have billed up to $0.40',
      ].join('\n'),
    );
  });

  it('one reservation is singular', () => {
    expect(formatHeldReservations([held[1]!]).split('\n')[0]).toBe('$0.40 held in 1 reservation:');
  });

  it('formats local time to the minute and survives a bad timestamp', () => {
    expect(formatLocalTime(new Date(2025, 10, 22, 2, 13, 59).getTime())).toBe('2025-11-22 02:13');
    expect(formatLocalTime(Number.NaN)).toBe('an unknown time');
  });
});
