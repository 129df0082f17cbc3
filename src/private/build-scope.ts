import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Text } from './iam/text';
import { PARTITION, Principal } from './role-permissions';
import { ArnScope } from './ssm-references';

/**
 * The partition, region and account where an image or pipeline builds, for the ARNs that its instances ask for
 * (parameters, secrets, repositories of that region): those of its stack. A stack of unknown region or account
 * references the profile's stack, so deploys with it (exports do not cross environments): the role's.
 */
export function buildScope(image: IConstruct, principal: Principal): ArnScope<Text> {
  const stack = Stack.of(image);
  return {
    partition: PARTITION,
    region: Token.isUnresolved(stack.region) ? principal.region : stack.region,
    account: Token.isUnresolved(stack.account) ? principal.account : stack.account,
  };
}
