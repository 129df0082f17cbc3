/*
 * The decision on a whole request, as AWS makes it: the caller's identity policies and permissions boundary
 * (policies.ts) together with the resource policy of what it asks for, in its account or
 * across accounts.
 *
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
 */
import { and, not, or, Tri } from './logic';
import { boundaryReason, evaluate, EvaluationInput, PolicySource, Verdict } from './policies';
import { Caller, principalOf, PrincipalMatch, sameText } from './principals';
import { EvaluationRequest } from './request-context';
import { display, isPlainObject, Text } from './text';

/** The resource policy of the resource a request names, and the account that owns the resource. */
export interface ResourcePolicyInput {
  /**
   * 's3' and 'secretsmanager': an Allow of the identity or of the resource policy suffices within one account;
   * 'kms': the key policy must always allow, itself or by letting the IAM policies of its account allow.
   */
  readonly service: 's3' | 'kms' | 'secretsmanager';
  /** What the resource is, for messages: "the bucket 'Stack/Bucket'". */
  readonly label: string;
  /**
   * The resource policy; none when the resource has none, a source without statements when the app does not hold it.
   */
  readonly policy?: PolicySource;
  /** The account that owns the resource; undefined when it is not known. */
  readonly owner?: Text;
}

export interface DecisionInput extends EvaluationInput {
  readonly caller: Caller;
  /** The resource's policy; undefined to decide with the identity policies and boundary alone. */
  readonly resource?: ResourcePolicyInput;
}

/** Whether some statement of one kind allows (or, for denies, denies) the request, and why not known. */
interface Part {
  readonly value: Tri;
  readonly reasons: readonly string[];
  /** For denies: the statements that deny. */
  readonly labels: readonly string[];
}

// a statement that never matches, which keeps the numbering of the other statements in the messages
const NEVER = { Effect: 'Allow', NotAction: '*', Resource: '*' };

/**
 * Whether AWS allows the request: no explicit Deny in any policy, and an Allow where AWS requires one.
 *
 * Within one account an Allow of the identity policies (within the boundary) or of the bucket or secret policy
 * suffices; a resource policy statement naming the role ARN is still limited by the boundary. Across accounts both
 * the identity and the resource policy must allow. A key policy must always allow: naming the role, or the account,
 * which lets the identity policies of the account allow. Where the documentation leaves a case open (a grant to '*'
 * or to the account within one account, when the identity policies or the boundary do not allow too) the answer
 * is unknown.
 */
export function decide(request: EvaluationRequest, input: DecisionInput): Verdict {
  const plain = evaluate(request, { identity: input.identity, boundary: input.boundary });
  if (!input.resource) {
    return plain;
  }
  const resource = input.resource;
  const what = `${request.action} on '${display(request.resource)}'`;
  const identityAllow = allowsOf(input.identity, request);
  const boundaryAllow = input.boundary ? allowsOf([input.boundary], request) : { value: true, reasons: [], labels: [] };
  const boundaryDeny = input.boundary ? deniesOf([input.boundary], request) : { value: false, reasons: [], labels: [] };
  const ownDeny = deniesOf(input.identity, request);
  const identityDeny: Part = {
    value: or([ownDeny.value, boundaryDeny.value]),
    reasons: [...ownDeny.reasons, ...boundaryDeny.reasons.map(r => boundaryReason(input.boundary!, r))],
    labels: [],
  };
  const grants = resourceGrants(resource, request, input.caller);

  const deny = or([identityDeny.value, grants.deny.value]);
  const same = resource.owner === undefined ? undefined : sameText(resource.owner, input.caller.account);
  const allowIn = (sameAccount: boolean) => allowOf(resource.service, sameAccount, identityAllow.value, boundaryAllow.value, grants);
  const sameAllow = same === false ? false : allowIn(true);
  const crossAllow = same === true ? false : allowIn(false);
  // an owner not known: decided only when both readings agree
  const allow = same === true ? sameAllow : same === false ? crossAllow : sameAllow === crossAllow ? sameAllow : undefined;
  const allowed = and([allow, not(deny)]);

  if (allowed === true) {
    return { decision: 'allowed', reasons: [] };
  }
  if (allowed === false) {
    if (deny === true) {
      const identityReasons = plain.decision === 'denied' && identityDeny.value === true ? plain.reasons : [];
      return { decision: 'denied', reasons: [...identityReasons, ...grants.deny.labels.map(l => `${l} denies ${what}`)] };
    }
    return { decision: 'denied', reasons: whyNotAllowed(resource, same, what, plain, identityAllow, boundaryAllow, grants) };
  }
  const reasons: string[] = [];
  if (deny === undefined) {
    reasons.push(...identityDeny.reasons, ...grants.deny.reasons);
  }
  const unheld = resource.policy !== undefined && resource.policy.statements === undefined;
  if (same === undefined && sameAllow !== crossAllow) {
    const whose = resource.owner === undefined ? `the account that owns ${resource.label} is not known`
      : `whether ${resource.label} belongs to the role's account is not known until deployment (it belongs to ${display(resource.owner)})`;
    reasons.push(`${whose}: from another account, its policy must allow ${what} too${unheld ? ', and the app does not hold it' : ''}`);
  } else if (unheld) {
    reasons.push(same === false
      ? `${resource.label} belongs to another account (${display(resource.owner!)}), whose policy the app does not hold and must allow ${what} too`
      : `${resource.label} has a policy that the app does not hold ('${resource.policy!.name}'), which may allow or deny ${what}`);
  }
  reasons.push(...identityAllow.reasons, ...boundaryAllow.reasons.map(r => boundaryReason(input.boundary!, r)), ...grants.reasons);
  if (grants.unclear) {
    reasons.push(grants.unclear);
  }
  return { decision: 'unknown', reasons: [...new Set(reasons)] };
}

interface Grants {
  /** Allow statements of the resource policy by how their Principal names the caller. */
  readonly role: Tri;
  readonly account: Tri;
  readonly any: Tri;
  readonly deny: Part;
  readonly reasons: readonly string[];
  /** Why a grant cannot decide alone, where the documentation leaves the case open. */
  unclear?: string;
}

function resourceGrants(resource: ResourcePolicyInput, request: EvaluationRequest, caller: Caller): Grants {
  const policy = resource.policy;
  if (!policy) {
    return { role: false, account: false, any: false, deny: { value: false, reasons: [], labels: [] }, reasons: [] };
  }
  if (!Array.isArray(policy.statements)) {
    // decide() says why
    return { role: undefined, account: undefined, any: undefined, deny: { value: undefined, reasons: [], labels: [] }, reasons: [] };
  }
  const allows: Record<'role' | 'account' | 'any', Tri[]> = { role: [false], account: [false], any: [false] };
  const denies: Tri[] = [false];
  const reasons: string[] = [];
  const denyReasons: string[] = [];
  const labels: string[] = [];
  policy.statements.forEach((statement, index) => {
    const principal = isPlainObject(statement) ? principalOf(statement, caller) : { match: 'unknown' as PrincipalMatch, why: 'is not known until deployment' };
    if (principal.match === 'none') {
      return;
    }
    const effect = isPlainObject(statement) ? statement.Effect : undefined;
    const { Principal: _p, NotPrincipal: _n, ...rest } = isPlainObject(statement) ? statement : { Effect: undefined };
    // the statement alone, as an Allow, at its place: whether it matches the request
    const probe = { ...rest, Effect: 'Allow' };
    const statements = policy.statements!.map((s, i) => i === index ? (effect === 'Allow' || effect === 'Deny' ? probe : s) : NEVER);
    const verdict = evaluate(request, { identity: [{ name: policy.name, statements }] });
    const matches: Tri = verdict.decision === 'allowed' ? true : verdict.decision === 'denied' ? false : undefined;
    const label = `statement ${isPlainObject(statement) && typeof statement.Sid === 'string' && statement.Sid !== '' ? `'${statement.Sid}'` : index + 1} of '${policy.name}'`;
    const applies = principal.match === 'unknown' ? and([matches, undefined]) : matches;
    const why = matches === undefined ? verdict.reasons : applies === undefined ? [`${label} ${principal.why}`] : [];
    if (effect !== 'Allow') {
      denies.push(effect === 'Deny' ? applies : applies === false ? false : undefined);
      denyReasons.push(...why);
      if (effect === 'Deny' && applies === true) {
        labels.push(label);
      }
    }
    if (effect !== 'Deny') {
      const value = effect === 'Allow' ? applies : applies === false ? false : undefined;
      if (principal.match === 'unknown') {
        // it may name the role or not: its Allow may count as any kind
        allows.role.push(value === false ? false : undefined);
      } else {
        allows[principal.match].push(value);
      }
      reasons.push(...why);
    }
  });
  return {
    role: or(allows.role),
    account: or(allows.account),
    any: or(allows.any),
    deny: { value: or(denies), reasons: denyReasons, labels },
    reasons,
  };
}

function allowOf(service: ResourcePolicyInput['service'], sameAccount: boolean, identity: Tri, boundary: Tri, grants: Grants): Tri {
  const identityAllows = and([identity, boundary]);
  if (!sameAccount) {
    // both sides must allow: the resource policy names the caller's account, its role, or everyone
    return and([identityAllows, or([grants.role, grants.account, grants.any])]);
  }
  // an Allow naming the role ARN is limited by the boundary; for '*' and the account the documentation is not explicit
  const byRole = and([grants.role, boundary]);
  // a grant that AWS does not describe as enough alone: unknown, unless it is not there
  const unclear = (grant: Tri, why: string): Tri => {
    if (grant === true) {
      grants.unclear ??= why;
    }
    return grant === false ? false : undefined;
  };
  const anyone = grants.any === true && boundary === true ? true
    : unclear(grants.any, `AWS does not describe a ${service === 'kms' ? 'key' : 'resource'} policy Allow to '*' for a principal whose permissions `
      + 'boundary does not allow the request');
  if (service === 'kms') {
    // the key policy must allow: the role directly, or the account, which lets IAM policies allow
    return or([byRole, and([grants.account, identityAllows]), anyone]);
  }
  return or([
    identityAllows,
    byRole,
    anyone,
    identityAllows === true ? true : unclear(grants.account, 'within one account, AWS does not describe a resource policy Allow to the account as a grant to its roles'),
  ]);
}

function whyNotAllowed(resource: ResourcePolicyInput, same: Tri, what: string, plain: Verdict, identity: Part, boundary: Part,
  grants: Grants): string[] {
  const reasons: string[] = [];
  const identityReasons = plain.decision === 'denied' ? plain.reasons : [];
  if (resource.service === 'kms') {
    if (grants.role === false && grants.any === false && grants.account === false) {
      reasons.push(`the key policy of ${resource.label} neither allows the role ${what} nor lets IAM policies of the account allow it`);
    }
    if (grants.account !== false && (identity.value === false || boundary.value === false)) {
      reasons.push(...identityReasons);
    }
    return reasons.length > 0 ? reasons : [...identityReasons];
  }
  reasons.push(...identityReasons);
  if (same === false && grants.role === false && grants.any === false && grants.account === false) {
    reasons.push(`${resource.label} belongs to another account, and its policy does not allow ${what}`);
  }
  return reasons;
}

function allowsOf(policies: readonly PolicySource[], request: EvaluationRequest): Part {
  return part(policies.map(p => only(p, 'Allow')), request);
}

function deniesOf(policies: readonly PolicySource[], request: EvaluationRequest): Part {
  return part(policies.map(p => only(p, 'Deny')), request);
}

/** The policy with only the statements of one effect, as Allows; others never match. */
function only(policy: PolicySource, effect: 'Allow' | 'Deny'): PolicySource {
  if (!Array.isArray(policy.statements)) {
    return policy;
  }
  return {
    name: policy.name,
    statements: policy.statements.map(s => !isPlainObject(s) || (s.Effect !== 'Allow' && s.Effect !== 'Deny') ? s : s.Effect === effect ? { ...s, Effect: 'Allow' } : NEVER),
  };
}

function part(policies: readonly PolicySource[], request: EvaluationRequest): Part {
  const verdict = evaluate(request, { identity: policies });
  const value = verdict.decision === 'allowed' ? true : verdict.decision === 'denied' ? false : undefined;
  return { value, reasons: value === undefined ? verdict.reasons : [], labels: [] };
}
