// texts with holes (values not known at synthesis), and policy strings read as tokens

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

// texts and patterns as tokens

/**
 * c: a literal character (UTF-16 code unit); *: any run of characters; ?: one character; h: a hole; a: a '*' or '?'
 * that a policy variable brought in, which IAM may read literally or as a wildcard.
 */
export type Token =
  | { readonly t: 'c'; readonly c: string; readonly variable?: boolean }
  | { readonly t: '*' }
  | { readonly t: '?' }
  | { readonly t: 'h'; readonly h: Hole; readonly variable?: boolean }
  | { readonly t: 'a'; readonly c: string; readonly variable?: boolean };

export const STAR: Token = { t: '*' };
export const QUESTION: Token = { t: '?' };

export function isHole(value: unknown): value is Hole {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as any).hole === 'string';
}

export function isPartList(value: unknown): value is readonly Part[] {
  return Array.isArray(value) && value.every(p => typeof p === 'string' || isHole(p));
}

export function textTokens(text: Text): Token[] {
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

export function literalOf(text: Text): string | undefined {
  if (typeof text === 'string') {
    return text;
  }
  return text.every(p => typeof p === 'string') ? text.join('') : undefined;
}

/**
 * The values of an IAM element that takes a string or a list of strings, or undefined when it is not of that form.
 * Numbers and booleans (condition values) are read as their JSON text.
 */
export function textList(value: unknown): Text[] | undefined {
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

export const isChar = (t: Token | undefined, c: string) => t !== undefined && t.t === 'c' && t.c === c;

export const isWildcard = (t: Token) => t.t === '*' || t.t === '?' || t.t === 'a';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isHole(value);
}

export function isIntrinsic(value: unknown): boolean {
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
