import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { ImageBuilderInstanceProfile } from '../src';
import { ACCOUNT, EffectivePermissions, REGION } from './helpers/effective-permissions';

const REPOSITORY = (name: string) => `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;
const CONTAINER_BUILDS = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/EC2InstanceProfileForImageBuilderECRContainerBuilds']] };
const PUSH = ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'];
const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
const CONTEXT = { 'aws:PrincipalAccount': ACCOUNT };

function withRepositories(add?: (profile: ImageBuilderInstanceProfile, stack: Stack) => void) {
  const stack = new Stack(new App(), 'Stack');
  const profile = new ImageBuilderInstanceProfile(stack, 'Profile', {
    containerRepositories: [new ecr.Repository(stack, 'Images', { repositoryName: 'team/images' })],
  });
  add?.(profile, stack);
  const template = Template.fromStack(stack);
  const roleId = stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole);
  return { stack, profile, template, permissions: EffectivePermissions.ofRole(template.toJSON() as any, roleId) };
}

describe('containerRepositories', () => {
  const { template, permissions } = withRepositories(profile =>
    profile.addContainerRepository(ecr.Repository.fromRepositoryName(profile, 'Base', 'team/base')));

  test('does not attach EC2InstanceProfileForImageBuilderECRContainerBuilds, which pushes to every repository', () => {
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0];
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).not.toContain('ECRContainerBuilds');
  });

  test('the instances can push to and pull from their repositories, and to no other', async () => {
    for (const action of [...PUSH, ...PULL]) {
      expect([action, await permissions.decide(action, REPOSITORY('team/images'), CONTEXT)]).toEqual([action, 'Allowed']);
      expect([action, await permissions.decide(action, REPOSITORY('team/base'), CONTEXT)]).toEqual([action, 'Allowed']);
      expect([action, await permissions.decide(action, REPOSITORY('other/images'), CONTEXT)]).toEqual([action, 'ImplicitlyDenied']);
      expect([action, await permissions.decide(action, REPOSITORY('team/images-private'), CONTEXT)]).toEqual([action, 'ImplicitlyDenied']);
    }
  });

  test('nothing that manages the repository: no delete, policy or lifecycle action', async () => {
    for (const action of ['ecr:DeleteRepository', 'ecr:SetRepositoryPolicy', 'ecr:PutLifecyclePolicy', 'ecr:BatchDeleteImage']) {
      expect([action, await permissions.decide(action, REPOSITORY('team/images'), CONTEXT)]).toEqual([action, 'ImplicitlyDenied']);
    }
  });

  test('ecr:GetAuthorizationToken on *, which has no resource-level permission, and the container recipes of the account', async () => {
    expect(await permissions.decide('ecr:GetAuthorizationToken', '*', CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('imagebuilder:GetContainerRecipe', `arn:aws:imagebuilder:${REGION}:${ACCOUNT}:container-recipe/app/1.0.0`, CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('imagebuilder:GetContainerRecipe', `arn:aws:imagebuilder:${REGION}:999988887777:container-recipe/app/1.0.0`, CONTEXT)).toBe('ImplicitlyDenied');
  });

  test('the only statement with Resource "*" that the construct adds is ecr:GetAuthorizationToken', () => {
    const statements = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap(p => p.Properties.PolicyDocument.Statement);
    const onEverything = statements.filter((st: any) => [st.Resource].flat().includes('*'));
    expect(onEverything).toEqual([expect.objectContaining({ Action: 'ecr:GetAuthorizationToken' })]);
  });

  test('a base image in another repository is pulled with repository.grantPull(profile)', async () => {
    const { permissions: withBase } = withRepositories((profile, stack) =>
      ecr.Repository.fromRepositoryName(stack, 'Upstream', 'upstream/base').grantPull(profile));

    expect(await withBase.decide('ecr:BatchGetImage', REPOSITORY('upstream/base'), CONTEXT)).toBe('Allowed');
    expect(await withBase.decide('ecr:PutImage', REPOSITORY('upstream/base'), CONTEXT)).toBe('ImplicitlyDenied');
  });

  test('containerBuilds: true still attaches the managed policy, which pushes to every repository', async () => {
    const stack = new Stack(new App(), 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { containerBuilds: true });
    const synthesized = Template.fromStack(stack);
    const role = Object.values(synthesized.findResources('AWS::IAM::Role'))[0];
    expect(role.Properties.ManagedPolicyArns).toContainEqual(CONTAINER_BUILDS);
    const roleId = stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole);
    const everyRepository = EffectivePermissions.ofRole(synthesized.toJSON() as any, roleId);

    expect(await everyRepository.decide('ecr:PutImage', REPOSITORY('any/repository'), CONTEXT)).toBe('Allowed');
    expect(await everyRepository.decide('ecr:BatchGetImage', `arn:aws:ecr:${REGION}:999988887777:repository/any`, CONTEXT)).toBe('Allowed');
    expect(await everyRepository.decide('ecr:GetAuthorizationToken', '*', CONTEXT)).toBe('Allowed');
    expect(await everyRepository.decide('imagebuilder:GetContainerRecipe', `arn:aws:imagebuilder:${REGION}:999988887777:container-recipe/x/1.0.0`, CONTEXT)).toBe('Allowed');
  });

  test('containerBuilds together with containerRepositories is an error that names both, and the fix in Python too', () => {
    const stack = new Stack(new App(), 'Stack');

    expect(() => new ImageBuilderInstanceProfile(stack, 'Profile', {
      containerBuilds: true, containerRepositories: [ecr.Repository.fromRepositoryName(stack, 'R', 'team/images')],
    })).toThrow(/^containerBuilds cannot be combined with containerRepositories: .*EC2InstanceProfileForImageBuilderECRContainerBuilds.*; keep containerRepositories \/ container_repositories and leave containerBuilds \/ container_builds out$/);
    const profile = new ImageBuilderInstanceProfile(stack, 'Other', { containerBuilds: true });
    expect(() => profile.addContainerRepository(ecr.Repository.fromRepositoryName(stack, 'S', 'team/other')))
      .toThrow(/^addContainerRepository cannot be combined with containerBuilds: .*; leave containerBuilds \/ container_builds out to push to 'Stack\/S' only$/);
  });
});

describe('grantPassRole', () => {
  function passRole(target: (stack: Stack) => { grantPassRole(grantee: iam.IGrantable): iam.Grant }) {
    const stack = new Stack(new App(), 'Stack');
    const execution = new iam.Role(stack, 'Execution', { assumedBy: new iam.ServicePrincipal('imagebuilder.amazonaws.com') });
    target(stack).grantPassRole(execution);
    return EffectivePermissions.ofRole(Template.fromStack(stack).toJSON() as any, stack.getLogicalId(execution.node.defaultChild as iam.CfnRole));
  }
  const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

  test('lets the grantee pass this role, and only this role, to Image Builder and EC2 only', async () => {
    const permissions = passRole(stack => new ImageBuilderInstanceProfile(stack, 'Profile', { roleName: 'TeamRole' }));

    expect(await permissions.decide('iam:PassRole', role('TeamRole'), { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe('Allowed');
    expect(await permissions.decide('iam:PassRole', role('TeamRole'), { 'iam:PassedToService': 'imagebuilder.amazonaws.com' })).toBe('Allowed');
    expect(await permissions.decide('iam:PassRole', role('TeamRole'), { 'iam:PassedToService': 'lambda.amazonaws.com' })).toBe('ImplicitlyDenied');
    expect(await permissions.decide('iam:PassRole', role('OtherRole'), { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe('ImplicitlyDenied');
  });

  test('works on a profile imported with its role, and is an error that says how to give the role without it, in Python too', async () => {
    const permissions = passRole(stack => ImageBuilderInstanceProfile.fromInstanceProfileAttributes(stack, 'Team', {
      instanceProfileName: 'TeamRole', role: iam.Role.fromRoleName(stack, 'TeamRoleRole', 'TeamRole'),
    }));
    expect(await permissions.decide('iam:PassRole', role('TeamRole'), { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe('Allowed');

    expect(() => passRole(stack => ImageBuilderInstanceProfile.fromInstanceProfileName(stack, 'Team', 'TeamRole')))
      .toThrow("grantPassRole: 'Stack/Team' was imported without its role, so iam:PassRole cannot name it: import it with "
        + 'ImageBuilderInstanceProfile.fromInstanceProfileAttributes / from_instance_profile_attributes and give its role');
  });
});

describe('container builds of a pipeline in another region', () => {
  test('given a profile of us-east-1 used by a pipeline of eu-west-1, when it pushes, then the instances read the container recipes of eu-west-1', async () => {
    const app = new App();
    const profiles = new Stack(app, 'Profiles', { env: { account: ACCOUNT, region: 'us-east-1' }, crossRegionReferences: true });
    const profile = new ImageBuilderInstanceProfile(profiles, 'Profile', {
      containerRepositories: [ecr.Repository.fromRepositoryArn(profiles, 'Images', `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/team/images`)],
    });
    const pipelines = new Stack(app, 'Pipelines', { env: { account: ACCOUNT, region: 'eu-west-1' }, crossRegionReferences: true });
    new imagebuilder.CfnInfrastructureConfiguration(pipelines, 'Infrastructure', { name: 'infrastructure', instanceProfileName: profile.instanceProfileName });

    const template = Template.fromStack(profiles).toJSON() as any;
    const permissions = EffectivePermissions.ofRole(template, profiles.getLogicalId(profile.role.node.defaultChild as iam.CfnRole));

    const recipe = (region: string) => `arn:aws:imagebuilder:${region}:${ACCOUNT}:container-recipe/app/1.0.0`;
    expect(await permissions.decide('imagebuilder:GetContainerRecipe', recipe('eu-west-1'), CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('imagebuilder:GetContainerRecipe', recipe('us-east-1'), CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('imagebuilder:GetContainerRecipe', recipe('ap-south-1'), CONTEXT)).toBe('ImplicitlyDenied');
  });
});
