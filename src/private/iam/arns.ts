// resource ARNs and ARN conditions: what the documentation says and what simulators do, both read

import { Tri } from './logic';
import { CASE_SENSITIVE, CaseRule, hasSurrogate, IGNORE_CASE, provesMatch, provesNoMatch } from './patterns';
import { isChar, isWildcard, STAR, Token } from './text';

/** The index just after the fifth ':' of the tokens, or -1 when there are fewer. */
export function afterFifthColon(tokens: readonly Token[]): number {
  let colons = 0;
  for (let k = 0; k < tokens.length; k++) {
    if (isChar(tokens[k], ':') && ++colons === 5) {
      return k + 1;
    }
  }
  return -1;
}

/**
 * Where the partition, service, region and account of an ARN may end: at the fifth ':' or at the first '/' (which
 * only the resource part holds), whichever comes first; the end of the text when there is neither.
 */
export function arnPrefixEnd(tokens: readonly Token[]): number {
  const slash = tokens.findIndex(t => isChar(t, '/'));
  const fifth = afterFifthColon(tokens);
  const candidates = [slash, fifth].filter(k => k >= 0);
  return candidates.length > 0 ? Math.min(...candidates) : tokens.length;
}

/** The six parts of an ARN split at its first five ':', or undefined when it has fewer. */
export function arnParts(tokens: readonly Token[]): Token[][] | undefined {
  const parts: Token[][] = [[]];
  for (const token of tokens) {
    if (parts.length < 6 && isChar(token, ':')) {
      parts.push([]);
    } else {
      parts[parts.length - 1].push(token);
    }
  }
  return parts.length === 6 ? parts : undefined;
}

/**
 * Whether a Resource element's pattern matches the request's resource.
 *
 * The documentation reads wildcards within the colon-separated parts of an ARN, lets a '*' that ends a part match
 * beyond it, and does not say whether the partition, region and account compare regardless of case; IAM policy
 * simulators read them part by part, case-insensitively, and pad short ARNs with '*'. A match is proved only when
 * both readings match, and a mismatch only when neither does.
 */
export function resourceMatch(pattern: readonly Token[], value: readonly Token[]): Tri {
  if (pattern.some(t => t.t === '?' || (t.t === 'a' && t.c === '?')) && hasSurrogate(value)) {
    return undefined;
  }
  // the first parts of the ARN may compare regardless of case
  const patternPrefix = arnPrefixEnd(pattern);
  const valuePrefix = arnPrefixEnd(value);
  const relaxed: CaseRule = (i, j) => i < patternPrefix || j < valuePrefix;
  const short = afterFifthColon(pattern) < 0;
  const noMatch = provesNoMatch(short ? [...pattern, STAR] : pattern, value, relaxed)
    && (!short || provesNoMatch(pattern, value, relaxed));
  if (noMatch) {
    return false;
  }
  if (!provesMatch(pattern, value, CASE_SENSITIVE)) {
    return undefined;
  }
  const earlyWildcard = pattern.slice(0, patternPrefix).some(isWildcard);
  if (!earlyWildcard) {
    return productIsLiteral(pattern) ? true : undefined;
  }
  return partsMatch(pattern, value) ? true : undefined;
}

/**
 * Simulators match the text between the resource part's start and its first '/' or ':' literally, without wildcards
 * or policy variables, when the ARN has a region or an account; the match holds for both readings when that text
 * holds neither.
 */
export function productIsLiteral(pattern: readonly Token[]): boolean {
  const parts = arnParts(pattern);
  if (!parts || (parts[3].length === 0 && parts[4].length === 0)) {
    return true;
  }
  for (const token of parts[5]) {
    if (isWildcard(token) || ('variable' in token && token.variable)) {
      return false;
    }
    if (isChar(token, '/') || isChar(token, ':')) {
      return true;
    }
  }
  return true;
}

/** The part-by-part reading of a resource ARN whose first parts hold wildcards (no holes there). */
export function partsMatch(pattern: readonly Token[], value: readonly Token[]): boolean {
  let patternParts = arnParts(pattern);
  if (!patternParts) {
    // a short ARN: the missing parts are '*'
    const parts: Token[][] = [[]];
    for (const token of pattern) {
      if (isChar(token, ':')) {
        parts.push([]);
      } else {
        parts[parts.length - 1].push(token);
      }
    }
    while (parts.length < 6) {
      parts.push([STAR]);
    }
    patternParts = parts;
  }
  const valueParts = arnParts(value);
  if (!valueParts) {
    return false;
  }
  for (let k = 0; k < 5; k++) {
    if (patternParts[k].some(t => t.t === 'h' || t.t === 'a') || valueParts[k].some(t => t.t === 'h')) {
      return false;
    }
  }
  // wildcards in the service are not allowed
  if (patternParts[2].some(isWildcard) || !provesMatch(patternParts[0], valueParts[0], IGNORE_CASE)) {
    return false;
  }
  for (const k of [1, 2, 3, 4]) {
    if (!provesMatch(patternParts[k], valueParts[k], IGNORE_CASE)) {
      return false;
    }
  }
  return provesMatch(patternParts[5], valueParts[5], CASE_SENSITIVE) && productIsLiteral(pattern);
}

/** ArnEquals and ArnLike: each of the six colon-separated parts is matched separately, case-sensitively. */
export function arnConditionMatch(pattern: readonly Token[], value: readonly Token[]): Tri {
  if (pattern.some(t => t.t === '?' || (t.t === 'a' && t.c === '?')) && hasSurrogate(value)) {
    return undefined;
  }
  // a part-by-part match is also a match of the whole text, so no match of the whole text is no match at all
  if (provesNoMatch(pattern, value, CASE_SENSITIVE)) {
    return false;
  }
  const patternParts = arnParts(pattern);
  const valueParts = arnParts(value);
  if (!patternParts || !valueParts) {
    return undefined;
  }
  const first = (parts: Token[][]) => parts.slice(0, 5);
  const holes = [...first(patternParts), ...first(valueParts)].some(part => part.some(t => t.t === 'h'));
  if (!holes && patternParts.some((part, k) => provesNoMatch(part, valueParts[k], CASE_SENSITIVE))) {
    return false;
  }
  // with a hole among the first parts (whose value might hold a ':'), those parts must be the same text
  const sameFirstParts = first(patternParts).every((part, k) => part.length === valueParts[k].length && part.every((t, i) => {
    const v = valueParts[k][i];
    return (t.t === 'c' && v.t === 'c' && t.c === v.c) || (t.t === 'h' && v.t === 'h' && t.h.hole === v.h.hole);
  }));
  if (holes && !sameFirstParts) {
    return undefined;
  }
  return patternParts.every((part, k) => provesMatch(part, valueParts[k], CASE_SENSITIVE)) ? true : undefined;
}

