/**
 * Storyboard text -> validated Storyboard, with every failure as a UserError naming the
 * file and each problem. Pure (no Node imports), so the shot board can validate a draft
 * the same way the loader validates a file.
 */
import { parseDocument, type YAMLError } from 'yaml';
import { UserError } from '../../shared/errors';
import type { Storyboard } from '../../shared/storyboard';
import { validateStoryboard } from '../../shared/storyboard-issues';
import { jsonErrorOffset, lineColumn } from './json-syntax';

export type StoryboardFormat = 'yaml' | 'json';

/** Large enough that a 10 MB prompt reaches validation and gets the prompt-length message. */
export const MAX_STORYBOARD_BYTES = 32 * 1024 * 1024;

/** Anchors are handy for shared transitions; a few hundred expansions is plenty for that. */
const MAX_YAML_ALIASES = 100;

/** Bytes -> text; anything with NUL bytes or that is not UTF-8 is refused before parsing. */
export function decodeStoryboardBytes(bytes: Uint8Array, sourceName: string): string {
  let text: string | undefined;
  if (!bytes.includes(0)) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = undefined;
    }
  }
  if (text === undefined) throw new UserError(`${sourceName}: not a text storyboard (binary data)`);
  return text;
}

/** YAML for .yaml/.yml, JSON for .json; otherwise a document opening with `{` or `[` is JSON. */
export function formatOf(fileName: string, text: string): StoryboardFormat {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return /^\s*[{[]/.test(text) ? 'json' : 'yaml';
}

/** Parses and validates a storyboard's text; throws UserError listing every problem. */
export function parseStoryboardText(text: string, format: StoryboardFormat, sourceName: string): Storyboard {
  const result = validateStoryboard(parseStoryboardData(text, format, sourceName));
  if (!result.ok) throw storyboardProblems(sourceName, result.problems);
  return result.storyboard;
}

/** The parsed document, not yet validated; throws UserError on empty, oversized or broken text. */
export function parseStoryboardData(text: string, format: StoryboardFormat, sourceName: string): unknown {
  if (text.length > MAX_STORYBOARD_BYTES) {
    throw new UserError(`${sourceName}: too large for a storyboard (the limit is ${MAX_STORYBOARD_BYTES / 1024 / 1024} MB)`);
  }
  const body = text.replace(/^\uFEFF/, '');
  const data = format === 'json' ? parseJson(body, sourceName) : parseYaml(body, sourceName);
  if (data === null || data === undefined) throw new UserError(`${sourceName}: the storyboard is empty`);
  return data;
}

/** The one error shape for content problems: a count in the message, one line per problem. */
export function storyboardProblems(sourceName: string, problems: string[]): UserError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new UserError(`${sourceName}: ${count} in the storyboard`, problems);
}

function parseJson(text: string, sourceName: string): unknown {
  if (!text.trim()) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const offset = jsonErrorOffset(text);
    const { line, column } = lineColumn(text, offset < 0 ? text.length : offset);
    throw syntaxError(sourceName, 'JSON', `line ${line}, column ${column}: ${jsonReason(error)}`);
  }
}

/** V8's reason without its position (we give line and column) or its echo of the source. */
function jsonReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/, .*is not valid JSON$/s, '')
    .replace(/ of JSON input$/, ' of the file');
}

function parseYaml(text: string, sourceName: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const first = doc.errors[0];
  if (first) throw syntaxError(sourceName, 'YAML', yamlProblem(first, text));
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/excessive alias count/i.test(message)) {
      throw syntaxError(sourceName, 'YAML', 'too many alias expansions (*name): the file expands far beyond its size');
    }
    throw syntaxError(sourceName, 'YAML', message);
  }
}

function yamlProblem(error: YAMLError, text: string): string {
  const where = error.linePos?.[0];
  const at = where ? `line ${where.line}, column ${where.col}: ` : '';
  if (error.code === 'DUPLICATE_KEY') {
    const key = keyAt(text, error.pos[0]);
    return `${at}duplicate key${key ? ` "${key}"` : ''} (each key may appear once per mapping)`;
  }
  if (error.code === 'MULTIPLE_DOCS') return `${at}more than one YAML document (---); a storyboard is a single document`;
  // The library appends " at line L, column C:" and a source excerpt; we give the position ourselves.
  const reason = (error.message.split(/ at line \d+, column \d+/)[0] ?? error.message).trim();
  return `${at}${reason}`;
}

/** The mapping key written at `offset` (the library points at its first character only). */
function keyAt(text: string, offset: number): string {
  const match = /^("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^:\n]*?)\s*:/.exec(text.slice(offset, offset + 300));
  return match?.[1]?.replace(/^["']|["']$/g, '') ?? '';
}

function syntaxError(sourceName: string, language: 'YAML' | 'JSON', problem: string): UserError {
  return new UserError(`${sourceName}: not valid ${language}`, [problem]);
}
