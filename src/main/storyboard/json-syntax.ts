/**
 * Where a JSON text first breaks the grammar. JSON.parse reports a position for most
 * errors but not all ("Unexpected token 'q', ... is not valid JSON"), and the user needs a
 * line and column every time. Iterative, so a deeply nested file cannot overflow the stack.
 * Pure: no Node imports.
 */

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX = /^[0-9A-Fa-f]$/;

/** Offset of the first syntax error in `text`, or -1 when it is valid JSON. */
export function jsonErrorOffset(text: string): number {
  const open: string[] = [];
  let i = skipSpace(text, 0);
  let expecting: 'value' | 'key' = 'value';
  for (;;) {
    if (expecting === 'key') {
      if (text[i] !== '"') return i;
      i = skipString(text, i);
      if (i < 0) return -i - 1;
      i = skipSpace(text, i);
      if (text[i] !== ':') return i;
      i = skipSpace(text, i + 1);
    }
    // A value starts at i.
    const c = text[i];
    if (c === '{' || c === '[') {
      open.push(c);
      i = skipSpace(text, i + 1);
      if (text[i] === (c === '{' ? '}' : ']')) {
        open.pop();
        i += 1;
      } else {
        expecting = c === '{' ? 'key' : 'value';
        continue;
      }
    } else {
      const end = skipScalar(text, i);
      if (end < 0) return -end - 1;
      i = end;
    }
    // A value ended at i: close containers until a separator or the end.
    for (;;) {
      i = skipSpace(text, i);
      const container = open[open.length - 1];
      if (container === undefined) return i < text.length ? i : -1;
      if (text[i] === ',') {
        i = skipSpace(text, i + 1);
        expecting = container === '{' ? 'key' : 'value';
        break;
      }
      if (text[i] !== (container === '{' ? '}' : ']')) return i;
      open.pop();
      i += 1;
    }
  }
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r') i += 1;
  return i;
}

/** End of the scalar starting at `from`, or `-(offset + 1)` of the error. */
function skipScalar(text: string, from: number): number {
  const c = text[from];
  if (c === '"') return skipString(text, from);
  for (const literal of ['true', 'false', 'null']) if (text.startsWith(literal, from)) return from + literal.length;
  NUMBER.lastIndex = from;
  return NUMBER.test(text) ? NUMBER.lastIndex : -(from + 1);
}

/** End of the string starting at `from` (a quote), or `-(offset + 1)` of the error. */
function skipString(text: string, from: number): number {
  for (let i = from + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -(i + 1);
    if (c === 0x5c) {
      const next = text[i + 1] ?? '';
      // Like JSON.parse, blame the first character that cannot belong to the escape.
      if (next === 'u') {
        for (let k = i + 2; k < i + 6; k++) if (!HEX.test(text[k] ?? '')) return -(k + 1);
        i += 5;
      } else if (ESCAPES.has(next)) i += 1;
      else return -(i + 2);
    }
  }
  return -(text.length + 1);
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
