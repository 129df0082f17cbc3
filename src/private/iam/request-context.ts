// the request: what its context carries, and policy strings read against it (wildcards, escapes, policy variables)

import { display, Hole, isHole, isPartList, QUESTION, STAR, Text, textTokens, Token } from './text';

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

// the request context and policy variables

export type ContextValue =
  | { readonly kind: 'present'; readonly single?: Text; readonly multi?: readonly Text[] }
  | { readonly kind: 'absent' }
  | { readonly kind: 'unknown' };

export class RequestContext {
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
export interface ParsedPattern {
  readonly tokens: readonly Token[];
  /** Some policy variable has no value and no default: IAM treats the value as null, which nothing equals. */
  readonly isNull: boolean;
  /** Some policy variable without default reads a key not known at synthesis, or multivalued, or empty: it may be null. */
  readonly mayBeNull: boolean;
  /** Why a variable is not known, when one is not. */
  readonly note?: string;
}

export interface PatternOptions {
  /** '*' and '?' are wildcards (StringLike, ArnLike, Resource) rather than literal characters. */
  readonly wildcards: boolean;
  /** In a Resource, policy variables may only appear after the fifth ':'. */
  readonly resource?: boolean;
}

export const VARIABLE = /^([^\s,'{}$]+)(?:, '([^']+)')?$/;

/**
 * Reads a policy string: wildcards, the escapes ${*}, ${?} and ${$}, and policy variables with their value from the
 * request context. Returns a string (why) when the text cannot be read.
 */
export function parsePattern(text: Text, context: RequestContext, options: PatternOptions): ParsedPattern | string {
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
