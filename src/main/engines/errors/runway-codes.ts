/**
 * Runway reports why a task failed in `failureCode` (dotted, most specific last). Only the
 * prefix is stable, so the table matches prefixes, longest first. Source: Runway's API docs
 * (reference/provider-facts.md §2).
 */
import type { ErrorKind } from '../../../shared/errors';

const RUNWAY_FAILURE_PREFIXES: readonly [string, ErrorKind][] = [
  ['INPUT_PREPROCESSING.SAFETY', 'content_policy'],
  ['INPUT_PREPROCESSING.INTERNAL', 'unavailable'],
  ['SAFETY', 'content_policy'], // SAFETY.INPUT.* and SAFETY.OUTPUT.*: do not retry the same prompt
  ['INTERNAL.BAD_OUTPUT', 'unavailable'], // Runway's own output check failed; a retry often works
  ['ASSET.INVALID', 'invalid_request'],
  ['INTERNAL', 'unavailable'],
];

export function kindForRunwayFailureCode(failureCode: string | undefined): ErrorKind | undefined {
  if (!failureCode) return undefined;
  const code = failureCode.toUpperCase();
  for (const [prefix, kind] of RUNWAY_FAILURE_PREFIXES) {
    if (code === prefix || code.startsWith(`${prefix}.`)) return kind;
  }
  return undefined;
}
