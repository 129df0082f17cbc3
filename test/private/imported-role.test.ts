import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { isImportedRole } from '../../src/private/imported-role';

describe('isImportedRole', () => {
  const stack = new Stack(new App(), 'Stack');
  const assumedBy = new iam.ServicePrincipal('ec2.amazonaws.com');

  test.each([
    ['iam.Role.fromRoleName', iam.Role.fromRoleName(stack, 'ByName', 'TeamRole'), true],
    ['iam.Role.fromRoleArn', iam.Role.fromRoleArn(stack, 'ByArn', 'arn:aws:iam::111122223333:role/TeamRole'), true],
    ['an immutable import', iam.Role.fromRoleName(stack, 'Immutable', 'TeamRole', { mutable: false }), true],
    ['an iam.Role of the app', new iam.Role(stack, 'Role', { assumedBy }), false],
    ['an iam.LazyRole of the app', new iam.LazyRole(stack, 'Lazy', { assumedBy }), false],
  ])('%s: %s', (_, role, imported) => {
    expect(isImportedRole(role)).toBe(imported);
  });
});
