/*
 * A three-valued evaluation of IAM identity policies and a permissions boundary, for checks that run at synthesis.
 *
 * Parts of the policies (deploy-time tokens) and of the request ("any key under this folder") are not known at
 * synthesis. The evaluation answers `allowed` only when the request is allowed whatever those values are, `denied`
 * only when it is denied whatever they are, and `unknown` otherwise. Where the AWS documentation leaves a case open,
 * the answer is `unknown` too.
 *
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */

/**
 * A value not known at synthesis: a deploy-time token, a build-time parameter, or "any key".
 *
 * Two holes with the same `hole` id are the same value. Holes with different ids may be equal, unless both have the
 * same defined `distinctGroup`: then their values differ, and none of them contains '/' (like the names and ARNs of
 * two different buckets of the app). A hole in a policy never stands for text with a policy variable ('${...}'), nor
 * does a hole inside the partition, service, region or account of an ARN hold a ':'.
 */
export interface Hole {
  readonly hole: string;
  readonly distinctGroup?: string;
  /** The hole stands for exactly one character (one of the random ones that end a secret's ARN, say), which '?' matches. */
  readonly singleCharacter?: boolean;
}

/** Literal text or a hole. */
export type Part = string | Hole;

/** Literal text and holes. */
export type Text = string | readonly Part[];

export type Decision = 'allowed' | 'denied' | 'unknown';

/**
 * A policy document.
 *
 * In `statements`, every string value is a `Text`. Where IAM takes a string or a list of strings (`Action`,
 * `Resource`, condition values), an array is a list whose elements are strings or arrays of parts, except that an
 * array holding a hole directly is one `Text`. The policy language is version 2012-10-17.
 */
export interface PolicySource {
  /** For messages, e.g. "Stack/Profile/Role/DefaultPolicy" or an ARN. */
  readonly name: string;
  /** IAM JSON statements; undefined when the document is not known (it may allow or deny anything). */
  readonly statements?: readonly any[];
}

export interface EvaluationInput {
  readonly identity: readonly PolicySource[];
  readonly boundary?: PolicySource;
}

export interface EvaluationRequest {
  /** Literal, e.g. 's3:GetObject'. */
  readonly action: string;
  /** E.g. ['arn:aws:s3:::my-bucket/components/', { hole: 'any key' }]. */
  readonly resource: Text;
  /** Keys the request is known to carry (compared case-insensitively); an array without holes is a multivalued key. */
  readonly context: Readonly<Record<string, Text | readonly Text[]>>;
  /** Keys the request is known not to carry; every key in neither list is unknown. */
  readonly absentKeys?: readonly string[];
}

export interface Verdict {
  readonly decision: Decision;
  /** Short sentences naming the policy (and statement) that made the answer denied or unknown. */
  readonly reasons: readonly string[];
}

// ---------------------------------------------------------------------------------------------------------------------
// three-valued logic: true, false, or undefined for "not known"

type Tri = boolean | undefined;

function and(values: Iterable<Tri>): Tri {
  let result: Tri = true;
  for (const value of values) {
    if (value === false) {
      return false;
    }
    if (value === undefined) {
      result = undefined;
    }
  }
  return result;
}

function or(values: Iterable<Tri>): Tri {
  let result: Tri = false;
  for (const value of values) {
    if (value === true) {
      return true;
    }
    if (value === undefined) {
      result = undefined;
    }
  }
  return result;
}

function not(value: Tri): Tri {
  return value === undefined ? undefined : !value;
}

/** A three-valued answer and, when it is undefined, why. */
interface Outcome {
  readonly value: Tri;
  readonly why?: string;
}

const TRUE: Outcome = { value: true };
const FALSE: Outcome = { value: false };
const unknown = (why: string): Outcome => ({ value: undefined, why });

function andOutcomes(outcomes: readonly Outcome[]): Outcome {
  const value = and(outcomes.map(o => o.value));
  return value === undefined ? unknown(outcomes.find(o => o.value === undefined)!.why!) : { value };
}

function orOutcomes(outcomes: readonly Outcome[]): Outcome {
  const value = or(outcomes.map(o => o.value));
  return value === undefined ? unknown(outcomes.find(o => o.value === undefined)!.why!) : { value };
}

function notOutcome(outcome: Outcome): Outcome {
  return outcome.value === undefined ? outcome : { value: !outcome.value };
}

// ---------------------------------------------------------------------------------------------------------------------
// texts and patterns as tokens

/**
 * c: a literal character (UTF-16 code unit); *: any run of characters; ?: one character; h: a hole; a: a '*' or '?'
 * that a policy variable brought in, which IAM may read literally or as a wildcard.
 */
type Token =
  | { readonly t: 'c'; readonly c: string; readonly variable?: boolean }
  | { readonly t: '*' }
  | { readonly t: '?' }
  | { readonly t: 'h'; readonly h: Hole; readonly variable?: boolean }
  | { readonly t: 'a'; readonly c: string; readonly variable?: boolean };

const STAR: Token = { t: '*' };
const QUESTION: Token = { t: '?' };

export function isHole(value: unknown): value is Hole {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as any).hole === 'string';
}

function isPartList(value: unknown): value is readonly Part[] {
  return Array.isArray(value) && value.every(p => typeof p === 'string' || isHole(p));
}

function textTokens(text: Text): Token[] {
  const tokens: Token[] = [];
  for (const part of typeof text === 'string' ? [text] : text) {
    if (typeof part === 'string') {
      for (let i = 0; i < part.length; i++) {
        tokens.push({ t: 'c', c: part[i] });
      }
    } else {
      tokens.push({ t: 'h', h: part });
    }
  }
  return tokens;
}

/** A text for messages, with each hole shown as <what it stands for>. */
export function display(text: Text): string {
  return typeof text === 'string' ? text : text.map(p => typeof p === 'string' ? p : `<${p.hole}>`).join('');
}

function literalOf(text: Text): string | undefined {
  if (typeof text === 'string') {
    return text;
  }
  return text.every(p => typeof p === 'string') ? text.join('') : undefined;
}

/**
 * The values of an IAM element that takes a string or a list of strings, or undefined when it is not of that form.
 * Numbers and booleans (condition values) are read as their JSON text.
 */
function textList(value: unknown): Text[] | undefined {
  if (typeof value === 'string') {
    return [value];
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return [String(value)];
  }
  if (isHole(value)) {
    return [[value]];
  }
  if (!Array.isArray(value)) {
    return undefined;
  }
  if (value.some(isHole)) {
    return isPartList(value) ? [value] : undefined;
  }
  const list: Text[] = [];
  for (const element of value) {
    if (typeof element === 'string' || isPartList(element)) {
      list.push(element);
    } else if (typeof element === 'number' || typeof element === 'boolean') {
      list.push(String(element));
    } else {
      return undefined;
    }
  }
  return list;
}

// ECMAScript's case folding for regular expressions without the u flag, which IAM's case-insensitive matching resembles
function fold(c: string): string {
  const upper = c.toUpperCase();
  if (upper.length !== 1 || (c.charCodeAt(0) >= 128 && upper.charCodeAt(0) < 128)) {
    return c;
  }
  return upper;
}

function sameChar(a: string, b: string, ignoreCase: boolean): boolean {
  return a === b || (ignoreCase && fold(a) === fold(b));
}

/** Whether token i of the pattern and token j of the value compare regardless of case. */
type CaseRule = (i: number, j: number) => boolean;
const CASE_SENSITIVE: CaseRule = () => false;
const IGNORE_CASE: CaseRule = () => true;

/**
 * True when the pattern matches the value whatever the holes stand for: each hole of the value is one opaque
 * symbol that only '*' may absorb or the same hole of the pattern may match, and '?' matches literal characters and
 * single-character holes only.
 */
function provesMatch(pattern: readonly Token[], value: readonly Token[], ignoreCase: CaseRule): boolean {
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
function provesNoMatch(pattern: readonly Token[], value: readonly Token[], ignoreCase: CaseRule): boolean {
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

function languagesMeet(pattern: readonly Token[], value: readonly Token[], ignoreCase: CaseRule): boolean {
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
function distinctHolesDiffer(pattern: readonly Token[], value: readonly Token[], ignoreCase: CaseRule): boolean {
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

function hasSurrogate(tokens: readonly Token[]): boolean {
  return tokens.some(t => t.t === 'c' && /[\uD800-\uDFFF]/.test(t.c));
}

/** Whether a glob pattern matches a value for all, for no, or for some values of the holes. */
function globMatch(pattern: readonly Token[], value: readonly Token[], ignoreCase: CaseRule): Tri {
  // whether '?' stands for a UTF-16 code unit or a character is not documented
  if (pattern.some(t => t.t === '?' || (t.t === 'a' && t.c === '?')) && hasSurrogate(value)) {
    return undefined;
  }
  if (provesMatch(pattern, value, ignoreCase)) {
    return true;
  }
  return provesNoMatch(pattern, value, ignoreCase) ? false : undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// the request context and policy variables

type ContextValue =
  | { readonly kind: 'present'; readonly single?: Text; readonly multi?: readonly Text[] }
  | { readonly kind: 'absent' }
  | { readonly kind: 'unknown' };

class RequestContext {
  private readonly values = new Map<string, ContextValue>();
  private unknownVariables = 0;

  constructor(request: EvaluationRequest) {
    for (const key of request.absentKeys ?? []) {
      this.values.set(key.toLowerCase(), { kind: 'absent' });
    }
    for (const [key, raw] of Object.entries(request.context)) {
      let value: ContextValue;
      if (typeof raw === 'string' || (Array.isArray(raw) && raw.some(isHole) && isPartList(raw))) {
        value = { kind: 'present', single: raw as Text };
      } else if (Array.isArray(raw) && raw.every(e => typeof e === 'string' || isPartList(e))) {
        value = { kind: 'present', multi: raw as readonly Text[] };
      } else {
        value = { kind: 'unknown' };
      }
      this.values.set(key.toLowerCase(), value);
    }
  }

  public get(key: string): ContextValue {
    return this.values.get(key.toLowerCase()) ?? { kind: 'unknown' };
  }

  /** A hole for a value that cannot be known, distinct from every other hole. */
  public freshHole(): Hole {
    return { hole: `\u0000unknown policy variable ${++this.unknownVariables}` };
  }
}

/** A policy string read as a pattern. */
interface ParsedPattern {
  readonly tokens: readonly Token[];
  /** Some policy variable has no value and no default: IAM treats the value as null, which nothing equals. */
  readonly isNull: boolean;
  /** Some policy variable without default reads a key not known at synthesis, or multivalued, or empty: it may be null. */
  readonly mayBeNull: boolean;
  /** Why a variable is not known, when one is not. */
  readonly note?: string;
}

interface PatternOptions {
  /** '*' and '?' are wildcards (StringLike, ArnLike, Resource) rather than literal characters. */
  readonly wildcards: boolean;
  /** In a Resource, policy variables may only appear after the fifth ':'. */
  readonly resource?: boolean;
}

const VARIABLE = /^([^\s,'{}$]+)(?:, '([^']+)')?$/;

/**
 * Reads a policy string: wildcards, the escapes ${*}, ${?} and ${$}, and policy variables with their value from the
 * request context. Returns a string (why) when the text cannot be read.
 */
function parsePattern(text: Text, context: RequestContext, options: PatternOptions): ParsedPattern | string {
  const tokens: Token[] = [];
  let isNull = false;
  let mayBeNull = false;
  let note: string | undefined;
  let colons = 0;
  let slash = false;
  const literal = (c: string) => {
    tokens.push({ t: 'c', c });
  };
  // what a variable brings in is marked, for simulators read it only in part of a resource ARN
  const substitute = (value: Text) => {
    for (const token of textTokens(value)) {
      if (token.t === 'c' && options.wildcards && (token.c === '*' || token.c === '?')) {
        tokens.push({ t: 'a', c: token.c, variable: true });
      } else {
        tokens.push({ ...token, variable: true } as Token);
      }
    }
  };

  for (const part of typeof text === 'string' ? [text] : text) {
    if (typeof part !== 'string') {
      tokens.push({ t: 'h', h: part });
      continue;
    }
    for (let i = 0; i < part.length; i++) {
      const c = part[i];
      if (c === '$' && part[i + 1] === '{') {
        const end = part.indexOf('}', i + 2);
        if (end < 0) {
          return `has '${display(text)}', whose '\${' is not closed`;
        }
        const inside = part.slice(i + 2, end);
        i = end;
        if (options.resource && colons < 5 && !slash) {
          return `has the resource '${display(text)}', with a policy variable before the resource part of the ARN`;
        }
        if (inside === '*' || inside === '?' || inside === '$') {
          literal(inside);
          continue;
        }
        const match = VARIABLE.exec(inside);
        if (!match) {
          return `has the policy variable '\${${inside}}', whose form this check does not read`;
        }
        const [, key, defaultValue] = match;
        const value = context.get(key);
        if (value.kind === 'present' && value.single !== undefined && (typeof value.single !== 'string' || value.single !== '')) {
          substitute(value.single);
        } else if (value.kind === 'absent' && defaultValue !== undefined) {
          substitute(defaultValue);
        } else if (value.kind === 'absent') {
          isNull = true;
        } else {
          // a key not known at synthesis, or a multivalued or empty value, which simulators read as no value
          tokens.push({ t: 'h', h: context.freshHole(), variable: true });
          mayBeNull ||= defaultValue === undefined;
          note ??= `uses the policy variable \${${key}}, whose value is not known at synthesis`;
        }
        continue;
      }
      if (c === ':') {
        colons++;
      }
      slash ||= c === '/';
      if (options.wildcards && c === '*') {
        tokens.push(STAR);
      } else if (options.wildcards && c === '?') {
        tokens.push(QUESTION);
      } else {
        literal(c);
      }
    }
  }
  return { tokens, isNull, mayBeNull, note };
}

// ---------------------------------------------------------------------------------------------------------------------
// ARNs

const isChar = (t: Token | undefined, c: string) => t !== undefined && t.t === 'c' && t.c === c;
const isWildcard = (t: Token) => t.t === '*' || t.t === '?' || t.t === 'a';

/** The index just after the fifth ':' of the tokens, or -1 when there are fewer. */
function afterFifthColon(tokens: readonly Token[]): number {
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
function arnPrefixEnd(tokens: readonly Token[]): number {
  const slash = tokens.findIndex(t => isChar(t, '/'));
  const fifth = afterFifthColon(tokens);
  const candidates = [slash, fifth].filter(k => k >= 0);
  return candidates.length > 0 ? Math.min(...candidates) : tokens.length;
}

/** The six parts of an ARN split at its first five ':', or undefined when it has fewer. */
function arnParts(tokens: readonly Token[]): Token[][] | undefined {
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
function resourceMatch(pattern: readonly Token[], value: readonly Token[]): Tri {
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
function productIsLiteral(pattern: readonly Token[]): boolean {
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
function partsMatch(pattern: readonly Token[], value: readonly Token[]): boolean {
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
function arnConditionMatch(pattern: readonly Token[], value: readonly Token[]): Tri {
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

// ---------------------------------------------------------------------------------------------------------------------
// conditions

type Family = 'string' | 'stringIgnoreCase' | 'stringLike' | 'arn' | 'numeric' | 'date' | 'bool' | 'ip' | 'null';

interface Operator {
  readonly family: Family;
  readonly negated: boolean;
  /** For numeric and date operators: how the request value (left) compares to the policy value (right). */
  readonly compare?: (request: number, policy: number) => boolean;
}

const OPERATORS: Record<string, Operator> = {
  StringEquals: { family: 'string', negated: false },
  StringNotEquals: { family: 'string', negated: true },
  StringEqualsIgnoreCase: { family: 'stringIgnoreCase', negated: false },
  StringNotEqualsIgnoreCase: { family: 'stringIgnoreCase', negated: true },
  StringLike: { family: 'stringLike', negated: false },
  StringNotLike: { family: 'stringLike', negated: true },
  ArnEquals: { family: 'arn', negated: false },
  ArnLike: { family: 'arn', negated: false },
  ArnNotEquals: { family: 'arn', negated: true },
  ArnNotLike: { family: 'arn', negated: true },
  NumericEquals: { family: 'numeric', negated: false, compare: (r, p) => r === p },
  NumericNotEquals: { family: 'numeric', negated: true, compare: (r, p) => r === p },
  NumericLessThan: { family: 'numeric', negated: false, compare: (r, p) => r < p },
  NumericLessThanEquals: { family: 'numeric', negated: false, compare: (r, p) => r <= p },
  NumericGreaterThan: { family: 'numeric', negated: false, compare: (r, p) => r > p },
  NumericGreaterThanEquals: { family: 'numeric', negated: false, compare: (r, p) => r >= p },
  DateEquals: { family: 'date', negated: false, compare: (r, p) => r === p },
  DateNotEquals: { family: 'date', negated: true, compare: (r, p) => r === p },
  DateLessThan: { family: 'date', negated: false, compare: (r, p) => r < p },
  DateLessThanEquals: { family: 'date', negated: false, compare: (r, p) => r <= p },
  DateGreaterThan: { family: 'date', negated: false, compare: (r, p) => r > p },
  DateGreaterThanEquals: { family: 'date', negated: false, compare: (r, p) => r >= p },
  Bool: { family: 'bool', negated: false },
  IpAddress: { family: 'ip', negated: false },
  NotIpAddress: { family: 'ip', negated: true },
  Null: { family: 'null', negated: false },
};

function evaluateConditions(condition: unknown, context: RequestContext): Outcome {
  if (condition === undefined) {
    return TRUE;
  }
  if (!isPlainObject(condition)) {
    return unknown('has a Condition element that is not a JSON object');
  }
  const outcomes: Outcome[] = [];
  for (const [name, block] of Object.entries(condition)) {
    outcomes.push(evaluateOperator(name, block, context));
    if (outcomes[outcomes.length - 1].value === false) {
      return FALSE;
    }
  }
  return andOutcomes(outcomes);
}

function evaluateOperator(name: string, block: unknown, context: RequestContext): Outcome {
  const parsed = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/.exec(name);
  const operator = parsed ? OPERATORS[parsed[2]] : undefined;
  if (!parsed || !operator) {
    return unknown(`uses the condition operator '${name}', which this check does not evaluate`);
  }
  const set = parsed[1] as 'ForAnyValue' | 'ForAllValues' | undefined;
  const ifExists = parsed[3] !== undefined;
  if (operator.family === 'null' && (set || ifExists)) {
    return unknown(`uses the condition operator '${name}', which this check does not evaluate`);
  }
  if (!isPlainObject(block)) {
    return unknown(`has a '${name}' condition that is not a JSON object`);
  }
  const outcomes: Outcome[] = [];
  for (const [key, raw] of Object.entries(block)) {
    const values = textList(raw);
    if (!values || values.length === 0) {
      return unknown(`has a '${name}' condition on ${key} whose values this check does not read`);
    }
    const outcome = evaluateKey(name, operator, set, ifExists, key, values, context);
    if (outcome.value === false) {
      return FALSE;
    }
    outcomes.push(outcome);
  }
  return andOutcomes(outcomes);
}

function evaluateKey(name: string, operator: Operator, set: 'ForAnyValue' | 'ForAllValues' | undefined, ifExists: boolean,
  key: string, values: readonly Text[], context: RequestContext): Outcome {
  const state = context.get(key);
  if (state.kind === 'unknown') {
    return unknown(`has a condition on ${key} that cannot be decided at synthesis`);
  }
  if (operator.family === 'null') {
    const wanted = values.map(literalOf).map(v => v?.toLowerCase());
    if (wanted.some(v => v !== 'true' && v !== 'false')) {
      return unknown(`has a '${name}' condition on ${key} whose value is neither true nor false`);
    }
    return { value: wanted.includes(state.kind === 'absent' ? 'true' : 'false') };
  }
  if (state.kind === 'absent') {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    if (set === 'ForAllValues') {
      return TRUE;
    }
    if (set === 'ForAnyValue') {
      return ifExists ? unknown(`has a '${name}' condition on ${key}, which the request does not carry; `
        + 'what IAM does then with ForAnyValue and IfExists together is not documented') : FALSE;
    }
    return { value: ifExists || operator.negated };
  }
  let requestValues: readonly Text[];
  if (state.single !== undefined) {
    requestValues = [state.single];
  } else if (set) {
    requestValues = state.multi!;
  } else {
    return unknown(`compares the multivalued key ${key} with the single-valued operator '${name}'`);
  }
  const perValue = requestValues.map(v => evaluateValue(name, operator, key, values, v, context));
  if (!set) {
    return perValue[0];
  }
  return set === 'ForAllValues' ? andOutcomes(perValue) : orOutcomes(perValue);
}

/** The base operator for one request value: any policy value matches it (or, negated, none does). */
function evaluateValue(name: string, operator: Operator, key: string, policyValues: readonly Text[], requestValue: Text,
  context: RequestContext): Outcome {
  const matches: Outcome[] = [];
  let mayBeNull = false;
  for (const policyValue of policyValues) {
    const match = matchValue(name, operator, key, policyValue, requestValue, context);
    mayBeNull ||= match.mayBeNull;
    matches.push(match);
  }
  const any = orOutcomes(matches);
  if (!operator.negated) {
    return any;
  }
  // a variable that may have no value: the documentation says a negated operator then matches, simulators say not
  if (mayBeNull && any.value !== true) {
    return unknown(`has a '${name}' condition on ${key} with a policy variable that may have no value`);
  }
  return notOutcome(any);
}

function matchValue(name: string, operator: Operator, key: string, policyValue: Text, requestValue: Text,
  context: RequestContext): Outcome & { mayBeNull: boolean } {
  const undecided = (why: string) => ({ value: undefined, why, mayBeNull: false });
  switch (operator.family) {
    case 'string':
    case 'stringIgnoreCase':
    case 'stringLike':
    case 'arn': {
      const pattern = parsePattern(policyValue, context, { wildcards: operator.family === 'stringLike' || operator.family === 'arn' });
      if (typeof pattern === 'string') {
        return undecided(pattern);
      }
      if (pattern.isNull) {
        return { value: false, mayBeNull: false };
      }
      const value = textTokens(requestValue);
      const result = operator.family === 'arn'
        ? arnConditionMatch(pattern.tokens, value)
        : globMatch(pattern.tokens, value, operator.family === 'stringIgnoreCase' ? IGNORE_CASE : CASE_SENSITIVE);
      const why = pattern.note ?? `has a '${name}' condition on ${key} that cannot be decided at synthesis`;
      return { value: result, why: result === undefined ? why : undefined, mayBeNull: pattern.mayBeNull };
    }
    default: {
      const policy = literalOf(policyValue);
      const request = literalOf(requestValue);
      if (policy === undefined || request === undefined) {
        return undecided(`has a '${name}' condition on ${key} that cannot be decided at synthesis`);
      }
      if (policy.includes('${')) {
        return undecided(`has a '${name}' condition on ${key} with a policy variable, which IAM does not allow there`);
      }
      const result = compareScalar(operator, policy, request);
      return result === undefined
        ? undecided(`has a '${name}' condition on ${key} whose values this check does not read ('${policy}', '${request}')`)
        : { value: result, mayBeNull: false };
    }
  }
}

/** Numeric, date, Bool and IP address operators (the positive sense; negation is applied by the caller). */
function compareScalar(operator: Operator, policy: string, request: string): Tri {
  switch (operator.family) {
    case 'numeric': {
      const p = parseNumber(policy);
      const r = parseNumber(request);
      return p === undefined || r === undefined ? undefined : operator.compare!(r, p);
    }
    case 'date': {
      const p = parseDate(policy);
      const r = parseDate(request);
      return p === undefined || r === undefined ? undefined : operator.compare!(r, p);
    }
    case 'bool': {
      const p = policy.toLowerCase();
      const r = request.toLowerCase();
      return (p !== 'true' && p !== 'false') || (r !== 'true' && r !== 'false') ? undefined : p === r;
    }
    case 'ip':
      return ipInRange(request, policy);
    default:
      return undefined;
  }
}

function parseNumber(text: string): number | undefined {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : undefined;
}

/** Milliseconds since the epoch, from an ISO 8601 date-time (W3C profile) or epoch seconds. */
function parseDate(text: string): number | undefined {
  if (/^\d{1,12}$/.test(text)) {
    return Number(text) * 1000;
  }
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(text);
  if (!iso) {
    return undefined;
  }
  const ms = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
  return Number.isNaN(ms) ? undefined : ms;
}

function ipInRange(address: string, range: string): Tri {
  const [network, bitsText, ...rest] = range.split('/');
  const ip = parseIp(address);
  const net = parseIp(network);
  if (!ip || !net || rest.length > 0) {
    return undefined;
  }
  const bits = bitsText === undefined ? net.width : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : -1;
  if (bits < 0 || bits > net.width) {
    return undefined;
  }
  if (ip.width !== net.width) {
    return false;
  }
  const block = 2n ** BigInt(net.width - bits);
  return ip.value / block === net.value / block;
}

function parseIp(text: string): { value: bigint; width: number } | undefined {
  // leading zeros may be read as octal: not read
  const octet = '(0|[1-9]\\d{0,2})';
  const v4 = new RegExp(`^${octet}\\.${octet}\\.${octet}\\.${octet}$`).exec(text);
  if (v4) {
    const octets = v4.slice(1).map(Number);
    return octets.every(o => o <= 255) ? { value: octets.reduce((a, o) => a * 256n + BigInt(o), 0n), width: 32 } : undefined;
  }
  if (!/^[0-9a-fA-F:]+$/.test(text) || text.split('::').length > 2) {
    return undefined;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string) => s === '' ? [] : s.split(':');
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const missing = 8 - left.length - right.length;
  if ((tail === undefined && missing !== 0) || (tail !== undefined && missing < 1)) {
    return undefined;
  }
  const all = [...left, ...Array(tail === undefined ? 0 : missing).fill('0'), ...right];
  if (all.some(g => !/^[0-9a-fA-F]{1,4}$/.test(g))) {
    return undefined;
  }
  return { value: all.reduce((a, g) => a * 65536n + BigInt(parseInt(g, 16)), 0n), width: 128 };
}

// ---------------------------------------------------------------------------------------------------------------------
// statements and policies

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isHole(value);
}

interface StatementResult {
  readonly effect: 'Allow' | 'Deny' | undefined;
  readonly match: Outcome;
  readonly label: string;
}

function actionMatch(pattern: Text, action: string): Tri {
  const literal = literalOf(pattern);
  if (literal === '*') {
    return true;
  }
  const tokens = textTokens(pattern);
  const colon = tokens.findIndex(t => isChar(t, ':'));
  // wildcards in the service prefix are not allowed
  if (literal !== undefined && (colon < 0 || /[*?]/.test(literal.slice(0, colon)))) {
    return undefined;
  }
  const patternTokens = tokens.map(t => isChar(t, '*') ? STAR : isChar(t, '?') ? QUESTION : t);
  return globMatch(patternTokens, textTokens(action), IGNORE_CASE);
}

function evaluateStatement(statement: unknown, index: number, policy: string, request: EvaluationRequest,
  context: RequestContext): StatementResult {
  const sid = isPlainObject(statement) && typeof statement.Sid === 'string' && statement.Sid !== '' ? statement.Sid : undefined;
  const label = `statement ${sid !== undefined ? `'${sid}'` : index + 1} of '${policy}'`;
  if (!isPlainObject(statement) || isIntrinsic(statement)) {
    return { effect: undefined, match: unknown('is not known until deployment'), label };
  }
  const effect = statement.Effect === 'Allow' || statement.Effect === 'Deny' ? statement.Effect : undefined;
  if (statement.Principal !== undefined || statement.NotPrincipal !== undefined) {
    return { effect, match: unknown('names a principal, which an identity policy cannot'), label };
  }

  const actions = pick(statement, 'Action', 'NotAction');
  const resources = pick(statement, 'Resource', 'NotResource');
  if (typeof actions === 'string') {
    return { effect, match: unknown(actions), label };
  }
  if (typeof resources === 'string') {
    return { effect, match: unknown(resources), label };
  }
  const actionOutcome = evaluateActions(actions, request.action);
  if (actionOutcome.value === false) {
    return { effect, match: FALSE, label };
  }
  const resourceOutcome = evaluateResources(resources, request.resource, context);
  if (resourceOutcome.value === false) {
    return { effect, match: FALSE, label };
  }
  const conditionOutcome = evaluateConditions(statement.Condition, context);
  let match = andOutcomes([actionOutcome, resourceOutcome, conditionOutcome]);
  if (effect === undefined && match.value !== false) {
    match = unknown(`has the Effect '${display(textList(statement.Effect)?.[0] ?? String(statement.Effect))}', which is neither Allow nor Deny`);
  }
  return { effect, match, label };
}

/** The element and whether it is the negated one, or why the statement cannot be read. */
function pick(statement: Record<string, unknown>, positive: string, negative: string): { values: Text[]; negated: boolean } | string {
  const has = statement[positive] !== undefined;
  const hasNot = statement[negative] !== undefined;
  if (has === hasNot) {
    return `has ${has ? 'both' : 'neither'} ${positive} and ${negative}`;
  }
  const raw = has ? statement[positive] : statement[negative];
  const values = textList(raw);
  if (!values) {
    return `has a ${has ? positive : negative} element that is not known until deployment`;
  }
  return { values, negated: hasNot };
}

function evaluateActions(actions: { values: Text[]; negated: boolean }, action: string): Outcome {
  const any = or(actions.values.map(a => actionMatch(a, action)));
  const value = actions.negated ? not(any) : any;
  return value === undefined
    ? unknown(`has an ${actions.negated ? 'NotAction' : 'Action'} element that may or may not match ${action}`)
    : { value };
}

function evaluateResources(resources: { values: Text[]; negated: boolean }, resource: Text, context: RequestContext): Outcome {
  const element = resources.negated ? 'NotResource' : 'Resource';
  const value = textTokens(resource);
  const outcomes: Outcome[] = [];
  for (const entry of resources.values) {
    if (literalOf(entry) === '*') {
      outcomes.push(TRUE);
      continue;
    }
    const pattern = parsePattern(entry, context, { wildcards: true, resource: true });
    if (typeof pattern === 'string') {
      outcomes.push(unknown(pattern));
      continue;
    }
    // a resource whose variable has no value matches nothing; what that means for a NotResource is not documented
    if (resources.negated && (pattern.isNull || pattern.mayBeNull)) {
      outcomes.push(unknown(`has the ${element} '${display(entry)}' with a policy variable that may have no value`));
      continue;
    }
    if (pattern.isNull) {
      outcomes.push(FALSE);
      continue;
    }
    const result = resourceMatch(pattern.tokens, value);
    outcomes.push(result === undefined
      ? unknown(pattern.note ?? `has the ${element} '${display(entry)}', which may or may not match '${display(resource)}'`)
      : { value: result });
  }
  const any = orOutcomes(outcomes);
  return resources.negated ? notOutcome(any) : any;
}

interface PolicyResult {
  readonly allow: Tri;
  readonly deny: Tri;
  /** Statements that definitely deny. */
  readonly denying: readonly string[];
  /** Why an allow or a deny is not known. */
  readonly allowReasons: readonly string[];
  readonly denyReasons: readonly string[];
}

function evaluatePolicies(policies: readonly PolicySource[], request: EvaluationRequest, context: RequestContext): PolicyResult {
  const allows: Tri[] = [];
  const denies: Tri[] = [];
  const denying: string[] = [];
  const allowReasons: string[] = [];
  const denyReasons: string[] = [];
  for (const policy of policies) {
    if (!Array.isArray(policy.statements)) {
      allows.push(undefined);
      denies.push(undefined);
      const reason = `'${policy.name}' is not known until deployment`;
      allowReasons.push(reason);
      denyReasons.push(reason);
      continue;
    }
    policy.statements.forEach((statement, index) => {
      const result = evaluateStatement(statement, index, policy.name, request, context);
      const value = result.match.value;
      const reason = value === undefined ? `${result.label} ${result.match.why}` : undefined;
      if (result.effect !== 'Deny') {
        allows.push(result.effect === 'Allow' ? value : value === false ? false : undefined);
        if (reason) {
          allowReasons.push(reason);
        }
      }
      if (result.effect !== 'Allow') {
        denies.push(result.effect === 'Deny' ? value : value === false ? false : undefined);
        if (reason) {
          denyReasons.push(reason);
        }
        if (result.effect === 'Deny' && value === true) {
          denying.push(result.label);
        }
      }
    });
  }
  return { allow: or(allows), deny: or(denies), denying, allowReasons, denyReasons };
}

/**
 * Whether IAM allows the request of a principal with these identity policies and this permissions boundary: some
 * identity policy allows it, no policy denies it, and the boundary (when there is one) allows it too.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
 */
export function evaluate(request: EvaluationRequest, input: EvaluationInput): Verdict {
  const context = new RequestContext(request);
  const what = `${request.action} on '${display(request.resource)}'`;
  const identity = evaluatePolicies(input.identity, request, context);
  const boundary = input.boundary ? evaluatePolicies([input.boundary], request, context) : undefined;

  // not `boundary?.deny ?? false`: an unknown deny is undefined, which ?? would read as no deny
  const deny = or([identity.deny, boundary ? boundary.deny : false]);
  const boundaryAllows = boundary ? boundary.allow : true;
  const allowed = and([identity.allow, not(deny), boundaryAllows]);

  if (allowed === true) {
    return { decision: 'allowed', reasons: [] };
  }
  if (allowed === false) {
    if (deny === true) {
      const denying = [...identity.denying, ...boundary?.denying ?? []];
      return { decision: 'denied', reasons: denying.map(label => `${label} denies ${what}`) };
    }
    const reasons: string[] = [];
    if (identity.allow === false) {
      reasons.push(input.identity.length === 0
        ? `the principal has no identity policy, so nothing allows ${what}`
        : `no statement of ${input.identity.map(p => `'${p.name}'`).join(', ')} allows ${what}`);
    }
    if (boundaryAllows === false) {
      reasons.push(`the permissions boundary '${input.boundary!.name}' does not allow ${what}`);
    }
    return { decision: 'denied', reasons };
  }
  const reasons: string[] = [];
  if (deny === undefined) {
    reasons.push(...identity.denyReasons, ...boundary?.denyReasons ?? []);
  }
  if (identity.allow === undefined) {
    reasons.push(...identity.allowReasons);
  }
  if (boundaryAllows === undefined) {
    reasons.push(...boundary!.allowReasons.map(r => `the permissions boundary: ${r}`));
  }
  return { decision: 'unknown', reasons: [...new Set(reasons)] };
}

// ---------------------------------------------------------------------------------------------------------------------
// CloudFormation values

function isIntrinsic(value: unknown): boolean {
  if (!isPlainObject(value)) {
    return false;
  }
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

/** Texts put together, with adjacent literal text merged. */
export function concat(parts: readonly Text[]): Text {
  const out: Part[] = [];
  for (const text of parts) {
    for (const part of typeof text === 'string' ? [text] : text) {
      if (typeof part === 'string' && typeof out[out.length - 1] === 'string') {
        out[out.length - 1] = (out[out.length - 1] as string) + part;
      } else if (part !== '') {
        out.push(part);
      }
    }
  }
  return out.every(p => typeof p === 'string') ? out.join('') : out;
}

/**
 * The text of a resolved CloudFormation value: strings as they are, `Fn::Join` and `Fn::Sub` put together, and any
 * other intrinsic (`Ref`, `Fn::GetAtt`, ...) as what `expand` gives for it, or else as a hole whose id is the JSON of
 * the intrinsic (so identical intrinsics are the same hole). Undefined for values that are not strings.
 */
export function cfnToText(value: unknown, expand: (intrinsic: Record<string, unknown>) => Text | undefined): Text | undefined {
  if (typeof value === 'string') {
    return value;
  }
  if (!isPlainObject(value) || !isIntrinsic(value)) {
    return undefined;
  }
  const intrinsic = (v: Record<string, unknown>): Text => expand(v) ?? [{ hole: JSON.stringify(v) }];
  if ('Fn::Join' in value) {
    const args = value['Fn::Join'];
    if (Array.isArray(args) && args.length === 2 && typeof args[0] === 'string' && Array.isArray(args[1])) {
      const parts: Text[] = [];
      for (const [i, element] of args[1].entries()) {
        const text = cfnToText(element, expand);
        if (text === undefined) {
          return undefined;
        }
        parts.push(...(i > 0 ? [args[0]] : []), text);
      }
      return concat(parts);
    }
    // a list not known until deployment
    return intrinsic(value);
  }
  if ('Fn::Sub' in value) {
    const args = value['Fn::Sub'];
    const [template, variables] = typeof args === 'string' ? [args, {}] : Array.isArray(args) ? args : [undefined, undefined];
    if (typeof template !== 'string' || !isPlainObject(variables)) {
      return intrinsic(value);
    }
    const parts: Text[] = [];
    let last = 0;
    for (const match of template.matchAll(/\$\{([^}]*)\}/g)) {
      parts.push(template.slice(last, match.index));
      last = match.index! + match[0].length;
      const name = match[1];
      if (name.startsWith('!')) {
        parts.push(`\${${name.slice(1)}}`);
        continue;
      }
      const text = name in variables
        ? cfnToText(variables[name], expand)
        : intrinsic(name.includes('.') ? { 'Fn::GetAtt': [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)] } : { Ref: name });
      if (text === undefined) {
        return undefined;
      }
      parts.push(text);
    }
    parts.push(template.slice(last));
    return concat(parts);
  }
  return intrinsic(value);
}
