import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { ImageBuilderInstanceProfile } from '../../../src';
import { AWS_MANAGED_COMPONENT_NEEDS, AwsManagedComponentRow } from '../../../src/private/grants/aws-managed-components';
import { ACCOUNT, EffectivePermissions, REGION } from '../../helpers/effective-permissions';

// the build instance that iam-simulate's principal (assumed-role/TeamRole/i-0123456789abcdef0) runs on
const INSTANCE_ID = 'i-0123456789abcdef0';
const OTHER_INSTANCE_ID = 'i-0fedcba9876543210';
const OTHER_ACCOUNT = '444455556666';
const INSTANCE_ARN = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${INSTANCE_ID}`;

function profileWith(componentName: string): { stack: Stack; permissions: EffectivePermissions } {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: ACCOUNT, region: REGION } });
  const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
  profile.addAwsManagedComponent(componentName);
  const template = JSON.parse(JSON.stringify(Template.fromStack(stack).toJSON()));
  // no copy of AmazonInspectorFullAccess under test/fixtures: the calls are proven from the profile's own statements
  for (const resource of Object.values<any>(template.Resources).filter(r => r.Type === 'AWS::IAM::Role')) {
    resource.Properties.ManagedPolicyArns = resource.Properties.ManagedPolicyArns
      .filter((arn: unknown) => !JSON.stringify(arn).includes('AmazonInspectorFullAccess'));
  }
  return { stack, permissions: EffectivePermissions.ofRole(template, stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole)) };
}

interface Request {
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string>;
}

/** One real request of each need of a row, as the build instance makes it, with its target in `account`. */
function requestsOf(row: AwsManagedComponentRow, account = ACCOUNT, instanceId = INSTANCE_ID): Request[] {
  const ec2 = (type: string, id: string) => `arn:aws:ec2:${REGION}:${account}:${type}/${id}`;
  return row.needs.flatMap(need => need.actions.flatMap(action => {
    const base: Record<string, string> = { 'aws:RequestedRegion': REGION, 'ec2:Region': REGION, 'ec2:SourceInstanceARN': INSTANCE_ARN };
    let resource: string;
    const context = { ...base };
    switch (need.resource) {
      case 'volume': resource = ec2('volume', 'vol-0123456789abcdef0'); break;
      case 'network-interface': resource = ec2('network-interface', 'eni-0123456789abcdef0'); break;
      case 'subnet': resource = ec2('subnet', 'subnet-0123456789abcdef0'); break;
      case 'security-group': resource = ec2('security-group', 'sg-0123456789abcdef0'); break;
      case 'instance': resource = ec2('instance', OTHER_INSTANCE_ID); break;
      case 'build-instance':
        resource = ec2('instance', instanceId);
        context['ec2:InstanceID'] = instanceId;
        break;
      case 'ssm-document': resource = `arn:aws:ssm:${REGION}::document/${need.name}`; break;
      case 's3-bucket-objects': resource = `arn:aws:s3:::${need.name}${REGION}/tools/setup.zip`; break;
      case 'any': resource = '*'; break;
    }
    if (!action.startsWith('ec2:')) {
      delete context['ec2:Region'];
      delete context['ec2:SourceInstanceARN'];
    }
    return (need.createActions ?? [undefined]).map(createAction =>
      ({ action, resource, context: createAction ? { ...context, 'ec2:CreateAction': createAction } : context }));
  }));
}

describe('addAwsManagedComponent', () => {
  describe.each(AWS_MANAGED_COMPONENT_NEEDS.flatMap(row => row.names.map(name => [name, row] as const)))('%s', (name, row) => {
    const { permissions } = profileWith(name);

    test('given the profile, when the build instance makes each call of the component, then IAM allows it', async () => {
      await permissions.validate();
      for (const request of requestsOf(row)) {
        // iam-simulate rejects the ARN of an AWS-owned document (it has no account): decided without its validation
        const decision = request.resource.includes('::document/')
          ? permissions.decideLiterally(request.action, request.resource, request.context)
          : await permissions.decide(request.action, request.resource, request.context);
        expect([request.action, request.resource, decision]).toEqual([request.action, request.resource, 'Allowed']);
      }
    });

    test('given the profile, when an unrelated action (ec2:TerminateInstances) is asked on the build instance, then IAM denies it', async () => {
      expect(await permissions.decide('ec2:TerminateInstances', INSTANCE_ARN,
        { 'ec2:SourceInstanceARN': INSTANCE_ARN, 'ec2:InstanceID': INSTANCE_ID })).toEqual('ImplicitlyDenied');
    });

    test('given the profile, when the calls target resources of another account, then IAM denies them', async () => {
      for (const request of requestsOf(row, OTHER_ACCOUNT).filter(r => r.resource.startsWith('arn:aws:ec2:'))) {
        expect([request.action, request.resource, await permissions.decide(request.action, request.resource, request.context)])
          .toEqual([request.action, request.resource, 'ImplicitlyDenied']);
      }
    });

    test('given the profile, when a call meant for the build instance targets another instance, then IAM denies it', async () => {
      for (const request of requestsOf(row, ACCOUNT, OTHER_INSTANCE_ID).filter(r => r.resource.endsWith(OTHER_INSTANCE_ID) && r.context['ec2:InstanceID'])) {
        expect([request.action, await permissions.decide(request.action, request.resource, request.context)]).toEqual([request.action, 'ImplicitlyDenied']);
      }
    });

    test('given the profile, when ec2:CreateTags is asked outside the create call that tags, then IAM denies it', async () => {
      for (const request of requestsOf(row).filter(r => r.context['ec2:CreateAction'])) {
        expect(await permissions.decide(request.action, request.resource, { ...request.context, 'ec2:CreateAction': 'RunInstances' })).toEqual('ImplicitlyDenied');
        const { ['ec2:CreateAction']: _, ...withoutCreate } = request.context;
        expect(await permissions.decide(request.action, request.resource, withoutCreate)).toEqual('ImplicitlyDenied');
      }
    });
  });

  test('given a component that needs nothing more, when it is added, then the profile gets no policy of its own', () => {
    const { stack } = profileWith('hello-world-linux');
    Template.fromStack(stack).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('given an unknown name, when it is added, then a warning names it and how to grant what it calls, in Python too, and nothing is granted', () => {
    const { stack } = profileWith('made-up-component-linux');
    Template.fromStack(stack).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp("'made-up-component-linux' is not an AWS-managed component that this library knows.*"
      + 'grant them with addToPrincipalPolicy / add_to_principal_policy\\.'));
  });

  test('given a name that is no component name, when it is added, then an error names the method and the value', () => {
    const stack = new Stack();
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
    expect(() => profile.addAwsManagedComponent('arn:aws:s3:::bucket/key')).toThrow(
      /addAwsManagedComponent: componentName must be the name of an AWS-managed component .* got 'arn:aws:s3:::bucket\/key'/);
  });

  test('given an inspector component, when it is added, then AmazonInspectorFullAccess is attached with a warning that says why', () => {
    const { stack } = profileWith('inspector-test-linux');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: Match.arrayWith([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonInspectorFullAccess']] }]),
    });
    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp('needs the AWS managed policy AmazonInspectorFullAccess'));
  });

  test('given an imported role, when an inspector component is added, then the warning says to attach AmazonInspectorFullAccess outside the app', () => {
    const stack = new Stack(new App(), 'Stack');
    const role = iam.Role.fromRoleArn(stack, 'Team', 'arn:aws:iam::111122223333:role/TeamRole');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { role });

    profile.addAwsManagedComponent('inspector-test-windows');

    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp(
      "needs the AWS managed policy AmazonInspectorFullAccess.*the role 'Stack/Team' is imported, so CloudFormation cannot attach it: attach it outside this app\\."));
  });

  test('given an imported role, when an inspector component is added, then only our warnings: none of aws-cdk-lib about the managed policy', () => {
    const stack = new Stack(new App(), 'Stack');
    const role = iam.Role.fromRoleArn(stack, 'Team', 'arn:aws:iam::111122223333:role/TeamRole');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { role });

    profile.addAwsManagedComponent('inspector-test-linux');

    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue());
    expect(warnings.map(w => `${w.id} ${/\[ack: ([^\]]+)\]$/.exec(String(w.entry.data))?.[1]}`)).toEqual([
      '/Stack/Profile cdk-imagebuilder-instance-profile:importedRoleManagedPolicies',
      '/Stack/Profile cdk-imagebuilder-instance-profile:awsManagedComponentPolicy',
    ]);
  });

  test('given an immutable role, when a component with needs is added, then an error names the method and what could not be granted', () => {
    const stack = new Stack(new App(), 'Stack');
    const role = iam.Role.fromRoleArn(stack, 'Team', 'arn:aws:iam::111122223333:role/TeamRole', { mutable: false });
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { role });

    expect(() => profile.addAwsManagedComponent('ebs-volume-usage-test-linux')).toThrow(/addAwsManagedComponent: the role 'Stack\/Team' cannot take new policies/);
  });

  test('given a component that needs nothing, when the profile is made, then AmazonInspectorFullAccess is not attached', () => {
    const { stack } = profileWith('ebs-volume-usage-test-linux');
    const role = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0];
    expect(JSON.stringify(role)).not.toContain('AmazonInspectorFullAccess');
  });

  test('given the same component added twice, when synthesized, then each statement appears once', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
    profile.addAwsManagedComponent('ebs-volume-usage-test-linux');
    profile.addAwsManagedComponent('ebs-volume-usage-test-windows');
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
    const statements = policies.flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements.filter((s: any) => [s.Action].flat().includes('ec2:CreateVolume'))).toHaveLength(1);
  });
});

describe('addAwsManagedComponent for a profile that builds in another region too', () => {
  test('given a pipeline of eu-west-1 that uses a profile of us-east-1, when the component is added, then its build instance may create and attach its volume in eu-west-1', async () => {
    // given a profile of us-east-1 and an infrastructure configuration of eu-west-1 that uses it (cross-region references)
    const app = new App();
    const env = (region: string) => ({ env: { account: ACCOUNT, region }, crossRegionReferences: true });
    const profiles = new Stack(app, 'Profiles', env(REGION));
    const profile = new ImageBuilderInstanceProfile(profiles, 'Profile');
    new imagebuilder.CfnInfrastructureConfiguration(new Stack(app, 'Pipelines', env('eu-west-1')), 'Infrastructure', {
      name: 'infrastructure', instanceProfileName: profile.instanceProfileName,
    });

    // when
    profile.addAwsManagedComponent('ebs-volume-usage-test-linux');

    // then the calls of the build instance of eu-west-1 are allowed there
    const template = Template.fromStack(profiles).toJSON() as any;
    const permissions = EffectivePermissions.ofRole(template, profiles.getLogicalId(profile.role.node.defaultChild as iam.CfnRole));
    const instanceArn = `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/${INSTANCE_ID}`;
    const context = { 'aws:RequestedRegion': 'eu-west-1', 'ec2:Region': 'eu-west-1', 'ec2:SourceInstanceARN': instanceArn };
    expect(await permissions.decide('ec2:CreateVolume', `arn:aws:ec2:eu-west-1:${ACCOUNT}:volume/vol-0123456789abcdef0`, context)).toBe('Allowed');
    expect(await permissions.decide('ec2:AttachVolume', instanceArn, { ...context, 'ec2:InstanceID': INSTANCE_ID })).toBe('Allowed');
  });
});

describe('addAwsManagedComponent on volumes and interfaces: as README states, any of the account and region', () => {
  // the component's volume gets its id when the build runs, and AWS documents no tag that it carries: no narrower
  // resource or condition is known, and README says what follows from that
  test('given ebs-volume-usage-test, when the build instance deletes or attaches a volume of the account that it did not create, then IAM allows it; one of another account stays denied', async () => {
    // given
    const { permissions } = profileWith('ebs-volume-usage-test-linux');
    const volume = (account: string) => `arn:aws:ec2:${REGION}:${account}:volume/vol-0aaaaaaaaaaaaaaaa`;
    const context = { 'aws:RequestedRegion': REGION, 'ec2:Region': REGION, 'ec2:SourceInstanceARN': INSTANCE_ARN, 'aws:ResourceTag/Name': 'production-db' };

    // when / then
    expect(await permissions.decide('ec2:DeleteVolume', volume(ACCOUNT), context)).toBe('Allowed');
    expect(await permissions.decide('ec2:AttachVolume', volume(ACCOUNT), context)).toBe('Allowed');
    expect(await permissions.decide('ec2:DeleteVolume', volume(OTHER_ACCOUNT), context)).toBe('ImplicitlyDenied');
  });
});
