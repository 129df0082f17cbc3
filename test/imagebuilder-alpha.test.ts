import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ComponentAccessChecks, ImageBuilderInstanceProfile } from '../src';
import { downloadDocument } from './helpers/component-documents';
import { ACCOUNT, EffectivePermissions, REGION } from './helpers/effective-permissions';
import { nagFindings, NAG_V3_PLUGIN_FAILURE, PackName, PACKS } from './helpers/nag';

// @aws-cdk/aws-imagebuilder-alpha needs aws-cdk-lib 2.270 or newer, far above the floor: it is installed only with
// the newest aws-cdk-lib by .ci/test-aws-cdk-lib-versions.sh, which sets REQUIRE_IMAGEBUILDER_ALPHA so that these
// tests cannot be skipped there
function loadAlpha(): any {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@aws-cdk/aws-imagebuilder-alpha');
  } catch (e) {
    if (process.env.REQUIRE_IMAGEBUILDER_ALPHA) {
      throw e;
    }
    return undefined;
  }
}
const alpha = loadAlpha();
const describeWithAlpha = alpha ? describe : describe.skip;

const ARTIFACTS = 'team-artifacts';
const CONTEXT = { 'aws:PrincipalAccount': ACCOUNT, 's3:ResourceAccount': ACCOUNT };

interface AlphaPipeline {
  readonly app: App;
  readonly stack: Stack;
  readonly profile: ImageBuilderInstanceProfile;
  readonly logs: s3.Bucket;
}

/**
 * A whole alpha pipeline: a Component from inline data and one from a local file asset, an ImageRecipe, an
 * InfrastructureConfiguration with S3 logging, and an ImagePipeline, with this profile.
 */
function alphaPipeline(options: {
  natural?: boolean; addComponents?: boolean; logLocation?: string; inlineSource?: string; awsManaged?: string[]; addRecipe?: boolean;
} = {}): AlphaPipeline {
  const app = new App();
  const stack = new Stack(app, 'Stack');
  const artifacts = s3.Bucket.fromBucketName(stack, 'Artifacts', ARTIFACTS);
  const logs = new s3.Bucket(stack, 'Logs', { bucketName: 'team-logs' });
  const profile = new ImageBuilderInstanceProfile(stack, 'Profile', {
    artifactLocations: [{ bucket: artifacts, keyPrefix: 'scripts' }],
    logLocation: { bucket: logs, keyPrefix: options.logLocation ?? 'logs' },
  });
  const inline = new alpha.Component(stack, 'Inline', {
    platform: alpha.Platform.LINUX,
    data: alpha.ComponentData.fromInline(downloadDocument('inline', options.inlineSource ?? `s3://${ARTIFACTS}/components/inline/*`, '/tmp/inline/')),
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'component-')), 'component.yml');
  fs.writeFileSync(file, downloadDocument('from-file', `s3://${ARTIFACTS}/components/file/setup.sh`, '/tmp/setup.sh'));
  const fromFile = new alpha.Component(stack, 'FromFile', { platform: alpha.Platform.LINUX, data: alpha.ComponentData.fromAsset(stack, 'FileData', file) });
  if (options.addComponents ?? true) {
    profile.addComponent(inline);
    profile.addComponent(fromFile);
  }
  const recipe = new alpha.ImageRecipe(stack, 'Recipe', {
    baseImage: alpha.BaseImage.fromAmiId('ami-0123456789abcdef0'),
    components: [{ component: inline }, { component: fromFile },
      ...(options.awsManaged ?? []).map(name => ({ component: alpha.AmazonManagedComponent.fromAmazonManagedComponentName(stack, name, name) }))],
  });
  if (options.addRecipe) {
    profile.addRecipe(recipe);
  }
  const infrastructure = new alpha.InfrastructureConfiguration(stack, 'Infrastructure', {
    instanceProfile: options.natural ? profile.instanceProfile : profile.instanceProfileWithoutRole,
    logging: { s3Bucket: logs, s3KeyPrefix: 'logs' },
  });
  new alpha.ImagePipeline(stack, 'Pipeline', { recipe, infrastructureConfiguration: infrastructure });
  Aspects.of(app).add(new ComponentAccessChecks());
  return { app, stack, profile, logs };
}

function permissionsOf({ stack, profile }: AlphaPipeline): EffectivePermissions {
  return EffectivePermissions.ofRole(Template.fromStack(stack).toJSON() as any, stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole));
}

describeWithAlpha('with @aws-cdk/aws-imagebuilder-alpha', () => {
  test('the InfrastructureConfiguration takes the profile and creates no second role or instance profile', () => {
    const { stack, profile } = alphaPipeline();

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.resourceCountIs('AWS::IAM::InstanceProfile', 1);
    template.hasResourceProperties('AWS::ImageBuilder::InfrastructureConfiguration', {
      InstanceProfileName: { Ref: stack.getLogicalId(profile.instanceProfile.node.defaultChild as iam.CfnInstanceProfile) },
    });
  });

  test('an imported profile is an iam.IInstanceProfile that the alpha takes', () => {
    const stack = new Stack(new App(), 'Stack');
    const imported = ImageBuilderInstanceProfile.fromInstanceProfileArn(stack, 'Team', 'arn:aws:iam::111122223333:instance-profile/TeamRole');

    new alpha.InfrastructureConfiguration(stack, 'Infrastructure', { instanceProfile: imported });

    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::InfrastructureConfiguration', { InstanceProfileName: 'TeamRole' });
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Role', 0);
  });

  test('imports and instanceProfileWithoutRole are IInstanceProfileRefs where aws-cdk-lib takes one (ec2.CfnInstance)', () => {
    // newer aws-cdk-lib L1s read instanceProfileRef.instanceProfileName from what they are given
    const stack = new Stack(new App(), 'Stack');
    const imported = ImageBuilderInstanceProfile.fromInstanceProfileArn(stack, 'Team', 'arn:aws:iam::111122223333:instance-profile/TeamRole');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
    const cfnInstance = (id: string, iamInstanceProfile: unknown) => new (ec2 as any).CfnInstance(stack, id, { imageId: 'ami-0123456789abcdef0', iamInstanceProfile });

    cfnInstance('Imported', imported);
    cfnInstance('WithoutRole', profile.instanceProfileWithoutRole);

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::Instance', { IamInstanceProfile: 'TeamRole' });
    template.hasResourceProperties('AWS::EC2::Instance', {
      IamInstanceProfile: { Ref: stack.getLogicalId(profile.instanceProfile.node.defaultChild as iam.CfnInstanceProfile) },
    });
  });

  describe('the way README shows (instanceProfileWithoutRole and logLocation)', () => {
    let pipeline: AlphaPipeline;
    let permissions: EffectivePermissions;
    beforeAll(() => {
      pipeline = alphaPipeline();
      permissions = permissionsOf(pipeline);
    });

    test('the role may only write to the log folder: s3:PutObject and nothing beyond it', async () => {
      expect(await permissions.decide('s3:PutObject', 'arn:aws:s3:::team-logs/logs/build/1.log', CONTEXT)).toBe('Allowed');
      for (const action of ['s3:PutObjectTagging', 's3:PutObjectLegalHold', 's3:PutObjectRetention', 's3:PutObjectVersionTagging', 's3:AbortMultipartUpload',
        's3:GetObject', 's3:DeleteObject']) {
        expect([action, await permissions.decide(action, 'arn:aws:s3:::team-logs/logs/build/1.log', CONTEXT)]).toEqual([action, 'ImplicitlyDenied']);
      }
      expect(await permissions.decide('s3:ListBucket', 'arn:aws:s3:::team-logs', { ...CONTEXT, 's3:prefix': 'logs/' })).toBe('ImplicitlyDenied');
    });

    test('the component folders are read-only, for the inline component and the one from a file asset alike', async () => {
      expect(await permissions.decide('s3:GetObject', `arn:aws:s3:::${ARTIFACTS}/components/inline/install.sh`, CONTEXT)).toBe('Allowed');
      expect(await permissions.decide('s3:ListBucket', `arn:aws:s3:::${ARTIFACTS}`, { ...CONTEXT, 's3:prefix': 'components/inline/' })).toBe('Allowed');
      expect(await permissions.decide('s3:GetObject', `arn:aws:s3:::${ARTIFACTS}/components/file/setup.sh`, CONTEXT)).toBe('Allowed');
      expect(await permissions.decide('s3:GetObject', `arn:aws:s3:::${ARTIFACTS}/components/file/other.sh`, CONTEXT)).toBe('ImplicitlyDenied');
      expect(await permissions.decide('s3:PutObject', `arn:aws:s3:::${ARTIFACTS}/components/inline/install.sh`, CONTEXT)).toBe('ImplicitlyDenied');
    });

    test('ComponentAccessChecks passes the covered pipeline, and the profile gives no warning', () => {
      Annotations.fromStack(pipeline.stack).hasNoError('*', Match.anyValue());
      Annotations.fromStack(pipeline.stack).hasNoWarning('*', Match.anyValue());
    });
  });

  test('the natural code (profile.instanceProfile) is a warning that names the extra actions and the fix', async () => {
    const pipeline = alphaPipeline({ natural: true });

    Annotations.fromStack(pipeline.stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp(
      'allows s3:PutObjectLegalHold, s3:PutObjectRetention, s3:PutObjectTagging, s3:PutObjectVersionTagging, s3:Abort\\* .*'
      + "give it the profile's instanceProfileWithoutRole / instance_profile_without_role instead, "
      + 'and the log folder to the profile as its logLocation / log_location'));
    // and the warning is true: the alpha did widen the role
    expect(await permissionsOf(pipeline).decide('s3:PutObjectTagging', 'arn:aws:s3:::team-logs/logs/build/1.log', CONTEXT)).toBe('Allowed');
  });

  test('ComponentAccessChecks follows alpha pipelines: an uncovered component path is an error', () => {
    const { stack } = alphaPipeline({ addComponents: false });

    Annotations.fromStack(stack).hasError('/Stack/Pipeline/Resource', Match.stringLikeRegexp(
      "image pipeline 'Stack/Pipeline': component '.*', step 'build/Fetch' \\(S3Download\\) downloads 's3://team-artifacts/components/inline/\\*', but .* cannot read it"));
  });

  test('ComponentAccessChecks checks log delivery: a log folder the profile cannot write is an error', () => {
    const { stack } = alphaPipeline({ logLocation: 'other-logs' });

    Annotations.fromStack(stack).hasError('/Stack/Pipeline/Resource', Match.stringLikeRegexp(
      "delivers build logs to S3 at 's3://team-logs/logs/', but the instance profile 'Stack/Profile' cannot write there"));
  });

  test('a container pipeline with containerRepositories can push to its repository and to no other', async () => {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const repository = new ecr.Repository(stack, 'Images', { repositoryName: 'team/images' });
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { containerRepositories: [repository] });
    new alpha.ContainerRecipe(stack, 'Recipe', {
      baseImage: alpha.BaseContainerImage.fromDockerHub('amazonlinux', 'latest'),
      targetRepository: alpha.Repository.fromEcr(repository),
      dockerfile: alpha.DockerfileData.fromInline('FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:environments }}}\n{{{ imagebuilder:components }}}'),
    });
    const roleId = stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole);
    const permissions = EffectivePermissions.ofRole(Template.fromStack(stack).toJSON() as any, roleId);

    const arn = (name: string) => `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;
    expect(await permissions.decide('ecr:PutImage', arn('team/images'), CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('ecr:PutImage', arn('other/images'), CONTEXT)).toBe('ImplicitlyDenied');
  });

  test('an AWS-managed component of an alpha recipe that the profile lacks is an error that names the fix', () => {
    const { stack } = alphaPipeline({ awsManaged: ['ebs-volume-usage-test-linux'] });

    Annotations.fromStack(stack).hasError('/Stack/Pipeline/Resource', Match.stringLikeRegexp(
      "its AWS-managed component 'ebs-volume-usage-test-linux' needs ec2:CreateVolume.*addAwsManagedComponent / add_aws_managed_component"));
  });

  test('addRecipe with an alpha ImageRecipe grants its own and its AWS-managed components, and the check covers them', async () => {
    const pipeline = alphaPipeline({ addComponents: false, addRecipe: true, awsManaged: ['ebs-volume-usage-test-linux', 'update-linux'] });

    Annotations.fromStack(pipeline.stack).hasNoError('*', Match.anyValue());
    const permissions = permissionsOf(pipeline);
    expect(await permissions.decide('s3:GetObject', `arn:aws:s3:::${ARTIFACTS}/components/file/setup.sh`, CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('ec2:CreateVolume', `arn:aws:ec2:${REGION}:${ACCOUNT}:volume/vol-0123456789abcdef0`, CONTEXT)).toBe('Allowed');
  });

  test('addComponent with the alpha\'s AmazonManagedComponent grants what addAwsManagedComponent grants', () => {
    const stack = new Stack(new App(), 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');

    profile.addComponent(alpha.AmazonManagedComponent.fromAmazonManagedComponentName(stack, 'Eni', 'eni-attachment-test-linux'));

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'ec2:CreateNetworkInterface' })]) },
    });
  });

  describe.each(Object.keys(PACKS) as PackName[])('cdk-nag %s', pack => {
    (NAG_V3_PLUGIN_FAILURE === undefined ? test : test.skip)('reports nothing about the construct\'s own choices in the alpha pipeline', () => {
      const { app, profile } = alphaPipeline();

      expect(nagFindings(app, pack).filter(f => f.startsWith(`/${profile.node.path}/`))).toEqual([]);
    });
  });
});
