import { App, Aspects, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ImageBuilderInstanceProfile } from '../../src';
import { RolePolicies } from '../../src/private/role-policies';

type Attached = iam.CfnPolicy | iam.CfnManagedPolicy | iam.CfnRolePolicy;

function newRole(stack: Stack, id: string, roleName?: string): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), roleName });
}

const STATEMENT = new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::artifacts/*'] });

/** Paths of the attached policies reported to a watcher (each a CfnPolicy or CfnManagedPolicy). */
function paths(policies: readonly Attached[]): string[] {
  return policies.map(p => p.node.path).sort();
}

function watch(role: iam.IRole): { reported: Attached[]; found: readonly Attached[] } {
  const reported: Attached[] = [];
  const found = RolePolicies.of(Stack.of(role)).watch(role, policy => reported.push(policy));
  return { reported, found };
}

describe('RolePolicies', () => {
  test('one aspect a stack, however many roles are watched, and another for another stack', () => {
    // given
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const other = new Stack(app, 'Other');
    const roles = [newRole(stack, 'A'), newRole(stack, 'B'), newRole(stack, 'C')];

    // when
    const indexes = roles.map(role => RolePolicies.of(Stack.of(role)));
    const otherIndex = RolePolicies.of(Stack.of(newRole(other, 'D')));
    roles.forEach(role => RolePolicies.of(Stack.of(role)).watch(role));

    // then
    expect(new Set(indexes).size).toBe(1);
    expect(otherIndex).not.toBe(indexes[0]);
    expect(Aspects.of(stack).all.filter(a => a instanceof RolePolicies)).toEqual([indexes[0]]);
    expect(Aspects.of(other).all.filter(a => a instanceof RolePolicies)).toEqual([otherIndex]);
  });

  test('finds, at synthesis, every policy attached through Roles: the default policy, iam.Policy, iam.ManagedPolicy and attachToRole', () => {
    // given
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const role = newRole(stack, 'Role');
    const { reported, found } = watch(role);

    // when: attached in every way, some of them after the watch started
    role.addToPrincipalPolicy(STATEMENT);
    new iam.Policy(stack, 'Inline', { roles: [role], statements: [STATEMENT] });
    new iam.ManagedPolicy(stack, 'Managed', { roles: [role], statements: [STATEMENT] });
    new iam.Policy(stack, 'Attached', { statements: [STATEMENT] }).attachToRole(role);
    new iam.ManagedPolicy(stack, 'AttachedManaged', { statements: [STATEMENT] }).attachToRole(role);
    const before = reported.length;
    app.synth();

    // then
    expect(before).toBe(0);
    const expected = ['Stack/Attached/Resource', 'Stack/AttachedManaged/Resource', 'Stack/Inline/Resource', 'Stack/Managed/Resource',
      'Stack/Role/DefaultPolicy/Resource'];
    expect(paths(reported)).toEqual(expected);
    expect(paths(found)).toEqual(expected);
  });

  test('finds an L1 CfnPolicy whose Roles name the role literally, as an imported role is named', () => {
    // given
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const role = iam.Role.fromRoleName(stack, 'Imported', 'TeamRole');
    const { reported } = watch(role);

    // when
    new iam.CfnPolicy(stack, 'L1', { policyName: 'l1', roles: ['TeamRole'], policyDocument: { Statement: [STATEMENT.toStatementJson()] } });
    new iam.CfnPolicy(stack, 'Unrelated', { policyName: 'u', roles: ['OtherRole'], policyDocument: { Statement: [STATEMENT.toStatementJson()] } });
    app.synth();

    // then
    expect(paths(reported)).toEqual(['Stack/L1']);
  });

  test('a policy of another role, a policy without roles, and a policy attached to a user are not reported', () => {
    // given
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const role = newRole(stack, 'Role');
    const other = newRole(stack, 'Other');
    const { reported } = watch(role);

    // when
    other.addToPrincipalPolicy(STATEMENT);
    new iam.ManagedPolicy(stack, 'Detached', { statements: [STATEMENT] });
    new iam.Policy(stack, 'UserPolicy', { statements: [STATEMENT], users: [new iam.User(stack, 'User')] });
    app.synth();

    // then
    expect(reported).toEqual([]);
  });

  test('each watcher of several roles in one stack hears only about its own role\'s policies, and two watchers of one role both hear', () => {
    // given
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const first = newRole(stack, 'First', 'first-role');
    const second = newRole(stack, 'Second');
    const a = watch(first);
    const b = watch(second);
    const c = watch(first);

    // when
    first.addToPrincipalPolicy(STATEMENT);
    new iam.ManagedPolicy(stack, 'Both', { roles: [first, second], statements: [STATEMENT] });
    second.addToPrincipalPolicy(STATEMENT);
    app.synth();

    // then
    expect(paths(a.reported)).toEqual(['Stack/Both/Resource', 'Stack/First/DefaultPolicy/Resource']);
    expect(paths(c.reported)).toEqual(paths(a.reported));
    expect(paths(b.reported)).toEqual(['Stack/Both/Resource', 'Stack/Second/DefaultPolicy/Resource']);
  });

  test('a role watched after a visit still finds its policies', () => {
    // given: a visit has indexed the watched roles by name before the second role is watched
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const first = newRole(stack, 'First');
    const firstWatch = watch(first);
    first.addToPrincipalPolicy(STATEMENT);
    const firstPolicy = stack.node.findChild('First').node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy;
    RolePolicies.of(Stack.of(first)).visit(firstPolicy);
    const second = newRole(stack, 'Second');
    const { reported } = watch(second);

    // when
    second.addToPrincipalPolicy(STATEMENT);
    app.synth();

    // then
    expect(paths(reported)).toEqual(['Stack/Second/DefaultPolicy/Resource']);
    expect(paths(firstWatch.reported)).toEqual(['Stack/First/DefaultPolicy/Resource']);
  });

  test('each policy is reported once, however often it is visited or the app synthesized', () => {
    // given
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const role = newRole(stack, 'Role');
    const { reported, found } = watch(role);
    role.addToPrincipalPolicy(STATEMENT);
    const policy = stack.node.findChild('Role').node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy;

    // when
    RolePolicies.of(Stack.of(role)).visit(policy);
    RolePolicies.of(Stack.of(role)).visit(policy);
    app.synth();
    app.synth({ force: true });

    // then
    expect(paths(reported)).toEqual(['Stack/Role/DefaultPolicy/Resource']);
    expect(found).toHaveLength(1);
  });

  test('constructs other than policies are ignored', () => {
    // given
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const role = newRole(stack, 'Role');
    const { reported } = watch(role);

    // when
    RolePolicies.of(Stack.of(role)).visit(role.node.defaultChild as iam.CfnRole);
    RolePolicies.of(Stack.of(role)).visit(stack);

    // then
    expect(reported).toEqual([]);
  });

  test('a policy of a nested stack is not one of the role\'s stack, so it is not reported', () => {
    // given
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const role = newRole(stack, 'Role');
    const { reported } = watch(role);
    const nested = new NestedStack(stack, 'Nested');

    // when
    new iam.Policy(nested, 'InNested', { roles: [role], statements: [STATEMENT] });
    app.synth();

    // then
    expect(reported).toEqual([]);
  });
});

describe('RolePolicies as ImageBuilderInstanceProfile uses it', () => {
  // the construct's own managed policies live in the profile's stack, the role's default policy in the role's:
  // with a role of another stack, both stacks must be watched
  test('with a role of another stack, the instance profile still depends on the construct\'s own policies', () => {
    // given
    const app = new App();
    const roles = new Stack(app, 'Roles');
    const builds = new Stack(app, 'Builds');
    const role = new iam.Role(roles, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });

    // when
    const profile = new ImageBuilderInstanceProfile(builds, 'Profile', {
      role,
      artifactLocations: [{ bucket: s3.Bucket.fromBucketName(builds, 'Artifacts', 'artifacts'), keyPrefix: 'components' }],
    });

    // then
    const template = Template.fromStack(builds);
    const own = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(own).toEqual([builds.getLogicalId(profile.node.findChild('Policy').node.defaultChild as iam.CfnManagedPolicy)]);
    const instanceProfile = Object.values(template.findResources('AWS::IAM::InstanceProfile'))[0];
    expect(instanceProfile.DependsOn).toEqual(expect.arrayContaining(own));
  });

  test('with a role of its own stack, the instance profile depends on the construct\'s own policies', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });

    // when
    new ImageBuilderInstanceProfile(stack, 'Profile', {
      role,
      artifactLocations: [{ bucket: s3.Bucket.fromBucketName(stack, 'Artifacts', 'artifacts'), keyPrefix: 'components' }],
    });

    // then
    const template = Template.fromStack(stack);
    const own = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(own).toHaveLength(1);
    const instanceProfile = Object.values(template.findResources('AWS::IAM::InstanceProfile'))[0];
    expect(instanceProfile.DependsOn).toEqual(expect.arrayContaining(own));
  });
});

describe('RolePolicies with iam.CfnRolePolicy', () => {
  // an image builds while its stack is created, so a RolePolicy created after the profile may be missing when the
  // instances start: the profile waits for it, as it waits for the other policies of its stack attached to the role
  test('the instance profile depends on an iam.CfnRolePolicy of its stack that names the role', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');

    // when
    const rolePolicy = new iam.CfnRolePolicy(stack, 'Guard', {
      roleName: profile.role.roleName,
      policyName: 'guard',
      policyDocument: { Statement: [{ Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::artifacts/*' }] },
    });

    // then
    const template = Template.fromStack(stack);
    const instanceProfile = Object.values(template.findResources('AWS::IAM::InstanceProfile'))[0];
    expect(instanceProfile.DependsOn).toEqual(expect.arrayContaining([stack.getLogicalId(rolePolicy)]));
  });

  test('a watcher is told of an iam.CfnRolePolicy that names its role, and not of one that names another role', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const role = newRole(stack, 'Role');
    const other = newRole(stack, 'Other');
    const { reported } = watch(role);
    const document = { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::artifacts/*' }] };

    // when
    new iam.CfnRolePolicy(stack, 'Mine', { roleName: role.roleName, policyName: 'mine', policyDocument: document });
    new iam.CfnRolePolicy(stack, 'Theirs', { roleName: other.roleName, policyName: 'theirs', policyDocument: document });
    Template.fromStack(stack);

    // then
    expect(paths(reported)).toEqual(['Stack/Mine']);
  });
});
