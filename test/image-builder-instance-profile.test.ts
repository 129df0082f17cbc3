import * as fs from 'fs';
import { join } from 'path';
import { Annotations, App, CfnParameter, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations as AssertAnnotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ImageBuilderInstanceProfile } from '../src';
import { downloadDocument, uploadDocument } from './helpers/component-documents';
import { WorkshopStack } from '../examples/workshop';

const SSM_CORE = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] };
const IMAGE_BUILDER = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/EC2InstanceProfileForImageBuilder']] };
const CONTAINER_BUILDS = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/EC2InstanceProfileForImageBuilderECRContainerBuilds']] };

function newStack(): Stack {
  return new Stack(new App(), 'Stack');
}

function logicalIdOf(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

describe('the role', () => {
  test('trusts ec2.amazonaws.com and nothing else', () => {
    // given
    const stack = newStack();

    // when
    new ImageBuilderInstanceProfile(stack, 'Profile');

    // then
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' } }],
      },
    });
  });

  test('holds exactly the two required AWS managed policies, with partition-aware ARNs', () => {
    const stack = newStack();

    new ImageBuilderInstanceProfile(stack, 'Profile');

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [SSM_CORE, IMAGE_BUILDER],
    });
  });

  test('no ARN names a literal partition, so the template deploys in aws-cn and aws-us-gov too', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '111122223333', region: 'cn-north-1' } });
    const bucket = new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.KMS });

    new ImageBuilderInstanceProfile(stack, 'Profile', { containerBuilds: true, artifactLocations: [{ bucket }], logLocation: { bucket } });

    const json = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(json).toContain(':iam::aws:policy/AmazonSSMManagedInstanceCore');
    expect(json).not.toMatch(/arn:aws[a-z-]*:/);
  });

  test('containerBuilds adds EC2InstanceProfileForImageBuilderECRContainerBuilds', () => {
    const stack = newStack();

    new ImageBuilderInstanceProfile(stack, 'Profile', { containerBuilds: true });

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [SSM_CORE, IMAGE_BUILDER, CONTAINER_BUILDS],
    });
  });

  test('managedPolicies and addManagedPolicy add to the required policies', () => {
    const stack = newStack();
    const extra = new iam.ManagedPolicy(stack, 'Extra', { statements: [new iam.PolicyStatement({ actions: ['ec2:DescribeImages'], resources: ['*'] })] });

    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { managedPolicies: [extra] });
    profile.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchAgentServerPolicy'));

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [
        SSM_CORE,
        IMAGE_BUILDER,
        { Ref: stack.getLogicalId(extra.node.defaultChild as iam.CfnManagedPolicy) },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/CloudWatchAgentServerPolicy']] },
      ],
    });
  });

  test('roleName, path, description and permissionsBoundary configure the new role', () => {
    const stack = newStack();
    const boundary = iam.ManagedPolicy.fromManagedPolicyName(stack, 'Boundary', 'ImageBuilderBoundary');

    new ImageBuilderInstanceProfile(stack, 'Profile', {
      roleName: 'TeamRole',
      path: '/imagebuilder/',
      description: 'Image Builder build and test instances',
      permissionsBoundary: boundary,
    });

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'TeamRole',
      Path: '/imagebuilder/',
      Description: 'Image Builder build and test instances',
      PermissionsBoundary: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':policy/ImageBuilderBoundary']] },
    });
  });
});

describe('the instance profile', () => {
  test('holds the role and takes roleName as its name, as the IAM console does', () => {
    const stack = newStack();

    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { roleName: 'TeamRole', path: '/imagebuilder/' });

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::InstanceProfile', {
      InstanceProfileName: 'TeamRole',
      Path: '/imagebuilder/',
      Roles: [{ Ref: logicalIdOf(stack, profile.role) }],
    });
    expect(stack.resolve(profile.instanceProfileName)).toEqual({ Ref: logicalIdOf(stack, profile.instanceProfile) });
    expect(profile.instanceProfile.role).toBe(profile.role);
  });

  test('instanceProfileName overrides the name taken from roleName', () => {
    const stack = newStack();

    new ImageBuilderInstanceProfile(stack, 'Profile', { roleName: 'TeamRole', instanceProfileName: 'TeamProfile' });

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::InstanceProfile', { InstanceProfileName: 'TeamProfile' });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', { RoleName: 'TeamRole' });
  });

  test('is named by CloudFormation when no name is given', () => {
    const stack = newStack();

    new ImageBuilderInstanceProfile(stack, 'Profile');

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::InstanceProfile', { InstanceProfileName: Match.absent() });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', { RoleName: Match.absent() });
  });

  test('exposes a partition-aware ARN', () => {
    const stack = newStack();

    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');

    expect(stack.resolve(profile.instanceProfileArn)).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack, profile.instanceProfile), 'Arn'] });
  });

  test('is what an Image Builder infrastructure configuration refers to', () => {
    const stack = newStack();
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { roleName: 'TeamRole' });

    new imagebuilder.CfnInfrastructureConfiguration(stack, 'Infra', {
      name: 'workshop',
      instanceProfileName: profile.instanceProfileName,
    });

    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::InfrastructureConfiguration', {
      InstanceProfileName: { Ref: logicalIdOf(stack, profile.instanceProfile) },
    });
  });

  test('depends on every policy of the role, including grants added after construction', () => {
    // given
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { artifactLocations: [{ bucket, keyPrefix: 'components' }] });
    const userPolicy = new iam.Policy(profile.role, 'UserPolicy', {
      statements: [new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:us-east-1:111122223333:parameter/x'] })],
    });
    userPolicy.attachToRole(profile.role);

    // when
    const later = new s3.Bucket(stack, 'Later');
    later.grantRead(profile);

    // then
    const template = Template.fromStack(stack);
    const policies = Object.keys(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(2);
    const profileResource = Object.values(template.findResources('AWS::IAM::InstanceProfile'))[0];
    expect(profileResource.DependsOn).toEqual(expect.arrayContaining(policies));
    // the Ref to the role already orders them: a DependsOn would be redundant (cfn-lint W3005)
    expect(profileResource.DependsOn).not.toContain(logicalIdOf(stack, profile.role));
  });

  test('depends on the construct\'s own managed policies, however many the statements fill', () => {
    const stack = newStack();
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
    for (let i = 0; i < 80; i++) {
      const bucket = s3.Bucket.fromBucketName(stack, `Bucket${i}`, `artifact-bucket-with-a-rather-long-name-${i}`);
      profile.addArtifactLocation({ bucket, keyPrefix: `components/team-${i}/with/a/deep/prefix` });
    }

    const template = Template.fromStack(stack);

    const own = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(own.length).toBeGreaterThan(1);
    const profileResource = Object.values(template.findResources('AWS::IAM::InstanceProfile'))[0];
    expect(profileResource.DependsOn).toEqual(expect.arrayContaining(own));
  });

  test('depends on policies of the app attached to the role with roles:, wherever they are created', () => {
    // given policies that are not children of the role
    const stack = newStack();
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
    const statement = new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:us-east-1:111122223333:parameter/x'] });
    new iam.Policy(stack, 'Inline', { roles: [profile.role], statements: [statement] });
    new iam.ManagedPolicy(stack, 'Managed', { roles: [profile.role], statements: [statement] });
    const other = new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    new iam.Policy(stack, 'Elsewhere', { roles: [other], statements: [statement] });

    // then
    const profileResource = Object.values(Template.fromStack(stack).findResources('AWS::IAM::InstanceProfile'))[0];
    expect(profileResource.DependsOn).toEqual(expect.arrayContaining([
      logicalIdOf(stack, stack.node.findChild('Inline')),
      logicalIdOf(stack, stack.node.findChild('Managed')),
    ]));
    expect(profileResource.DependsOn).not.toContain(logicalIdOf(stack, stack.node.findChild('Elsewhere')));
  });
});

describe('the construct\'s own statements', () => {
  test('are in a customer managed policy attached to the role, and the role has no inline policy', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');

    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', {
      artifactLocations: [{ bucket, keyPrefix: 'components' }],
      logLocation: { bucket, keyPrefix: 'logs' },
    });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: logicalIdOf(stack, profile.role) }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 's3:GetObject' }), Match.objectLike({ Action: 's3:PutObject' })]) },
    });
    expect(stack.resolve((stack.node.findChild('Profile').node.findChild('Policy').node.defaultChild as iam.CfnManagedPolicy).logicalId))
      .toMatch(/^ProfilePolicy/);
  });

  test('grants made to the profile by the user stay in the role\'s default policy', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { artifactLocations: [{ bucket, keyPrefix: 'components' }] });

    bucket.grantRead(profile);

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalIdOf(stack, profile.role) }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: Match.arrayWith(['s3:GetObject*']) })] },
    });
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
  });

  test('are split into managed policies of at most 6,144 characters once deployed', () => {
    // given 60 folders in 20 in-app buckets with generated names: ARNs known only at deployment
    const stack = newStack();
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
    const buckets = Array.from({ length: 20 }, (_, i) => new s3.Bucket(stack, `Bucket${i}`, { encryption: s3.BucketEncryption.KMS }));
    for (let i = 0; i < 60; i++) {
      profile.addArtifactLocation({ bucket: buckets[i % 20], keyPrefix: `components/team-${i}/with/a/rather/deep/prefix/for/the/test` });
    }
    profile.addArtifactLocation({ bucket: buckets[0], keyPrefix: 'scripts' });

    const template = Template.fromStack(stack).toJSON();

    // then: with each bucket named as long as S3 allows (63 characters), every document stays within IAM's limit
    const longest = (id: string) => `arn:aws-us-gov:s3:::${id.toLowerCase().padEnd(63, 'x').slice(0, 63)}`;
    const policies = Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::IAM::ManagedPolicy') as any[];
    expect(policies.length).toBeGreaterThan(1);
    for (const policy of policies) {
      const deployed = JSON.stringify(policy.Properties.PolicyDocument, (_key, value) => {
        if (value?.['Fn::GetAtt']?.[1] === 'Arn') {
          const id: string = value['Fn::GetAtt'][0];
          return id.startsWith('Bucket') ? longest(id) : `arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/${'k'.repeat(36)}`;
        }
        if (value?.Ref === 'AWS::Partition') {
          return 'aws-us-gov';
        }
        return value?.['Fn::Join'] ? value['Fn::Join'][1].map((part: any) => typeof part === 'string' ? part : part.Ref === 'AWS::Partition' ? 'aws-us-gov' : longest(part['Fn::GetAtt']?.[0] ?? part.Ref)).join(value['Fn::Join'][0]) : value;
      });
      expect(deployed.length).toBeLessThanOrEqual(6_144);
    }
    // and nothing was lost in the split
    const resources = policies.flatMap(p => p.Properties.PolicyDocument.Statement).flatMap((st: any) => [st.Resource].flat());
    expect(resources.filter((r: any) => JSON.stringify(r).includes('/components/team-'))).toHaveLength(60);
  });

  test('go to a role that the user brings, attached through the managed policy', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Mine', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const bucket = new s3.Bucket(stack, 'Bucket');

    new ImageBuilderInstanceProfile(stack, 'Profile', { role, artifactLocations: [{ bucket, keyPrefix: 'components' }] });

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', { Roles: [{ Ref: logicalIdOf(stack, role) }] });
  });
});

describe('bring your own role', () => {
  test('creates no second role and adds the required managed policies to the given one', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Mine', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });

    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { role });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: [SSM_CORE, IMAGE_BUILDER] });
    template.hasResourceProperties('AWS::IAM::InstanceProfile', { Roles: [{ Ref: logicalIdOf(stack, role) }] });
    expect(profile.role).toBe(role);
    expect(profile.grantPrincipal).toBe(role);
  });

  test('a mutable imported role gets the grants, and a warning that its managed policies must be attached outside the app', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleName(stack, 'Team', 'TeamRole');
    const bucket = new s3.Bucket(stack, 'Bucket');

    new ImageBuilderInstanceProfile(stack, 'Profile', { role, artifactLocations: [{ bucket }] });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Role', 0);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: ['TeamRole'],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 's3:GetObject' })]) },
    });
    AssertAnnotations.fromStack(stack).hasWarning('/Stack/Profile',
      Match.stringLikeRegexp('imported, so CloudFormation cannot attach managed policies.*AmazonSSMManagedInstanceCore and EC2InstanceProfileForImageBuilder'));
  });

  test('an iam.LazyRole of the app gets the required managed policies, with no warning that they must be attached outside the app', () => {
    // given
    const stack = newStack();
    const role = new iam.LazyRole(stack, 'Lazy', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });

    // when
    new ImageBuilderInstanceProfile(stack, 'Profile', { role });

    // then
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: Match.arrayWith([
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/EC2InstanceProfileForImageBuilder']] },
      ]),
    });
    expect(AssertAnnotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('an imported role gives one warning, ours: acknowledging it leaves none of aws-cdk-lib about the managed policies', () => {
    // given
    const [warned, acknowledged] = [newStack(), newStack()];

    // when
    for (const stack of [warned, acknowledged]) {
      new ImageBuilderInstanceProfile(stack, 'Profile', { role: iam.Role.fromRoleName(stack, 'Team', 'TeamRole') });
    }
    Annotations.of(acknowledged).acknowledgeWarning('cdk-imagebuilder-instance-profile:importedRoleManagedPolicies', 'TeamRole has them');

    // then
    const warnings = AssertAnnotations.fromStack(warned).findWarning('*', Match.anyValue());
    expect(warnings.map(w => ({ path: w.id, message: w.entry.data }))).toEqual([{
      path: '/Stack/Profile',
      message: expect.stringMatching(/^The role 'Stack\/Team' is imported, .*\[ack: cdk-imagebuilder-instance-profile:importedRoleManagedPolicies\]$/),
    }]);
    expect(AssertAnnotations.fromStack(acknowledged).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('an imported role with managedPolicies: our warnings name every managed policy to attach outside the app, and aws-cdk-lib adds none', () => {
    // given
    const stack = newStack();
    const role = iam.Role.fromRoleName(stack, 'Team', 'TeamRole');
    const team = new iam.ManagedPolicy(stack, 'TeamPolicy', {
      statements: [new iam.PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] })],
    });

    // when
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', {
      role,
      containerBuilds: true,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'), iam.ManagedPolicy.fromManagedPolicyName(stack, 'Extra', 'Extra')],
    });
    profile.addManagedPolicy(team);

    // then
    const warnings = AssertAnnotations.fromStack(stack).findWarning('*', Match.anyValue());
    expect(warnings.map(w => w.entry.data)).toEqual([
      "The role 'Stack/Team' is imported, so CloudFormation cannot attach managed policies to it: make sure it already has "
      + 'AmazonSSMManagedInstanceCore, EC2InstanceProfileForImageBuilder, EC2InstanceProfileForImageBuilderECRContainerBuilds, ReadOnlyAccess '
      + "and 'arn:<AWS::Partition>:iam::<AWS::AccountId>:policy/Extra'. "
      + '[ack: cdk-imagebuilder-instance-profile:importedRoleManagedPolicies]',
      "addManagedPolicy: the role 'Stack/Team' is imported, so CloudFormation cannot attach managed policies to it: make sure it already has "
      + "'Stack/TeamPolicy'. [ack: cdk-imagebuilder-instance-profile:importedRoleManagedPolicies]",
    ]);
  });

  test('an immutable imported role that would drop the S3 grants is an error', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleName(stack, 'Team', 'TeamRole', { mutable: false });
    const bucket = new s3.Bucket(stack, 'Bucket');

    expect(() => new ImageBuilderInstanceProfile(stack, 'Profile', { role, artifactLocations: [{ bucket }] }))
      .toThrow(/artifactLocations: the role 'Stack\/Team' cannot take new policies \(it is immutable/);
  });

  test.each([
    ['roleName', { roleName: 'TeamRole' }],
    ['description', { description: 'x' }],
    ['path', { path: '/x/' }],
  ])('role together with %s is an error', (prop, extra) => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Mine', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });

    expect(() => new ImageBuilderInstanceProfile(stack, 'Profile', { role, ...extra }))
      .toThrow(new RegExp(`role cannot be combined with ${prop}: .*got role 'Stack/Mine'`));
  });

  test('role together with permissionsBoundary is an error', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Mine', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const permissionsBoundary = iam.ManagedPolicy.fromManagedPolicyName(stack, 'Boundary', 'Boundary');

    expect(() => new ImageBuilderInstanceProfile(stack, 'Profile', { role, permissionsBoundary }))
      .toThrow(/role cannot be combined with permissionsBoundary/);
  });
});

describe('imported instance profiles', () => {
  test('fromInstanceProfileName creates no resources and gives the name and a partition-aware ARN', () => {
    const stack = newStack();

    const imported = ImageBuilderInstanceProfile.fromInstanceProfileName(stack, 'Team', 'TeamRole');

    expect(Object.keys(Template.fromStack(stack).toJSON().Resources ?? {})).toHaveLength(0);
    expect(imported.instanceProfileName).toEqual('TeamRole');
    expect(stack.resolve(imported.instanceProfileArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':instance-profile/TeamRole']],
    });
  });

  test('fromInstanceProfileAttributes puts the path in the ARN and sends grants to the role', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '111122223333', region: 'us-gov-west-1' } });
    const role = iam.Role.fromRoleName(stack, 'Role', 'TeamRole');
    const bucket = new s3.Bucket(stack, 'Bucket');

    const imported = ImageBuilderInstanceProfile.fromInstanceProfileAttributes(stack, 'Team', {
      instanceProfileName: 'TeamRole',
      path: '/imagebuilder/',
      role,
    });
    bucket.grantRead(imported);

    expect(stack.resolve(imported.instanceProfileArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:instance-profile/imagebuilder/TeamRole']],
    });
    expect(imported.grantPrincipal).toBe(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', { Roles: ['TeamRole'] });
  });

  test('a grant to a profile imported without its role is an error that says how to give the role, in Python too', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const imported = ImageBuilderInstanceProfile.fromInstanceProfileName(stack, 'Team', 'TeamRole');

    expect(() => bucket.grantRead(imported)).toThrow(
      "'Stack/Team' was imported without its role, so nothing can be granted to it: import it with "
      + 'ImageBuilderInstanceProfile.fromInstanceProfileAttributes / from_instance_profile_attributes and give its role');
    expect(() => imported.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] })))
      .toThrow(/imported without its role/);
  });

  test('an imported profile is usable in an infrastructure configuration', () => {
    const stack = newStack();
    const imported = ImageBuilderInstanceProfile.fromInstanceProfileName(stack, 'Team', 'TeamRole');

    new imagebuilder.CfnInfrastructureConfiguration(stack, 'Infra', { name: 'hosted', instanceProfileName: imported.instanceProfileName });

    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::InfrastructureConfiguration', { InstanceProfileName: 'TeamRole' });
  });

  test('fromInstanceProfileArn gives that ARN and the name that ends it, path or not', () => {
    const stack = newStack();

    const imported = ImageBuilderInstanceProfile.fromInstanceProfileArn(stack, 'Team',
      'arn:aws:iam::111122223333:instance-profile/imagebuilder/team/TeamRole');

    expect(imported.instanceProfileArn).toEqual('arn:aws:iam::111122223333:instance-profile/imagebuilder/team/TeamRole');
    expect(imported.instanceProfileName).toEqual('TeamRole');
    expect(imported.role).toBeUndefined();
  });

  test('an ARN that is not an instance profile\'s is an error that shows it', () => {
    const stack = newStack();

    expect(() => ImageBuilderInstanceProfile.fromInstanceProfileArn(stack, 'Team', 'arn:aws:iam::111122223333:role/TeamRole'))
      .toThrow("instanceProfileArn must be an IAM instance profile ARN such as 'arn:aws:iam::111122223333:instance-profile/imagebuilder/TeamRole', "
        + "got 'arn:aws:iam::111122223333:role/TeamRole'");
    expect(() => ImageBuilderInstanceProfile.fromInstanceProfileAttributes(stack, 'Neither', {}))
      .toThrow('fromInstanceProfileAttributes needs instanceProfileArn or instanceProfileName, got neither');
  });

  test('a path that is a token gives a correct ARN at deployment', () => {
    const stack = newStack();
    const path = new CfnParameter(stack, 'Path').valueAsString;

    const imported = ImageBuilderInstanceProfile.fromInstanceProfileAttributes(stack, 'Team', { instanceProfileName: 'TeamRole', path });

    expect(stack.resolve(imported.instanceProfileArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':instance-profile', { Ref: 'Path' }, 'TeamRole']],
    });
  });

  test('an ARN that is a token gives the name of a profile at the path /', () => {
    const stack = newStack();
    const arn = new CfnParameter(stack, 'Arn').valueAsString;

    const imported = ImageBuilderInstanceProfile.fromInstanceProfileArn(stack, 'Team', arn);

    expect(stack.resolve(imported.instanceProfileName)).toEqual({
      'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::Select': [5, { 'Fn::Split': [':', { Ref: 'Arn' }] }] }] }],
    });
  });

  test('imported profiles and the construct are aws-cdk-lib instance profiles', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleName(stack, 'Role', 'TeamRole');
    const asInstanceProfile = (profile: iam.IInstanceProfile) => profile;

    const imported = asInstanceProfile(ImageBuilderInstanceProfile.fromInstanceProfileAttributes(stack, 'Team', { instanceProfileName: 'TeamRole', role }));
    const created = asInstanceProfile(new ImageBuilderInstanceProfile(stack, 'Profile'));

    expect(imported.role).toBe(role);
    // seen as an iam.IInstanceProfile, the created profile's role is the role its AWS::IAM::InstanceProfile holds
    expect(created.role).toBeDefined();
    const roleId = logicalIdOf(stack, created.role!);
    expect(Template.fromStack(stack).toJSON().Resources[roleId]?.Type).toBe('AWS::IAM::Role');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::InstanceProfile', { Roles: [{ Ref: roleId }] });
  });

  test('a bad imported name is an error', () => {
    const stack = newStack();

    expect(() => ImageBuilderInstanceProfile.fromInstanceProfileName(stack, 'Team', 'Team Role'))
      .toThrow("instanceProfileName must be 1-128 characters of [A-Za-z0-9+=,.@_-], got 'Team Role'");
  });
});

describe('input validation', () => {
  test.each([
    ['roleName', { roleName: 'bad name!' }, "roleName must be 1-64 characters of [A-Za-z0-9+=,.@_-], got 'bad name!' (9 characters)"],
    ['roleName', { roleName: 'r'.repeat(65) }, `roleName must be 1-64 characters of [A-Za-z0-9+=,.@_-], got '${'r'.repeat(65)}' (65 characters)`],
    ['roleName', { roleName: '' }, "roleName must be 1-64 characters of [A-Za-z0-9+=,.@_-], got '' (0 characters)"],
    ['instanceProfileName', { instanceProfileName: 'p'.repeat(129) }, 'instanceProfileName must be 1-128 characters'],
    ['instanceProfileName', { instanceProfileName: 'team/profile' }, "instanceProfileName must be 1-128 characters of [A-Za-z0-9+=,.@_-], got 'team/profile'"],
    ['path', { path: 'imagebuilder/' }, "path must be 1-512 printable ASCII characters that start and end with '/' (for example '/imagebuilder/'), got 'imagebuilder/'"],
    ['path', { path: '/imagebuilder' }, "got '/imagebuilder'"],
    ['path', { path: `/${'p'.repeat(511)}/` }, 'path must be 1-512'],
    ['path', { path: '/image builder/' }, "got '/image builder/'"],
    ['description', { description: 'd'.repeat(1001) }, 'description must be at most 1000 characters, got 1001 characters'],
  ])('a bad %s is an error that names it and shows the value', (_prop, props, message) => {
    const stack = newStack();

    expect(() => new ImageBuilderInstanceProfile(stack, 'Profile', props)).toThrow(message);
  });

  test.each([
    ['/components', "artifactLocations[0].keyPrefix must not start with '/'"],
    ['components//v1', "artifactLocations[0].keyPrefix must not contain an empty folder name ('//')"],
  ])('the key prefix %s is an error that names the prop and shows the value', (keyPrefix, message) => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');

    expect(() => new ImageBuilderInstanceProfile(stack, 'Profile', { artifactLocations: [{ bucket, keyPrefix }] }))
      .toThrow(`${message}: give the folder as a plain S3 key prefix such as 'components' or 'logs/imagebuilder', got '${keyPrefix}'`);
  });

  test('the log key prefix and addArtifactLocation are validated too', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');

    expect(() => new ImageBuilderInstanceProfile(stack, 'A', { logLocation: { bucket, keyPrefix: '/logs' } }))
      .toThrow("logLocation.keyPrefix must not start with '/'");
    const profile = new ImageBuilderInstanceProfile(stack, 'B');
    expect(() => profile.addArtifactLocation({ bucket, keyPrefix: 'a//b' })).toThrow(/^keyPrefix must not contain an empty folder name \('\/\/'\): .*got 'a\/\/b'$/);
  });

  test('tokens are not validated as literals', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const name = new CfnParameter(stack, 'Name').valueAsString;
    const prefix = new CfnParameter(stack, 'Prefix').valueAsString;

    new ImageBuilderInstanceProfile(stack, 'Profile', {
      roleName: name,
      instanceProfileName: Lazy.string({ produce: () => 'a bad name, if it were a literal' }),
      path: new CfnParameter(stack, 'Path').valueAsString,
      description: new CfnParameter(stack, 'Description').valueAsString,
      artifactLocations: [{ bucket, keyPrefix: prefix }],
    });

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', { RoleName: { Ref: 'Name' }, Path: { Ref: 'Path' } });
  });
});

describe('IAM managed policy limits', () => {
  function profileWithExtraPolicies(count: number): Stack {
    const stack = newStack();
    const managedPolicies = Array.from({ length: count }, (_, i) => iam.ManagedPolicy.fromManagedPolicyName(stack, `P${i}`, `Policy${i}`));
    new ImageBuilderInstanceProfile(stack, 'Profile', { managedPolicies });
    return stack;
  }

  test('the construct\'s own managed policy counts toward the quota', () => {
    const stack = newStack();
    const managedPolicies = Array.from({ length: 8 }, (_, i) => iam.ManagedPolicy.fromManagedPolicyName(stack, `P${i}`, `Policy${i}`));

    new ImageBuilderInstanceProfile(stack, 'Profile', { managedPolicies, artifactLocations: [{ bucket: new s3.Bucket(stack, 'Bucket') }] });

    AssertAnnotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp('The role would hold 11 managed policies'));
  });

  test('ten managed policies give no warning', () => {
    const stack = profileWithExtraPolicies(8);

    AssertAnnotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('more than ten managed policies is a warning about the default quota', () => {
    const stack = profileWithExtraPolicies(9);

    AssertAnnotations.fromStack(stack).hasWarning('/Stack/Profile',
      Match.stringLikeRegexp("^The role would hold 11 managed policies, more than IAM's default quota of 10 managed policies per role: "
        + 'request a quota increase \\(up to 20\\) before deploying, or combine policies\\.'));
  });

  test('twenty managed policies synthesize', () => {
    const stack = profileWithExtraPolicies(18);

    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('more than twenty managed policies is an error', () => {
    const stack = profileWithExtraPolicies(19);

    expect(() => Template.fromStack(stack)).toThrow(/managedPolicies: the role would hold 21 managed policies, but IAM allows at most 20 per role: /);
  });

  test('policies added later with addManagedPolicy count too', () => {
    const stack = profileWithExtraPolicies(18);
    const profile = stack.node.findChild('Profile') as ImageBuilderInstanceProfile;

    profile.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyName(stack, 'Late', 'Late'));

    expect(() => Template.fromStack(stack)).toThrow(/would hold 21 managed policies/);
  });
});

describe('grants', () => {
  test('no statement that the construct adds has Resource "*"', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.KMS });

    new ImageBuilderInstanceProfile(stack, 'Profile', {
      artifactLocations: [{ bucket }, { bucket, keyPrefix: 'components' }],
      logLocation: { bucket },
      containerBuilds: true,
    });

    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))
      .flatMap(policy => policy.Properties.PolicyDocument.Statement);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect([statement.Resource].flat()).not.toContain('*');
    }
  });

  test('no ARN has a double slash, whatever the trailing slash of the prefix', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'artifacts');

    new ImageBuilderInstanceProfile(stack, 'Profile', {
      artifactLocations: [{ bucket, keyPrefix: 'components/' }, { bucket, keyPrefix: 'scripts' }],
      logLocation: { bucket, keyPrefix: 'logs/' },
    });

    const json = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(json).toContain(':s3:::artifacts/components/*');
    expect(json).toContain(':s3:::artifacts/scripts/*');
    expect(json).toContain(':s3:::artifacts/logs/*');
    expect(json.replace(/https?:\/\//g, '')).not.toMatch(/[^:]\/\//);
  });

  test('the same folder added twice is granted once', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');

    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { artifactLocations: [{ bucket, keyPrefix: 'components' }] });
    profile.addArtifactLocation({ bucket, keyPrefix: 'components/' });

    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement).toHaveLength(2);
  });

  test('addToPrincipalPolicy adds to the role', () => {
    const stack = newStack();
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');

    const result = profile.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:us-east-1:111122223333:parameter/ami'] }));

    expect(result.statementAdded).toBe(true);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalIdOf(stack, profile.role) }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'ssm:GetParameter' })] },
    });
  });
});

describe('instanceProfileWithoutRole', () => {
  test('names the same instance profile and exposes no role, so nothing can widen the role through it', () => {
    const stack = newStack();
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');

    const without = profile.instanceProfileWithoutRole;

    expect(without.role).toBeUndefined();
    expect(stack.resolve(without.instanceProfileName)).toEqual(stack.resolve(profile.instanceProfileName));
    expect(stack.resolve(without.instanceProfileArn)).toEqual(stack.resolve(profile.instanceProfileArn));
    expect(stack.resolve((without as any).instanceProfileRef)).toEqual(stack.resolve(profile.instanceProfileRef));
    expect(profile.instanceProfileWithoutRole).toBe(without);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::InstanceProfile', 1);
  });

  test('a policy that grants more than s3:PutObject on the logs of a configuration of this profile is a warning that says what to write instead, in Python too', () => {
    // what the alpha InfrastructureConfiguration does when it gets profile.instanceProfile and S3 logging
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Logs');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { logLocation: { bucket, keyPrefix: 'logs' } });
    new imagebuilder.CfnInfrastructureConfiguration(stack, 'Infra', {
      name: 'i', instanceProfileName: profile.instanceProfileName, logging: { s3Logs: { s3BucketName: bucket.bucketName, s3KeyPrefix: 'logs' } },
    });

    bucket.grantPut(profile.instanceProfile.role!, 'logs/*');

    AssertAnnotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp(
      "'Stack/Profile/Role/DefaultPolicy' allows s3:PutObjectLegalHold, s3:PutObjectRetention, s3:PutObjectTagging, s3:PutObjectVersionTagging, s3:Abort\\* "
      + '.*in the S3 log folder of .*, beyond the s3:PutObject that log delivery needs. InfrastructureConfiguration of @aws-cdk/aws-imagebuilder-alpha '
      + "grants this with the bucket's grantPut / grant_put when it gets the profile's instanceProfile / instance_profile and S3 logging: "
      + "give it the profile's instanceProfileWithoutRole / instance_profile_without_role instead, and the log folder to the profile as its "
      + 'logLocation / log_location, which grants s3:PutObject only'));
  });

  test('no such warning without a configuration that logs with this profile', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Logs');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');

    bucket.grantPut(profile, 'logs/*');

    AssertAnnotations.fromStack(stack).hasNoWarning('/Stack/Profile', Match.anyValue());
  });
});

describe('folders that are both read and written', () => {
  test.each([
    ['inside an artifact folder', 'components/logs', "logLocation writes to 's3://artifacts/components/logs/\\*', which is inside 's3://artifacts/components/\\*'"],
    ['the artifact folder itself', 'components', "which is the same folder as 's3://artifacts/components/\\*'"],
    ['above an artifact folder', '', "logLocation writes to 's3://artifacts/\\*', which is above 's3://artifacts/components/\\*'"],
  ])('a log folder %s is a warning that names both and says what a build could do', (_what, logPrefix, message) => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Artifacts', 'artifacts');

    new ImageBuilderInstanceProfile(stack, 'Profile', {
      artifactLocations: [{ bucket, keyPrefix: 'components' }],
      logLocation: { bucket, keyPrefix: logPrefix || undefined },
    });

    AssertAnnotations.fromStack(stack).hasWarning('/Stack/Profile',
      Match.stringLikeRegexp(`${message} that artifactLocations reads: a build could overwrite the files that later builds download`));
  });

  test('a bucket with a generated name is named as <bucket path>, never as if its path were its name', () => {
    // given
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');

    // when
    profile.addArtifactLocation({ bucket, keyPrefix: 'a' });
    profile.addUploadLocation({ bucket, keyPrefix: 'a/b' });

    // then
    expect(AssertAnnotations.fromStack(stack).findWarning('/Stack/Profile', Match.anyValue()).map(w => w.entry.data)).toEqual([
      "addUploadLocation writes to 's3://<bucket Stack/Bucket>/a/b/*', which is inside 's3://<bucket Stack/Bucket>/a/*' that addArtifactLocation "
      + 'reads: a build could overwrite the files that later builds download there, and read what other builds write; keep the folders that '
      + 'builds write apart from the folders they read [ack: cdk-imagebuilder-instance-profile:readWriteOverlap]',
    ]);
  });

  test('an S3Upload into an artifact folder is a warning that names the step', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Artifacts', 'artifacts');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { artifactLocations: [{ bucket, keyPrefix: 'components' }] });

    profile.addComponentData(uploadDocument('publish', '/tmp/app.zip', 's3://artifacts/components/app.zip'));

    AssertAnnotations.fromStack(stack).hasWarning('/Stack/Profile',
      Match.stringLikeRegexp("step 'build/Publish' \\(S3Upload\\) writes to 's3://artifacts/components/app.zip', which is inside 's3://artifacts/components/\\*'"));
  });

  test('a log folder above an S3Download source of the same bucket is a warning that names the step and both folders', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Artifacts', 'artifacts');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { logLocation: { bucket } });

    profile.addComponentData(downloadDocument('install', 's3://artifacts/components/install.sh', '/tmp/install.sh'));

    AssertAnnotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp(
      "logLocation writes to 's3://artifacts/\\*', which is above 's3://artifacts/components/install.sh' that the component document given to addComponentData, "
      + "step 'build/Fetch' \\(S3Download\\) reads: a build could overwrite the files that later builds download"));
  });

  test('separate folders, and the same folder in two buckets, give no warning', () => {
    const stack = newStack();
    const artifacts = s3.Bucket.fromBucketName(stack, 'Artifacts', 'artifacts');

    new ImageBuilderInstanceProfile(stack, 'Profile', {
      artifactLocations: [{ bucket: artifacts, keyPrefix: 'components' }, { bucket: s3.Bucket.fromBucketName(stack, 'Other', 'other'), keyPrefix: 'logs' }],
      logLocation: { bucket: artifacts, keyPrefix: 'components-logs' },
    });

    AssertAnnotations.fromStack(stack).hasNoWarning('/Stack/Profile', Match.anyValue());
  });
});

describe('grants added after the policy was resolved', () => {
  test('are granted: no aws-cdk-lib freeze error escapes, and the template has them', () => {
    // resolving a policy document freezes its statements (PolicyStatement.freeze), as cdk-nag or a test may do
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Artifacts', 'artifacts');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { artifactLocations: [{ bucket, keyPrefix: 'components' }] });
    const policy = profile.node.findChild('Policy') as iam.ManagedPolicy;
    stack.resolve(policy.document);
    expect(policy.document.toJSON().Statement.length).toBeGreaterThan(0);

    profile.addArtifactLocation({ bucket, keyPrefix: 'scripts' });

    const json = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(json).toContain(':s3:::artifacts/components/*');
    expect(json).toContain(':s3:::artifacts/scripts/*');
  });
});

describe('upgrades', () => {
  // the ids CloudFormation knows the deployed workshop role and instance profile by (test/integ.workshop.ts.snapshot):
  // a change of either replaces them on the next deployment
  const ROLE_ID = 'TeamRoleE6B565D1';
  const INSTANCE_PROFILE_ID = 'TeamRoleInstanceProfile36271B8F';

  test('the role and the instance profile keep their logical ids, so an upgrade does not replace them', () => {
    const stack = new WorkshopStack(new App(), 'ImageBuilderInstanceProfileWorkshop');

    const resources = Template.fromStack(stack).toJSON().Resources;

    expect(Object.keys(resources).filter(id => resources[id].Type === 'AWS::IAM::Role')).toEqual([ROLE_ID]);
    expect(Object.keys(resources).filter(id => resources[id].Type === 'AWS::IAM::InstanceProfile')).toEqual([INSTANCE_PROFILE_ID]);
    expect(resources[INSTANCE_PROFILE_ID].Properties.Roles).toEqual([{ Ref: ROLE_ID }]);
  });

  test('the committed integration snapshot holds the same ids', () => {
    const snapshot = JSON.parse(fs.readFileSync(join(__dirname, 'integ.workshop.ts.snapshot', 'ImageBuilderInstanceProfileWorkshop.template.json'), 'utf8'));

    expect(snapshot.Resources[ROLE_ID]?.Type).toBe('AWS::IAM::Role');
    expect(snapshot.Resources[INSTANCE_PROFILE_ID]?.Type).toBe('AWS::IAM::InstanceProfile');
  });
});

describe('policies of the app attached to the role, written as IAM allows', () => {
  test('given S3 logging and a policy whose Statement is one object, as IAM allows, when synthesized, then synthesis does not throw', () => {
    // given an infrastructure configuration that logs to S3 with the profile, and a policy of the app whose Statement is an object
    const stack = newStack();
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
    new imagebuilder.CfnInfrastructureConfiguration(stack, 'Infrastructure', {
      name: 'infrastructure', instanceProfileName: profile.instanceProfileName, logging: { s3Logs: { s3BucketName: 'team-logs' } },
    });
    new iam.CfnRolePolicy(stack, 'Single', {
      roleName: profile.role.roleName, policyName: 'single', policyDocument: { Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } },
    });

    // when / then
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});
