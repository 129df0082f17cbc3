import { App, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AppTemplates } from '../../src/private/app-templates';

function newRole(stack: Stack, id = 'Role'): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
}

const cfn = (role: iam.Role) => role.node.defaultChild as iam.CfnRole;

describe('AppTemplates', () => {
  test('a resource is read as synthesis writes it: property and raw overrides applied, an aspect\'s override once aspects ran', () => {
    // given
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const role = newRole(stack);
    const boundary = new iam.ManagedPolicy(stack, 'Boundary', { statements: [new iam.PolicyStatement({ actions: ['ec2:*'], resources: ['*'] })] });
    cfn(role).addPropertyOverride('Description', 'overridden');
    cfn(role).addOverride('Properties.MaxSessionDuration', 7200);
    iam.PermissionsBoundary.of(stack).apply(boundary);

    // when
    const before = AppTemplates.of(app).resourceOf(cfn(role))!;
    app.synth();
    const after = AppTemplates.of(app).resourceOf(cfn(role))!;

    // then
    expect(before.properties).toMatchObject({ Description: 'overridden', MaxSessionDuration: 7200 });
    expect(before.properties.PermissionsBoundary).toBeUndefined();
    expect(after.properties.PermissionsBoundary).toEqual({ Ref: stack.getLogicalId(boundary.node.defaultChild as iam.CfnManagedPolicy) });
    expect(after.logicalId).toBe(stack.getLogicalId(cfn(role)));
  });

  test('referenced follows an import to the export of another stack, a nested stack\'s parameter to its parent, and a nested stack\'s output', () => {
    // given
    const app = new App();
    const roles = new Stack(app, 'Roles');
    const role = newRole(roles);
    const consumer = new Stack(app, 'Consumer');
    const fromParent = new iam.Policy(new NestedStack(roles, 'Child'), 'FromParent', { roles: [role], statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })] });
    const nestedRole = newRole(new NestedStack(roles, 'Holder'), 'NestedRole');
    const fromChild = new iam.Policy(roles, 'FromChild', { roles: [nestedRole], statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })] });
    const imported = new iam.Policy(consumer, 'Imported', { roles: [role], statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })] });

    // when
    app.synth();
    const templates = AppTemplates.of(app);
    const rolesOf = (policy: iam.Policy) => {
      const synthesized = templates.resourceOf(policy.node.defaultChild as iam.CfnPolicy)!;
      return (synthesized.properties.Roles as unknown[]).map(value => templates.referenced(value, synthesized.stack)?.element);
    };

    // then
    expect(Stack.of(imported).resolve(role.roleName)).toEqual({ 'Fn::ImportValue': expect.any(String) });
    expect(rolesOf(imported)).toEqual([cfn(role)]);
    expect(rolesOf(fromParent)).toEqual([cfn(role)]);
    expect(rolesOf(fromChild)).toEqual([cfn(nestedRole)]);
  });

  test('a Ref to what no stack of the app holds is not followed, and the resources of another stage are not read', () => {
    // given
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const role = newRole(stack);
    const other = newRole(new Stack(new Stage(app, 'Prod'), 'Stack'));

    // when
    const templates = AppTemplates.of(app);

    // then
    expect(templates.referenced({ Ref: 'Missing' }, stack)).toBeUndefined();
    expect(templates.referenced({ 'Fn::ImportValue': 'NotExported' }, stack)).toBeUndefined();
    expect(templates.follow({ 'Fn::ImportValue': 'NotExported' }, stack)).toEqual({ value: { 'Fn::ImportValue': 'NotExported' }, stack });
    expect(templates.ofType('AWS::IAM::Role').map(r => r.element)).toEqual([cfn(role)]);
    expect(templates.resourceOf(cfn(other))).toBeUndefined();
  });
});
