import { Annotations, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { buildScope } from './build-scope';
import { pathOf } from './component-source';
import { needRequests } from './grants/aws-managed-component-statements';
import { awsManagedComponentName, awsManagedComponentNeeds } from './grants/aws-managed-components';
import { Verdict } from './iam/policies';
import { display, Hole, Text } from './iam/text';
import { inEveryLanguage } from './method-names';
import { flattenCfnReference } from './nag';
import { RolePermissions } from './role-permissions';

const WARNING = 'cdk-imagebuilder-instance-profile:componentAccessCheck';
// the id of the build instance: known only when Image Builder launches it
const BUILD_INSTANCE: Hole = { hole: 'the build instance\'s id' };

/** What the check of one AWS-managed component of a pipeline knows. */
export interface AwsManagedComponentCheck {
  /** the image or pipeline, which the findings go on */
  readonly image: IConstruct;
  /** how messages name it: "image pipeline 'Stack/Pipeline'" */
  readonly label: string;
  readonly profile: IConstruct;
  readonly role: iam.IRole;
  readonly recipe: IConstruct;
  readonly permissions: RolePermissions;
}

/**
 * Evaluates each call that an AWS-managed component of a recipe makes, as the build instance of the pipeline makes
 * it (the role's account and region, its own instance ARN), against the role's policies: an error when some call
 * is denied for certain, a warning when synthesis cannot decide, nothing when every call is allowed.
 *
 * @param arn the component's ARN as cdk-nag flattens it
 */
export function checkAwsManagedComponent(arn: string, check: AwsManagedComponentCheck): void {
  const warn = (message: string) => Annotations.of(check.image).addWarningV2(WARNING, `${check.label}: ${message}`);
  const name = awsManagedComponentName(arn);
  const row = name === undefined ? undefined : awsManagedComponentNeeds(name);
  if (row === 'none') {
    return;
  }
  if (row === undefined) {
    warn(`its AWS-managed component '${arn}' is not one that this library knows, so what it needs is not checked.`);
    return;
  }
  const principal = check.permissions.principal;
  const base: Record<string, Text> = {
    'aws:PrincipalAccount': principal.account,
    'aws:PrincipalArn': principal.roleArn,
    'aws:PrincipalType': 'AssumedRole',
    'aws:SecureTransport': 'true',
  };
  const denied: string[] = [];
  const unknown: string[] = [];
  const reasons: string[] = [];
  // the build instance calls in the region and account where the pipeline builds, not the role's
  const scope = buildScope(check.image, principal);
  for (const request of needRequests(row, scope, BUILD_INSTANCE)) {
    const context = { ...base, ...request.context };
    const verdict: Verdict = check.permissions.evaluate({ action: request.action, resource: request.resource, context });
    const call = `${request.action} on '${display(request.resource)}'`;
    if (verdict.decision === 'denied') {
      denied.push(call);
    } else if (verdict.decision === 'unknown') {
      unknown.push(call);
      reasons.push(...verdict.reasons);
    }
  }
  for (const policyName of row.managedPolicies ?? []) {
    const attached = managedPolicyAttached(check.role, policyName);
    if (attached === false) {
      denied.push(`the AWS managed policy ${policyName}`);
    } else if (attached === undefined) {
      unknown.push(`the AWS managed policy ${policyName}`);
      reasons.push(`the role '${check.role.node.path}' is imported, so the managed policies attached to it are not known`);
    }
  }
  const profile = check.profile.node.path;
  const fix = `call the profile's ${inEveryLanguage('addAwsManagedComponent')} with '${name}', or its ${inEveryLanguage('addRecipe')} `
    + `with the recipe '${pathOf(check.recipe)}'`;
  if (denied.length > 0) {
    Annotations.of(check.image).addError(`${check.label}: its AWS-managed component '${name}' needs ${denied.join(', ')}, but the instance `
      + `profile '${profile}' does not allow ${denied.length === 1 ? 'it' : 'them'}: ${fix}.`);
  } else if (unknown.length > 0) {
    const why = reasons.length > 0 ? ` Why: ${[...new Set(reasons)].join('; ')}.` : '';
    warn(`its AWS-managed component '${name}' needs ${unknown.join(', ')}; whether the instance profile '${profile}' allows `
      + `${unknown.length === 1 ? 'it' : 'them'} cannot be decided at synthesis.${why}`);
  }
}

/** Whether the role holds an AWS managed policy: undefined for a role whose policies the app does not know. */
function managedPolicyAttached(role: iam.IRole, policyName: string): boolean | undefined {
  const cfnRole = role.node.defaultChild;
  if (!(cfnRole instanceof iam.CfnRole)) {
    return undefined;
  }
  // as synthesis writes it: an override (an aspect of the organization, say) may have replaced the list
  const stack = Stack.of(cfnRole);
  const template: any = stack.resolve((cfnRole as any)._toCloudFormation());
  const arns: unknown = template?.Resources?.[stack.resolve(cfnRole.logicalId)]?.Properties?.ManagedPolicyArns;
  return (Array.isArray(arns) ? arns : []).some(arn => new RegExp(`:iam::aws:policy/(?:service-role/)?${policyName}$`).test(flattenCfnReference(arn)));
}
