import { display, isHole, Text } from './text';

/** The caller of a request: a session of a role of the app. */
export interface Caller {
  readonly account: Text;
  readonly roleArn: Text;
}

/**
 * How a resource policy statement's Principal names the caller: its role ARN ('role'), its account ('account': the
 * root ARN or the account id), everyone ('any'), not at all ('none'), or 'unknown' when synthesis cannot tell
 * (a role session ARN, NotPrincipal, a value known only at deployment).
 */
export type PrincipalMatch = 'role' | 'account' | 'any' | 'none' | 'unknown';

/** The match of a statement: the strongest of its principals, unknown when any may or may not match. */
export interface StatementPrincipal {
  readonly match: PrincipalMatch;
  readonly why?: string;
}

/**
 * Whether a resource policy statement's Principal names the caller.
 *
 * Service principals, federated principals and canonical users never name a role session.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
export function principalOf(statement: Record<string, unknown>, caller: Caller): StatementPrincipal {
  if (statement.NotPrincipal !== undefined) {
    return { match: 'unknown', why: 'has a NotPrincipal element, which this check does not evaluate' };
  }
  const principal = statement.Principal;
  if (principal === undefined) {
    return { match: 'unknown', why: 'has no Principal, which a resource policy statement needs' };
  }
  if (principal === '*') {
    return { match: 'any' };
  }
  if (typeof principal !== 'object' || principal === null || Array.isArray(principal) || isHole(principal)) {
    return { match: 'unknown', why: 'has a Principal that is not known until deployment' };
  }
  const aws = (principal as Record<string, unknown>).AWS;
  if (aws === undefined) {
    return { match: 'none' };
  }
  const values = textValues(aws);
  if (values === undefined) {
    return { match: 'unknown', why: 'has an AWS principal that is not known until deployment' };
  }
  const matches = values.map(value => matchOne(value, caller));
  for (const strongest of ['role', 'any', 'account'] as const) {
    if (matches.includes(strongest)) {
      return { match: strongest };
    }
  }
  if (matches.includes('unknown')) {
    const value = values[matches.indexOf('unknown')];
    return { match: 'unknown', why: `names the principal '${display(value)}', which may or may not be the role's session` };
  }
  return { match: 'none' };
}

function matchOne(value: Text, caller: Caller): PrincipalMatch {
  if (value === '*') {
    return 'any';
  }
  const literal = literalOf(value);
  const account = accountOfRoot(value) ?? (literal === undefined || /^\d{12}$/.test(literal) ? value : undefined);
  if (account !== undefined) {
    const same = sameText(account, caller.account);
    if (same !== undefined) {
      return same ? 'account' : 'none';
    }
    if (literal === undefined && sameText(value, caller.roleArn) === true) {
      return 'role';
    }
    return 'unknown';
  }
  if (sameText(value, caller.roleArn) === true) {
    return 'role';
  }
  // a literal ARN: a user, group or service-linked identity never is the role's session; a role or a session may be
  const arn = /^arn:[^:]+:(iam|sts)::(\d{12}):([^/]+)\//.exec(literal!);
  if (!arn || !['role', 'assumed-role'].includes(arn[3])) {
    return 'none';
  }
  if (sameText(arn[2], caller.account) === false) {
    return 'none';
  }
  const roleArn = literalOf(caller.roleArn);
  if (roleArn !== undefined && arn[3] === 'role') {
    return 'none';
  }
  return arn[3] === 'assumed-role' && roleArn !== undefined && !sessionMayBeOf(literal!, roleArn) ? 'none' : 'unknown';
}

/** The account of 'arn:<partition>:iam::<account>:root', as a Text. */
function accountOfRoot(value: Text): Text | undefined {
  const parts = typeof value === 'string' ? [value] : value;
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (typeof first !== 'string' || typeof last !== 'string' || !last.endsWith(':root')) {
    return undefined;
  }
  const head = /^arn:[^:]+:iam::/.exec(first);
  if (!head) {
    return undefined;
  }
  if (parts.length === 1) {
    const literal = first.slice(head[0].length, first.length - ':root'.length);
    return literal.includes(':') ? undefined : literal;
  }
  const middle: (string | object)[] = [first.slice(head[0].length), ...parts.slice(1, -1), last.slice(0, last.length - ':root'.length)];
  const text = middle.filter(p => p !== '');
  return text.every(p => typeof p === 'string') ? text.join('') : text as any;
}

function sessionMayBeOf(sessionArn: string, roleArn: string): boolean {
  const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(sessionArn);
  const role = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  return !!session && !!role && session[2] === role[2] && session[3] === role[3];
}

/** Two texts: true when they are the same parts, false when both are literal and differ, else undefined. */
export function sameText(a: Text, b: Text): boolean | undefined {
  const la = literalOf(a);
  const lb = literalOf(b);
  if (la !== undefined && lb !== undefined) {
    return la === lb;
  }
  const pa = typeof a === 'string' ? [a] : a;
  const pb = typeof b === 'string' ? [b] : b;
  if (pa.length === pb.length && pa.every((p, i) => typeof p === 'string' ? p === pb[i] : isHole(pb[i]) && (pb[i] as any).hole === p.hole)) {
    return true;
  }
  return undefined;
}

function literalOf(text: Text): string | undefined {
  if (typeof text === 'string') {
    return text;
  }
  return text.every(p => typeof p === 'string') ? text.join('') : undefined;
}

/** The texts of a principal value: a string, a Text of parts, or a list of them. */
function textValues(value: unknown): Text[] | undefined {
  if (typeof value === 'string') {
    return [value];
  }
  if (isHole(value)) {
    return [[value]];
  }
  if (!Array.isArray(value)) {
    return undefined;
  }
  if (value.some(isHole)) {
    return value.every(p => typeof p === 'string' || isHole(p)) ? [value] : undefined;
  }
  const out: Text[] = [];
  for (const element of value) {
    if (typeof element === 'string' || (Array.isArray(element) && element.every(p => typeof p === 'string' || isHole(p)))) {
      out.push(element);
    } else {
      return undefined;
    }
  }
  return out;
}
