import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BUILD_REGION } from '../../../src/private/build-regions';
import { KmsGrants } from '../../../src/private/grants/kms';
import { ProfileGrants } from '../../../src/private/grants/profile-grants';
import { NagAcknowledgements } from '../../../src/private/nag';
import { OwnPolicies } from '../../../src/private/own-policies';

/** A ProfileGrants that records what is granted and warned, in a stack of us-east-1. */
export function fakeProfileGrants() {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111122223333', region: 'us-east-1' } });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const policies = new OwnPolicies(stack, role);
  const granted: Array<{ prop: string; actions: string[]; resource: string; conditions?: Record<string, any> }> = [];
  const warnings: string[] = [];
  const grants: ProfileGrants = {
    scope: stack,
    nag: new NagAcknowledgements(stack, role),
    kms: new KmsGrants(stack, policies),
    grant: (prop, actions, resource, conditions) => {
      granted.push({ prop, actions, resource, conditions });
      return policies.allow(actions, resource.split(BUILD_REGION).join('us-east-1'), conditions);
    },
    assertMutableRole: () => {},
    arnScope: () => ({ partition: 'aws', region: BUILD_REGION, account: '111122223333' }),
    warn: (_id, message) => warnings.push(message),
  };
  return { stack, policies, granted, warnings, grants };
}
