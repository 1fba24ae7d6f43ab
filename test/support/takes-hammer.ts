/**
 * One of several processes that approve, unapprove and select takes of the same episode
 * at once (takes-concurrency.test.ts). Prints one JSON line: how many calls it made and
 * how many were refused for a reason other than the one the test allows.
 */
import { openDatabase } from '../../src/main/store/database';
import { TakeStore } from '../../src/main/store/takes';
import { seededRandom } from './seeded-random';

const [dbPath, episodeId, seed, rounds] = process.argv.slice(2);
const db = openDatabase(dbPath!);
const takes = new TakeStore(db);
const random = seededRandom(Number(seed));
const shotIds = takes.shots(episodeId!).map((s) => s.shotId);
let calls = 0;
const unexpected: string[] = [];
for (let i = 0; i < Number(rounds); i++) {
  const shotId = shotIds[Math.floor(random() * shotIds.length)]!;
  try {
    const pick = random();
    if (pick < 0.3) takes.approve(episodeId!, 'all');
    else if (pick < 0.5) takes.unapprove(episodeId!, [shotId]);
    else if (pick < 0.8) takes.select(episodeId!, shotId, 1 + Math.floor(random() * 2));
    else takes.approve(episodeId!, [shotId]);
    calls++;
  } catch (error) {
    unexpected.push(String((error as Error).message));
  }
}
db.close();
process.stdout.write(`${JSON.stringify({ calls, unexpected })}\n`);
