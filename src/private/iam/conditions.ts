// the Condition element: every operator, set operators and IfExists, against the request context

import { arnConditionMatch } from './arns';
import { andOutcomes, FALSE, notOutcome, orOutcomes, Outcome, TRUE, Tri, unknown } from './logic';
import { CASE_SENSITIVE, globMatch, IGNORE_CASE } from './patterns';
import { parsePattern, RequestContext } from './request-context';
import { isPlainObject, literalOf, Text, textList, textTokens } from './text';

export type Family = 'string' | 'stringIgnoreCase' | 'stringLike' | 'arn' | 'numeric' | 'date' | 'bool' | 'ip' | 'null';

export interface Operator {
  readonly family: Family;
  readonly negated: boolean;
  /** For numeric and date operators: how the request value (left) compares to the policy value (right). */
  readonly compare?: (request: number, policy: number) => boolean;
}

export const OPERATORS: Record<string, Operator> = {
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

export function evaluateConditions(condition: unknown, context: RequestContext): Outcome {
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

export function evaluateOperator(name: string, block: unknown, context: RequestContext): Outcome {
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

export function evaluateKey(name: string, operator: Operator, set: 'ForAnyValue' | 'ForAllValues' | undefined, ifExists: boolean,
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
export function evaluateValue(name: string, operator: Operator, key: string, policyValues: readonly Text[], requestValue: Text,
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

export function matchValue(name: string, operator: Operator, key: string, policyValue: Text, requestValue: Text,
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
export function compareScalar(operator: Operator, policy: string, request: string): Tri {
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

export function parseNumber(text: string): number | undefined {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : undefined;
}

/** Milliseconds since the epoch, from an ISO 8601 date-time (W3C profile) or epoch seconds. */
export function parseDate(text: string): number | undefined {
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

export function ipInRange(address: string, range: string): Tri {
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

export function parseIp(text: string): { value: bigint; width: number } | undefined {
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
