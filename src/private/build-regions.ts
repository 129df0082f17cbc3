import { Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { IConstruct } from 'constructs';
import { constructOf } from './role-permissions';

/**
 * Stands for the region in an ARN that the instances read in whichever region they build: a parameter, a secret by
 * name, a container recipe. No IAM pattern character, so escaping leaves it as it is.
 */
export const BUILD_REGION = '\u0000build-region\u0000';

/**
 * The ARNs of `entries` (ARNs holding BUILD_REGION) in every region where the profile builds, known at synthesis:
 * its own stack's, and that of each stack whose infrastructure configurations use the profile (a pipeline in
 * another region reads the parameters of that region). A list token, for the `Resource` of a statement.
 */
export function inBuildRegions(profile: IConstruct, entries: readonly string[]): string[] {
  // uncached: the infrastructure configurations of the app may come after a first resolution
  return Lazy.uncachedList({ produce: () => buildRegions(profile).flatMap(region => entries.map(entry => entry.split(BUILD_REGION).join(region))) });
}

/**
 * The regions where the instances of a profile build: its stack's, then the literal regions of the stacks whose
 * infrastructure configurations name it (a stack of unknown region that refers to the profile deploys with it).
 */
export function buildRegions(profile: IConstruct): string[] {
  const regions = [Stack.of(profile).region];
  for (const construct of profile.node.root.node.findAll()) {
    if (!(construct instanceof imagebuilder.CfnInfrastructureConfiguration)) {
      continue;
    }
    const region = Stack.of(construct).region;
    const target = constructOf(construct.instanceProfileName);
    if (target?.node.scopes.includes(profile) && !Token.isUnresolved(region) && !regions.includes(region)) {
      regions.push(region);
    }
  }
  return regions;
}

// IAM's limit for a customer managed policy, in characters without whitespace
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length
const MANAGED_POLICY_LIMIT = 6_144;

/**
 * Warnings for the profile's own policies that may exceed IAM's size limit once their statements are expanded to
 * several build regions: the policies are filled as grants come, when only one region is counted.
 */
export function regionalSizeWarnings(profile: IConstruct, policies: readonly iam.ManagedPolicy[]): string[] {
  const regions = buildRegions(profile);
  if (regions.length < 2) {
    return [];
  }
  const warnings: string[] = [];
  for (const policy of policies) {
    // a resolved intrinsic is longer than the text it stands for, so this is an upper bound
    const size = JSON.stringify(Stack.of(policy).resolve(policy.document)).length;
    if (size > MANAGED_POLICY_LIMIT) {
      warnings.push(`The policy '${policy.node.path}' grants parameters, secrets or container recipes in ${regions.length} regions `
        + `(${regions.join(', ')}), where pipelines use the profile, and may exceed IAM's limit of ${thousands(MANAGED_POLICY_LIMIT)} characters `
        + `per managed policy, reaching up to ${thousands(size)}: split the grants over several profiles, one for each region.`);
    }
  }
  return warnings;
}

/** A count as English writes it: 6144 -> '6,144'. */
function thousands(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+$)/g, ',');
}

type Conditions = Record<string, Record<string, unknown>>;

/** Conditions whose values that hold BUILD_REGION become the lists of those values in every region where the profile builds. */
export function inBuildRegionConditions(profile: IConstruct, conditions: Conditions): Conditions {
  const expand = (value: unknown) => (typeof value === 'string' && value.includes(BUILD_REGION) ? inBuildRegions(profile, [value]) : value);
  return Object.fromEntries(Object.entries(conditions).map(([operator, block]) =>
    [operator, Object.fromEntries(Object.entries(block).map(([key, value]) => [key, expand(value)]))]));
}
