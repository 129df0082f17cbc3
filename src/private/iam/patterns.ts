// glob patterns against texts with holes: proving a match, or that nothing can match

import { Tri } from './logic';
import { Token } from './text';

export function fold(c: string): string {
  const upper = c.toUpperCase();
  if (upper.length !== 1 || (c.charCodeAt(0) >= 128 && upper.charCodeAt(0) < 128)) {
    return c;
  }
  return upper;
}

export function sameChar(a: string, b: string, ignoreCase: boolean): boolean {
  return a === b || (ignoreCase && fold(a) === fold(b));
}

/** Whether token i of the pattern and token j of the value compare regardless of case. */
export type CaseRule = (i: number, j: number) => boolean;
export const CASE_SENSITIVE: CaseRule = () => false;
export const IGNORE_CASE: CaseRule = () => true;

/**
 * True when the pattern matches the value whatever the holes stand for: each hole of the value is one opaque
 * symbol that only '*' may absorb or the same hole of the pattern may match, and '?' matches literal characters and
 * single-character holes only.
 */
export function provesMatch(pattern: readonly Token[], value: readonly Token[], ignoreCase: CaseRule): boolean {
  const m = pattern.length;
  const n = value.length;
  const memo = new Int8Array((m + 1) * (n + 1));
  const go = (i: number, j: number): boolean => {
    if (i === m) {
      return j === n;
    }
    const key = i * (n + 1) + j;
    if (memo[key] !== 0) {
      return memo[key] === 1;
    }
    const p = pattern[i];
    let result: boolean;
    if (p.t === '*') {
      result = go(i + 1, j) || (j < n && go(i, j + 1));
    } else if (j === n) {
      result = false;
    } else {
      const v = value[j];
      if (p.t === '?') {
        result = (v.t === 'c' || (v.t === 'h' && v.h.singleCharacter === true)) && go(i + 1, j + 1);
      } else if (p.t === 'h') {
        result = v.t === 'h' && v.h.hole === p.h.hole && go(i + 1, j + 1);
      } else {
        result = v.t === 'c' && sameChar(p.c, v.c, ignoreCase(i, j)) && go(i + 1, j + 1);
      }
    }
    memo[key] = result ? 1 : 2;
    return result;
  };
  return go(0, 0);
}

/**
 * True when no values of the holes make the pattern match the value. Holes are read as "any text" and policy
 * variables that brought in '*' or '?' as wildcards, which only widens what may match.
 */
export function provesNoMatch(pattern: readonly Token[], value: readonly Token[], ignoreCase: CaseRule): boolean {
  // identical characters and identical holes that open (or close) both texts face each other whatever the holes
  // stand for, since no wildcard sits among them: only what lies between has to meet
  const same = (p: Token, v: Token) => (p.t === 'c' && v.t === 'c' && p.c === v.c) || (p.t === 'h' && v.t === 'h' && p.h.hole === v.h.hole);
  const shortest = Math.min(pattern.length, value.length);
  let start = 0;
  while (start < shortest && same(pattern[start], value[start])) {
    start++;
  }
  let end = 0;
  while (end < shortest - start && same(pattern[pattern.length - 1 - end], value[value.length - 1 - end])) {
    end++;
  }
  const inner: CaseRule = (i, j) => ignoreCase(i + start, j + start);
  return !languagesMeet(pattern.slice(start, pattern.length - end), value.slice(start, value.length - end), inner)
    || distinctHolesDiffer(pattern, value, ignoreCase);
}

export function languagesMeet(pattern: readonly Token[], value: readonly Token[], ignoreCase: CaseRule): boolean {
  const m = pattern.length;
  const n = value.length;
  const seen = new Uint8Array((m + 1) * (n + 1));
  const stack: number[] = [0];
  seen[0] = 1;
  const push = (i: number, j: number) => {
    const key = i * (n + 1) + j;
    if (!seen[key]) {
      seen[key] = 1;
      stack.push(key);
    }
  };
  const anyRun = (t: Token) => t.t === '*' || t.t === 'h' || (t.t === 'a' && t.c === '*');
  while (stack.length > 0) {
    const key = stack.pop()!;
    const i = Math.floor(key / (n + 1));
    const j = key % (n + 1);
    if (i === m && j === n) {
      return true;
    }
    const p = i < m ? pattern[i] : undefined;
    const v = j < n ? value[j] : undefined;
    // a run may be empty
    if (p && anyRun(p)) {
      push(i + 1, j);
    }
    if (v && v.t === 'h') {
      push(i, j + 1);
    }
    if (!p || !v) {
      continue;
    }
    // both consume one character
    const pAny = p.t !== 'c';
    const vAny = v.t !== 'c';
    if (pAny || vAny || sameChar((p as { c: string }).c, (v as { c: string }).c, ignoreCase(i, j))) {
      push(anyRun(p) ? i : i + 1, v.t === 'h' ? j : j + 1);
    }
  }
  return false;
}

/**
 * Two holes of the same distinct group with different ids, at the same place after the same text, each ending the
 * text or followed by '/': their values differ and hold no '/', so the texts differ. The same from the end.
 */
export function distinctHolesDiffer(pattern: readonly Token[], value: readonly Token[], ignoreCase: CaseRule): boolean {
  const same = (i: number, j: number): boolean => {
    const p = pattern[i];
    const v = value[j];
    return (p.t === 'c' && v.t === 'c' && sameChar(p.c, v.c, ignoreCase(i, j))) || (p.t === 'h' && v.t === 'h' && p.h.hole === v.h.hole);
  };
  const distinct = (i: number, j: number): boolean => {
    const p = pattern[i];
    const v = value[j];
    return p.t === 'h' && v.t === 'h' && p.h.hole !== v.h.hole && p.h.distinctGroup !== undefined && p.h.distinctGroup === v.h.distinctGroup;
  };
  const slashOrEdge = (tokens: readonly Token[], k: number) => k < 0 || k >= tokens.length || (tokens[k].t === 'c' && (tokens[k] as { c: string }).c === '/');

  let k = 0;
  while (k < pattern.length && k < value.length && same(k, k)) {
    k++;
  }
  if (k < pattern.length && k < value.length && distinct(k, k) && slashOrEdge(pattern, k + 1) && slashOrEdge(value, k + 1)) {
    return true;
  }
  let i = pattern.length - 1;
  let j = value.length - 1;
  while (i >= 0 && j >= 0 && same(i, j)) {
    i--;
    j--;
  }
  return i >= 0 && j >= 0 && distinct(i, j) && slashOrEdge(pattern, i - 1) && slashOrEdge(value, j - 1);
}

export function hasSurrogate(tokens: readonly Token[]): boolean {
  return tokens.some(t => t.t === 'c' && /[\uD800-\uDFFF]/.test(t.c));
}

/** Whether a glob pattern matches a value for all, for no, or for some values of the holes. */
export function globMatch(pattern: readonly Token[], value: readonly Token[], ignoreCase: CaseRule): Tri {
  // whether '?' stands for a UTF-16 code unit or a character is not documented
  if (pattern.some(t => t.t === '?' || (t.t === 'a' && t.c === '?')) && hasSurrogate(value)) {
    return undefined;
  }
  if (provesMatch(pattern, value, ignoreCase)) {
    return true;
  }
  return provesNoMatch(pattern, value, ignoreCase) ? false : undefined;
}
