import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Whether a role is an import (`iam.Role.fromRoleArn`, `fromRoleName`, ...), which the app does not create, so
 * CloudFormation cannot attach managed policies to it. An `iam.LazyRole` is created by the app, though it is not an
 * `iam.Role`: its managed policies reach the role it creates.
 */
export function isImportedRole(role: iam.IRole): boolean {
  return !iam.Role.isRole(role) && !(role instanceof iam.LazyRole);
}
