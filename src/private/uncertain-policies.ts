import { evaluate as evaluateIdentity, EvaluationInput, PolicySource, Verdict } from './iam/policies';
import { EvaluationRequest } from './iam/request-context';

/** A policy that may or may not be attached to the role, and why that is not known. */
export interface UncertainPolicy {
  readonly policy: PolicySource;
  /** E.g. "its Roles name {"Ref":"RoleName"}, which the app does not tell apart from this role". */
  readonly why: string;
}

/**
 * IAM's decision when some identity policies may or may not be attached to the role (their Roles name a role the
 * app cannot identify). Adding an Allow never turns an allowed request down, and adding a Deny never allows one: so
 * the request is allowed when it is with every Deny of those policies and none of their Allows, denied when it is
 * with every Allow and none of the Denies, and unknown otherwise. `evaluate` decides with a set of identity policies:
 * by default with them and the boundary alone.
 */
export function evaluateUncertain(request: EvaluationRequest, input: EvaluationInput, uncertain: readonly UncertainPolicy[],
  evaluate: (request: EvaluationRequest, input: EvaluationInput) => Verdict = evaluateIdentity): Verdict {
  if (uncertain.length === 0) {
    return evaluate(request, input);
  }
  const lower = evaluate(request, { ...input, identity: [...input.identity, ...uncertain.map(u => only(u.policy, 'Deny'))] });
  if (lower.decision === 'allowed') {
    return lower;
  }
  const upper = evaluate(request, { ...input, identity: [...input.identity, ...uncertain.map(u => only(u.policy, 'Allow'))] });
  if (upper.decision === 'denied') {
    return upper;
  }
  const which = uncertain.map(u => `'${u.policy.name}' applies to this role (${u.why})`);
  return { decision: 'unknown', reasons: [...new Set([...lower.reasons, ...upper.reasons, ...which.map(w => `it depends on whether ${w}`)])] };
}

/** A policy with its statements of one effect only; a policy whose document is not known stays as it is. */
function only(policy: PolicySource, effect: 'Allow' | 'Deny'): PolicySource {
  return policy.statements === undefined ? policy : { name: policy.name, statements: policy.statements.filter(s => s?.Effect === effect) };
}
