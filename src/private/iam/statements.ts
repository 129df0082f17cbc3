// one statement against a request: Effect, Action / NotAction, Resource / NotResource and Condition

import { resourceMatch } from './arns';
import { evaluateConditions } from './conditions';
import { andOutcomes, FALSE, not, notOutcome, or, orOutcomes, Outcome, TRUE, Tri, unknown } from './logic';
import { globMatch, IGNORE_CASE } from './patterns';
import { EvaluationRequest, parsePattern, RequestContext } from './request-context';
import { display, isChar, isIntrinsic, isPlainObject, literalOf, QUESTION, STAR, Text, textList, textTokens } from './text';

export interface StatementResult {
  readonly effect: 'Allow' | 'Deny' | undefined;
  readonly match: Outcome;
  readonly label: string;
}

export function actionMatch(pattern: Text, action: string): Tri {
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

export function evaluateStatement(statement: unknown, index: number, policy: string, request: EvaluationRequest,
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
export function pick(statement: Record<string, unknown>, positive: string, negative: string): { values: Text[]; negated: boolean } | string {
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

export function evaluateActions(actions: { values: Text[]; negated: boolean }, action: string): Outcome {
  const any = or(actions.values.map(a => actionMatch(a, action)));
  const value = actions.negated ? not(any) : any;
  return value === undefined
    ? unknown(`has an ${actions.negated ? 'NotAction' : 'Action'} element that may or may not match ${action}`)
    : { value };
}

export function evaluateResources(resources: { values: Text[]; negated: boolean }, resource: Text, context: RequestContext): Outcome {
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
