import { App, CfnCondition, CfnParameter, Fn, Lazy, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EvaluationRequest } from '../../src/private/iam/request-context';
import { concat, Text } from '../../src/private/iam/text';
import { anyValue, constructOf, RolePermissions } from '../../src/private/role-permissions';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const ANY_KEY = anyValue('key');

function newRole(stack: Stack, props: Partial<iam.RoleProps> = {}): iam.Role {
  return new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), ...props });
}

function permissionsOf(role: iam.IRole): RolePermissions {
  return RolePermissions.of(role, new Map());
}

/** A request for an object under `prefix` (any key) of the bucket, in the role's account. */
function getObject(bucket: Text, prefix: string, context: EvaluationRequest['context'] = {}): EvaluationRequest {
  return { action: 's3:GetObject', resource: concat(['arn:aws:s3:::', bucket, `/${prefix}`, [ANY_KEY]]), context };
}

const statement = (actions: string[], resources: string[], effect = iam.Effect.ALLOW) => new iam.PolicyStatement({ actions, resources, effect });

describe('RolePermissions collects every policy attached to the role', () => {
  test('policies attached through their Roles: the default policy, iam.Policy and iam.ManagedPolicy', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const role = newRole(stack);
    role.addToPrincipalPolicy(statement(['s3:GetObject'], ['arn:aws:s3:::default/*']));
    new iam.Policy(stack, 'Policy', { roles: [role], statements: [statement(['s3:GetObject'], ['arn:aws:s3:::policy/*'])] });
    new iam.ManagedPolicy(stack, 'Managed', { roles: [role], statements: [statement(['s3:GetObject'], ['arn:aws:s3:::managed/*'])] });
    new iam.ManagedPolicy(stack, 'Elsewhere', { statements: [statement(['s3:GetObject'], ['arn:aws:s3:::elsewhere/*'])] });

    // when
    const permissions = permissionsOf(role);

    // then
    for (const bucket of ['default', 'policy', 'managed']) {
      expect([bucket, permissions.evaluate(getObject(bucket, '')).decision]).toEqual([bucket, 'allowed']);
    }
    expect(permissions.evaluate(getObject('elsewhere', '')).decision).toBe('denied');
  });

  test('a policy whose Statement is one object, as IAM allows, is evaluated: its Deny and its Allow are proven', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const role = newRole(stack);
    new iam.CfnRolePolicy(stack, 'Allow', {
      roleName: role.roleName, policyName: 'allow', policyDocument: { Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*' } },
    });
    new iam.CfnRolePolicy(stack, 'Deny', {
      roleName: role.roleName, policyName: 'deny', policyDocument: { Statement: { Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::guarded/*' } },
    });

    // when
    const permissions = permissionsOf(role);

    // then
    expect(permissions.evaluate(getObject('granted', '')).decision).toBe('allowed');
    expect(permissions.evaluate(getObject('guarded', '')).decision).toBe('denied');
  });

  test('inline policies of the L1 role', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const role = newRole(stack, {
      inlinePolicies: { Inline: new iam.PolicyDocument({ statements: [statement(['s3:GetObject'], ['arn:aws:s3:::inline/*'])] }) },
    });

    // when
    const verdict = permissionsOf(role).evaluate(getObject('inline', ''));

    // then
    expect(verdict.decision).toBe('allowed');
  });

  test('a Deny anywhere wins, and names the policy', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const role = newRole(stack);
    role.addToPrincipalPolicy(statement(['s3:GetObject'], ['arn:aws:s3:::artifacts/*']));
    new iam.Policy(stack, 'Guard', { roles: [role], statements: [statement(['s3:GetObject'], ['arn:aws:s3:::artifacts/secret/*'], iam.Effect.DENY)] });

    // when
    const permissions = permissionsOf(role);

    // then
    expect(permissions.evaluate(getObject('artifacts', 'components/')).decision).toBe('allowed');
    const denied = permissions.evaluate(getObject('artifacts', 'secret/'));
    expect(denied.decision).toBe('denied');
    expect(denied.reasons.join()).toContain('Stack/Guard/Resource');
  });

  test('ManagedPolicyArns: an AWS managed policy whose copy the library holds is evaluated', () => {
    // given: AmazonSSMManagedInstanceCore allows ssm:GetParameter on every parameter
    const stack = new Stack(new App(), 'Stack', { env: { account: ACCOUNT, region: REGION } });
    const role = newRole(stack, { managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')] });

    // when
    const permissions = permissionsOf(role);

    // then
    const parameter = { action: 'ssm:GetParameter', resource: [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/`, ANY_KEY], context: {} };
    expect(permissions.evaluate(parameter).decision).toBe('allowed');
    expect(permissions.evaluate(getObject('artifacts', '')).decision).toBe('denied');
  });

  test('ManagedPolicyArns: a service-role AWS managed policy is found by its name too', () => {
    // given: the ARN of EC2InstanceProfileForImageBuilderECRContainerBuilds has no service-role/ path, so try the copy of a path that has one
    const stack = new Stack(new App(), 'Stack');
    const role = newRole(stack, { managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/EC2InstanceProfileForImageBuilder')] });

    // when
    const verdict = permissionsOf(role).evaluate({ action: 's3:GetObject', resource: ['arn:aws:s3:::ec2imagebuilder-us-east-1/', ANY_KEY], context: {} });

    // then
    expect(verdict.decision).toBe('allowed');
  });

  test('ManagedPolicyArns: a customer managed policy of the app, by Ref, is evaluated', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const managed = new iam.ManagedPolicy(stack, 'Managed', { statements: [statement(['s3:GetObject'], ['arn:aws:s3:::managed/*'])] });
    const role = newRole(stack, { managedPolicies: [managed] });

    // when
    const verdict = permissionsOf(role).evaluate(getObject('managed', ''));

    // then
    expect(verdict.decision).toBe('allowed');
  });

  test('ManagedPolicyArns: a policy whose document the app does not hold makes an answer that depends on it unknown', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const role = newRole(stack, {
      managedPolicies: [
        iam.ManagedPolicy.fromManagedPolicyArn(stack, 'Imported', `arn:aws:iam::${ACCOUNT}:policy/TeamPolicy`),
        iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'),
      ],
    });
    role.addToPrincipalPolicy(statement(['s3:GetObject'], ['arn:aws:s3:::known/*']));

    // when
    const permissions = permissionsOf(role);
    const unknown = permissions.evaluate(getObject('artifacts', ''));

    // then
    expect(unknown.decision).toBe('unknown');
    expect(unknown.reasons.join()).toContain(`arn:aws:iam::${ACCOUNT}:policy/TeamPolicy`);
    // what the app allows, a policy without its document may still deny
    expect(permissions.evaluate(getObject('known', '')).decision).toBe('unknown');
  });

  test('the permissions boundary of the app caps what the identity policies allow', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const boundary = new iam.ManagedPolicy(stack, 'Boundary', { statements: [statement(['s3:GetObject'], ['arn:aws:s3:::inside/*'])] });
    const role = newRole(stack, { permissionsBoundary: boundary });
    role.addToPrincipalPolicy(statement(['s3:GetObject'], ['arn:aws:s3:::inside/*', 'arn:aws:s3:::outside/*']));

    // when
    const permissions = permissionsOf(role);

    // then
    expect(permissions.evaluate(getObject('inside', '')).decision).toBe('allowed');
    const outside = permissions.evaluate(getObject('outside', ''));
    expect(outside.decision).toBe('denied');
    expect(outside.reasons.join()).toContain('permissions boundary');
  });

  test('an AWS managed policy as boundary is read from its copy, and a boundary the app does not hold leaves answers open', () => {
    // given
    const app = new App();
    const awsBoundary = newRole(new Stack(app, 'Aws'), { permissionsBoundary: iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore') });
    awsBoundary.addToPrincipalPolicy(statement(['s3:GetObject', 'ssm:GetParameter'], ['*']));
    const importedStack = new Stack(app, 'Imported');
    const importedBoundary = newRole(importedStack, {
      permissionsBoundary: iam.ManagedPolicy.fromManagedPolicyArn(importedStack, 'Boundary', `arn:aws:iam::${ACCOUNT}:policy/Boundary`),
    });
    importedBoundary.addToPrincipalPolicy(statement(['s3:GetObject'], ['*']));

    // when
    const aws = permissionsOf(awsBoundary);
    const imported = permissionsOf(importedBoundary);

    // then
    expect(aws.evaluate({ action: 'ssm:GetParameter', resource: ['arn:aws:ssm:us-east-1:111122223333:parameter/', ANY_KEY], context: {} }).decision)
      .toBe('allowed');
    expect(aws.evaluate(getObject('artifacts', '')).decision).toBe('denied');
    expect(imported.evaluate(getObject('artifacts', '')).decision).toBe('unknown');
  });

  test('Fn::Sub in a policy is read, its pseudo parameters literal when the stack knows them', () => {
    // given
    const stack = new Stack(new App(), 'Stack', { env: { account: ACCOUNT, region: REGION } });
    const role = newRole(stack);
    role.addToPrincipalPolicy(statement(['s3:GetObject'], [Fn.sub('arn:${AWS::Partition}:s3:::artifacts-${AWS::AccountId}-${AWS::Region}/*')]));

    // when
    const permissions = permissionsOf(role);

    // then
    expect(permissions.evaluate(getObject(`artifacts-${ACCOUNT}-${REGION}`, 'x/')).decision).toBe('allowed');
    expect(permissions.evaluate(getObject(`artifacts-444455556666-${REGION}`, 'x/')).decision).toBe('denied');
  });

  test('an imported role may hold anything outside the app, so nothing is allowed or denied for sure', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const role = iam.Role.fromRoleName(stack, 'Imported', 'TeamRole');
    new iam.Policy(stack, 'Policy', { roles: [role], statements: [statement(['s3:GetObject'], ['arn:aws:s3:::granted/*'])] });

    // when
    const permissions = permissionsOf(role);

    // then
    // a policy of the role outside the app may deny what the app's policy allows
    expect(permissions.evaluate(getObject('granted', '')).decision).toBe('unknown');
    const other = permissions.evaluate(getObject('other', ''));
    expect(other.decision).toBe('unknown');
    expect(other.reasons.join()).toContain("the policies that the imported role 'Stack/Imported' has outside this app");
  });

  test('of() builds one instance a role and cache', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const role = newRole(stack);
    const cache = new Map<iam.IRole, RolePermissions>();

    // when
    const first = RolePermissions.of(role, cache);
    const second = RolePermissions.of(role, cache);

    // then
    expect(second).toBe(first);
    expect(RolePermissions.of(role, new Map())).not.toBe(first);
  });
});

describe('RolePermissions reads intrinsics as texts with holes', () => {
  test('the principal: literal account and region when the stack has them, holes otherwise', () => {
    // given
    const app = new App();
    const locatedStack = new Stack(app, 'Located', { env: { account: ACCOUNT, region: REGION } });
    const located = newRole(locatedStack, { roleName: 'TeamRole' });
    const agnostic = newRole(new Stack(app, 'Agnostic'));
    const imported = iam.Role.fromRoleArn(locatedStack, 'Imported', `arn:aws:iam::${ACCOUNT}:role/path/Imported`);

    // when
    const locatedPrincipal = permissionsOf(located).principal;
    const agnosticPrincipal = permissionsOf(agnostic).principal;

    // then
    expect(locatedPrincipal.account).toBe(ACCOUNT);
    expect(locatedPrincipal.region).toBe(REGION);
    // the ARN of a new role is its Fn::GetAtt, which the text keeps as one hole
    expect(locatedPrincipal.roleArn).toEqual([{ hole: JSON.stringify(locatedStack.resolve(located.roleArn)) }]);
    expect(permissionsOf(imported).principal.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/path/Imported`);
    expect(agnosticPrincipal.account).toEqual([{ hole: 'account of Agnostic' }]);
    expect(agnosticPrincipal.region).toEqual([{ hole: 'region of Agnostic' }]);
  });

  test('a bucket with a literal name is its name; one without is a hole distinct from every other such bucket of the app', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const role = newRole(stack);
    const named = new s3.Bucket(stack, 'Named', { bucketName: 'named-bucket' });
    const first = new s3.Bucket(stack, 'First');
    const second = new s3.Bucket(stack, 'Second');
    role.addToPrincipalPolicy(statement(['s3:GetObject'], [first.arnForObjects('*')]));

    // when
    const permissions = permissionsOf(role);
    const firstName = permissions.text(first.bucketName)!;
    const secondName = permissions.text(second.bucketName)!;

    // then
    expect(permissions.text(named.bucketArn)).toBe('arn:aws:s3:::named-bucket');
    expect(permissions.text(named.bucketName)).toBe('named-bucket');
    expect(firstName).toEqual([{ hole: 'bucket Stack/First/Resource', distinctGroup: 'bucket names' }]);
    expect(permissions.text(first.bucketArn)).toEqual(['arn:aws:s3:::', ...firstName as any[]]);
    expect(permissions.evaluate(getObject(firstName, 'any/')).decision).toBe('allowed');
    expect(permissions.evaluate(getObject(secondName, 'any/')).decision).toBe('denied');
  });

  test('a parameter is a hole named after it, a KMS key ARN holds the key as a hole, and pseudo parameters are read', () => {
    // given
    const stack = new Stack(new App(), 'Stack', { env: { account: ACCOUNT, region: REGION } });
    const role = newRole(stack);
    const parameter = new CfnParameter(stack, 'Prefix');
    const key = new kms.Key(stack, 'Key');

    // when
    const permissions = permissionsOf(role);

    // then
    expect(permissions.text(parameter.valueAsString)).toEqual([{ hole: 'parameter Stack/Prefix' }]);
    expect(permissions.text(`logs/${parameter.valueAsString}/x`)).toEqual(['logs/', { hole: 'parameter Stack/Prefix' }, '/x']);
    expect(permissions.text(key.keyArn)).toEqual([`arn:aws:kms:${REGION}:${ACCOUNT}:key/`, { hole: 'key Stack/Key/Resource' }]);
    expect(permissions.text(stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: 'x' })))
      .toBe(`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/x`);
    expect(permissions.text('plain')).toBe('plain');
    expect(permissions.text(42)).toBeUndefined();
  });

  test('an intrinsic it does not know is a hole named after its JSON, the same for the same intrinsic', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const role = newRole(stack);
    const lazy = Lazy.string({ produce: () => 'produced' });

    // when
    const permissions = permissionsOf(role);

    // then
    expect(permissions.text(lazy)).toBe('produced');
    expect(stack.resolve(role.roleName)).toEqual({ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) });
    expect(permissions.text(role.roleName)).toEqual([{ hole: JSON.stringify(stack.resolve(role.roleName)) }]);
    expect(permissions.text(`${role.roleName}-${role.roleName}`)).toEqual([
      { hole: JSON.stringify(stack.resolve(role.roleName)) }, '-', { hole: JSON.stringify(stack.resolve(role.roleName)) },
    ]);
  });

  test('a policy that uses a parameter in its resource allows the folder whatever the parameter is', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const role = newRole(stack);
    const prefix = new CfnParameter(stack, 'Prefix');
    role.addToPrincipalPolicy(statement(['s3:GetObject'], [`arn:aws:s3:::artifacts/${prefix.valueAsString}/*`]));

    // when
    const permissions = permissionsOf(role);

    // then
    const inFolder: EvaluationRequest = { action: 's3:GetObject', resource: ['arn:aws:s3:::artifacts/', { hole: 'parameter Stack/Prefix' }, '/', ANY_KEY], context: {} };
    expect(permissions.evaluate(inFolder).decision).toBe('allowed');
    expect(permissions.evaluate(getObject('artifacts', 'fixed/')).decision).toBe('unknown');
  });

  test('ownsBucketNamed: only buckets of the role\'s stack whose name is that literal', () => {
    // given
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const role = newRole(stack);
    new s3.Bucket(stack, 'Named', { bucketName: 'named-bucket' });
    new s3.Bucket(stack, 'Generated');
    s3.Bucket.fromBucketName(stack, 'Imported', 'imported-bucket');
    new s3.Bucket(new Stack(app, 'Other'), 'Elsewhere', { bucketName: 'elsewhere-bucket' });

    // when
    const permissions = permissionsOf(role);

    // then
    expect(permissions.ownsBucketNamed('named-bucket')).toBe(true);
    expect(permissions.ownsBucketNamed('imported-bucket')).toBe(false);
    expect(permissions.ownsBucketNamed('elsewhere-bucket')).toBe(false);
    expect(permissions.ownsBucketNamed('Named')).toBe(false);
  });
});

describe('constructOf', () => {
  test('the construct a Ref or Fn::GetAtt token points at', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const bucket = new s3.Bucket(stack, 'Bucket');

    // when / then
    expect(constructOf(bucket.bucketName)).toBe(bucket.node.defaultChild);
    expect(constructOf(bucket.bucketArn)).toBe(bucket.node.defaultChild);
  });

  test('nothing for a literal, a value that is not a string, or a token that is not a reference', () => {
    expect(constructOf('artifacts')).toBeUndefined();
    expect(constructOf(undefined)).toBeUndefined();
    expect(constructOf(42)).toBeUndefined();
    expect(constructOf(Lazy.string({ produce: () => 'x' }))).toBeUndefined();
  });

  test('a string that only embeds a reference after literal text is not a reference', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const bucket = new s3.Bucket(stack, 'Bucket');

    // when / then
    expect(constructOf(`s3://${bucket.bucketName}/key`)).toBeUndefined();
  });
});

describe('RolePermissions reads what synthesis writes, in every stack of the app', () => {
  test('a policy of another stack that names the role through an import is read once references are resolved', () => {
    // given
    const app = new App();
    const role = newRole(new Stack(app, 'Roles'));
    new iam.Policy(new Stack(app, 'Guards'), 'Guard', { roles: [role], statements: [statement(['s3:GetObject'], ['arn:aws:s3:::artifacts/*'], iam.Effect.DENY)] });
    role.addToPrincipalPolicy(statement(['s3:GetObject'], ['arn:aws:s3:::artifacts/*']));

    // when
    app.synth();
    const denied = permissionsOf(role).evaluate(getObject('artifacts', ''));

    // then
    expect(denied.decision).toBe('denied');
    expect(denied.reasons.join()).toContain('Guards/Guard/Resource');
  });

  test('a managed policy of another stack in ManagedPolicyArns is read through its export', () => {
    // given
    const app = new App();
    const role = newRole(new Stack(app, 'Roles'));
    role.addManagedPolicy(new iam.ManagedPolicy(new Stack(app, 'Policies'), 'Managed', { statements: [statement(['s3:GetObject'], ['arn:aws:s3:::managed/*'])] }));

    // when
    app.synth();
    const verdict = permissionsOf(role).evaluate(getObject('managed', ''));

    // then
    expect(verdict.decision).toBe('allowed');
  });

  test('an AWS::IAM::RolePolicy that names the role by its literal name, in another stack, is read', () => {
    // given
    const app = new App();
    const role = newRole(new Stack(app, 'Roles'), { roleName: 'BuildRole' });
    new iam.CfnRolePolicy(new Stack(app, 'Guards'), 'Guard', {
      roleName: 'BuildRole', policyName: 'guard', policyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::guarded/*' }] },
    });

    // when
    const verdict = permissionsOf(role).evaluate(getObject('guarded', ''));

    // then
    expect(verdict.decision).toBe('allowed');
  });

  test('a policy that names the role\'s literal name is not read from a stack of another account, nor from another stage', () => {
    // given
    const app = new App();
    const role = newRole(new Stack(app, 'Roles', { env: { account: ACCOUNT, region: REGION } }), { roleName: 'BuildRole' });
    const document = { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::guarded/*' }] };
    new iam.CfnRolePolicy(new Stack(app, 'OtherAccount', { env: { account: '444455556666', region: REGION } }), 'Grant', {
      roleName: 'BuildRole', policyName: 'grant', policyDocument: document,
    });
    new iam.CfnRolePolicy(new Stack(new Stage(app, 'Prod'), 'SameAccount', { env: { account: ACCOUNT, region: REGION } }), 'Grant', {
      roleName: 'BuildRole', policyName: 'grant', policyDocument: document,
    });

    // when
    const verdict = permissionsOf(role).evaluate(getObject('guarded', ''));

    // then
    expect(verdict.decision).toBe('denied');
  });

  test('a policy of a nested stack of another stack, which imports the role\'s name, is read', () => {
    // given
    const app = new App();
    const role = newRole(new Stack(app, 'Roles'));
    role.addToPrincipalPolicy(statement(['s3:GetObject'], ['arn:aws:s3:::artifacts/*']));
    const nested = new NestedStack(new Stack(app, 'Guards'), 'Nested');
    new iam.Policy(nested, 'Guard', { roles: [role], statements: [statement(['s3:GetObject'], ['arn:aws:s3:::artifacts/*'], iam.Effect.DENY)] });

    // when
    app.synth();
    const denied = permissionsOf(role).evaluate(getObject('artifacts', ''));

    // then
    expect(nested.resolve(role.roleName)).toEqual({ 'Fn::ImportValue': expect.stringContaining('Roles:') });
    expect(denied.decision).toBe('denied');
    expect(denied.reasons.join()).toContain('Guards/Nested/Guard/Resource');
  });

  test('a policy of a nested stack that names a role of its parent is read through the nested stack\'s parameter', () => {
    // given
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const role = newRole(stack);
    role.addToPrincipalPolicy(statement(['s3:GetObject'], ['arn:aws:s3:::artifacts/*']));
    const nested = new NestedStack(stack, 'Nested');
    new iam.Policy(nested, 'Guard', { roles: [role], statements: [statement(['s3:GetObject'], ['arn:aws:s3:::artifacts/*'], iam.Effect.DENY)] });

    // when
    app.synth();
    const denied = permissionsOf(role).evaluate(getObject('artifacts', ''));

    // then
    expect(nested.resolve(role.roleName)).toEqual({ Ref: expect.stringContaining('Role') });
    expect(denied.decision).toBe('denied');
    expect(denied.reasons.join()).toContain('Stack/Nested/Guard/Resource');
  });

  test('an imported role: a policy of another stack that names it by its literal name is read', () => {
    // given
    const app = new App();
    const role = iam.Role.fromRoleName(new Stack(app, 'Builds'), 'Team', 'TeamRole');
    const guards = new Stack(app, 'Guards');
    new iam.Policy(guards, 'Guard', {
      roles: [iam.Role.fromRoleName(guards, 'Team', 'TeamRole')], statements: [statement(['s3:GetObject'], ['arn:aws:s3:::artifacts/*'], iam.Effect.DENY)],
    });

    // when
    const denied = permissionsOf(role).evaluate(getObject('artifacts', ''));

    // then
    expect(denied.decision).toBe('denied');
    expect(denied.reasons.join()).toContain('Guards/Guard/Resource');
  });

  test('a property deletion override of the boundary removes it; a property override of it replaces it', () => {
    // given
    const app = new App();
    const removedStack = new Stack(app, 'Removed');
    const removed = newRole(removedStack, { permissionsBoundary: new iam.ManagedPolicy(removedStack, 'Boundary', { statements: [statement(['ec2:*'], ['*'])] }) });
    removed.addToPrincipalPolicy(statement(['s3:GetObject'], ['arn:aws:s3:::artifacts/*']));
    const replacedStack = new Stack(app, 'Replaced');
    const replaced = newRole(replacedStack, { permissionsBoundary: new iam.ManagedPolicy(replacedStack, 'Boundary', { statements: [statement(['s3:*'], ['*'])] }) });
    replaced.addToPrincipalPolicy(statement(['s3:GetObject'], ['arn:aws:s3:::artifacts/*']));
    const ec2Only = new iam.ManagedPolicy(replacedStack, 'Ec2Only', { statements: [statement(['ec2:*'], ['*'])] });

    // when
    (removed.node.defaultChild as iam.CfnRole).addPropertyDeletionOverride('PermissionsBoundary');
    (replaced.node.defaultChild as iam.CfnRole).addPropertyOverride('PermissionsBoundary', ec2Only.managedPolicyArn);

    // then
    expect(permissionsOf(removed).evaluate(getObject('artifacts', '')).decision).toBe('allowed');
    const outside = permissionsOf(replaced).evaluate(getObject('artifacts', ''));
    expect(outside.decision).toBe('denied');
    expect(outside.reasons.join()).toContain("the permissions boundary 'Replaced/Ec2Only/Resource'");
  });
});

describe('RolePermissions with a policy that names a role the app cannot identify', () => {
  // a policy whose Roles is a parameter may be attached to the role or not
  function withUncertainPolicy(effect: iam.Effect): { role: iam.Role; stack: Stack } {
    const stack = new Stack(new App(), 'Stack');
    const role = newRole(stack);
    role.addToPrincipalPolicy(statement(['s3:GetObject'], ['arn:aws:s3:::granted/*']));
    const roleName = new CfnParameter(stack, 'RoleName');
    new iam.CfnPolicy(stack, 'Maybe', {
      policyName: 'maybe',
      roles: [roleName.valueAsString],
      policyDocument: { Statement: [{ Effect: effect, Action: 's3:GetObject', Resource: 'arn:aws:s3:::maybe/*' }] },
    });
    return { role, stack };
  }

  test('its Deny makes what it denies and the role allows unknown, naming it, and leaves the rest as it is', () => {
    // given
    const { role } = withUncertainPolicy(iam.Effect.DENY);
    role.addToPrincipalPolicy(statement(['s3:GetObject'], ['arn:aws:s3:::maybe/*']));

    // when
    const permissions = permissionsOf(role);

    // then
    expect(permissions.evaluate(getObject('granted', '')).decision).toBe('allowed');
    expect(permissions.evaluate(getObject('other', '')).decision).toBe('denied');
    const maybe = permissions.evaluate(getObject('maybe', ''));
    expect(maybe.decision).toBe('unknown');
    expect(maybe.reasons.join()).toContain("it depends on whether 'Stack/Maybe' applies to this role (it names the role <RoleName>");
  });

  test('its Allow makes what only it allows unknown, and leaves the rest as it is', () => {
    // given
    const { role } = withUncertainPolicy(iam.Effect.ALLOW);

    // when
    const permissions = permissionsOf(role);

    // then
    expect(permissions.evaluate(getObject('granted', '')).decision).toBe('allowed');
    expect(permissions.evaluate(getObject('other', '')).decision).toBe('denied');
    const maybe = permissions.evaluate(getObject('maybe', ''));
    expect(maybe.decision).toBe('unknown');
    expect(maybe.reasons.join()).toContain("'Stack/Maybe' applies to this role");
  });

  test('a policy that names the role\'s literal name from a stack whose account is not known may apply', () => {
    // given
    const app = new App();
    const role = newRole(new Stack(app, 'Roles', { env: { account: ACCOUNT, region: REGION } }), { roleName: 'BuildRole' });
    role.addToPrincipalPolicy(statement(['s3:GetObject'], ['arn:aws:s3:::guarded/*']));
    new iam.CfnRolePolicy(new Stack(app, 'Agnostic'), 'Guard', {
      roleName: 'BuildRole', policyName: 'guard', policyDocument: { Statement: [{ Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::guarded/*' }] },
    });

    // when
    const verdict = permissionsOf(role).evaluate(getObject('guarded', ''));

    // then
    expect(verdict.decision).toBe('unknown');
    expect(verdict.reasons.join()).toContain("it depends on whether 'Agnostic/Guard' applies to this role (it names the role BuildRole");
  });

  test('a policy that names another role of the app, a literal other name or a role of another account is not uncertain', () => {
    // given
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { account: ACCOUNT, region: REGION } });
    const role = newRole(stack);
    const other = new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const document = { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::maybe/*' }] };
    new iam.CfnPolicy(stack, 'OtherRole', { policyName: 'a', roles: [other.roleName], policyDocument: document });
    new iam.CfnPolicy(stack, 'OtherName', { policyName: 'b', roles: ['SomeRole'], policyDocument: document });
    const elsewhere = new Stack(app, 'Elsewhere', { env: { account: '444455556666', region: REGION } });
    new iam.CfnPolicy(elsewhere, 'OtherAccount', { policyName: 'c', roles: [new CfnParameter(elsewhere, 'RoleName').valueAsString], policyDocument: document });

    // when
    const verdict = permissionsOf(role).evaluate(getObject('maybe', ''));

    // then
    expect(verdict.decision).toBe('denied');
  });
});

describe('RolePermissions with a policy that CloudFormation creates only under a Condition', () => {
  // a condition that depends on a parameter: the policy may or may not exist once deployed
  function conditioned(stack: Stack, policy: iam.Policy | iam.ManagedPolicy): void {
    const stage = new CfnParameter(stack, 'Stage');
    const isProd = new CfnCondition(stack, 'IsProd', { expression: Fn.conditionEquals(stage.valueAsString, 'prod') });
    (policy.node.defaultChild as iam.CfnPolicy | iam.CfnManagedPolicy).cfnOptions.condition = isProd;
  }

  test('its Allow does not prove a request: what only it allows is unknown, naming the condition', () => {
    // given a policy attached to the role that CloudFormation creates only when IsProd holds
    const stack = new Stack(new App(), 'Stack');
    const role = newRole(stack);
    conditioned(stack, new iam.Policy(stack, 'Maybe', { roles: [role], statements: [statement(['s3:GetObject'], ['arn:aws:s3:::maybe/*'])] }));

    // when
    const verdict = permissionsOf(role).evaluate(getObject('maybe', ''));

    // then
    expect(verdict.decision).toBe('unknown');
    expect(verdict.reasons.join()).toContain("it depends on whether 'Stack/Maybe/Resource' applies to this role (CloudFormation creates it only when "
      + "its Condition 'IsProd' holds");
  });

  test('its Deny does not prove a refusal: what it denies and the role allows is unknown', () => {
    // given a managed policy attached to the role with a Deny, created only when IsProd holds
    const stack = new Stack(new App(), 'Stack');
    const role = newRole(stack);
    role.addToPrincipalPolicy(statement(['s3:GetObject'], ['arn:aws:s3:::maybe/*']));
    conditioned(stack, new iam.ManagedPolicy(stack, 'Guard', { roles: [role], statements: [statement(['s3:GetObject'], ['arn:aws:s3:::maybe/*'], iam.Effect.DENY)] }));

    // when
    const verdict = permissionsOf(role).evaluate(getObject('maybe', ''));

    // then
    expect(verdict.decision).toBe('unknown');
    expect(verdict.reasons.join()).toContain("'Stack/Guard/Resource' applies to this role (CloudFormation creates it only when its Condition 'IsProd' holds");
  });
});
