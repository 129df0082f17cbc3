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

import { and, not, or, Tri } from './logic';
import { EvaluationRequest, RequestContext } from './request-context';
import { evaluateStatement } from './statements';
import { display } from './text';

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
  /**
   * Why the document is not known, as a sentence that names the policy.
   *
   * @default - "'<name>' is not known until deployment"
   */
  readonly unknown?: string;
}

/**
 * A reason that a permissions boundary gives, said as the boundary's: a boundary whose document is not known says so
 * in its own sentence, which names it.
 */
export function boundaryReason(boundary: PolicySource, reason: string): string {
  if (reason === unknownReason(boundary)) {
    return boundary.unknown ?? `the permissions boundary '${boundary.name}' is not known until deployment`;
  }
  return `the permissions boundary: ${reason}`;
}

function unknownReason(policy: PolicySource): string {
  return policy.unknown ?? `'${policy.name}' is not known until deployment`;
}

export interface EvaluationInput {
  readonly identity: readonly PolicySource[];
  readonly boundary?: PolicySource;
}

export interface Verdict {
  readonly decision: Decision;
  /** Short sentences naming the policy (and statement) that made the answer denied or unknown. */
  readonly reasons: readonly string[];
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
      const reason = unknownReason(policy);
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
  // a boundary's reason, for a deny and an allow alike, is said once
  const inBoundary = (reason: string) => boundaryReason(input.boundary!, reason);
  if (deny === undefined) {
    reasons.push(...identity.denyReasons, ...boundary?.denyReasons.map(inBoundary) ?? []);
  }
  if (identity.allow === undefined) {
    reasons.push(...identity.allowReasons);
  }
  if (boundaryAllows === undefined) {
    reasons.push(...boundary!.allowReasons.map(inBoundary));
  }
  return { decision: 'unknown', reasons: [...new Set(reasons)] };
}
