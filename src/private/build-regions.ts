import { Lazy, Stack, Token } from 'aws-cdk-lib';
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
  return Lazy.list({ produce: () => buildRegions(profile).flatMap(region => entries.map(entry => entry.split(BUILD_REGION).join(region))) });
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
