import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ComponentAccessChecks, ImageBuilderInstanceProfile } from '../src';
import { uploadDocument } from './helpers/component-documents';
import { ACCOUNT, EffectivePermissions } from './helpers/effective-permissions';

const CONTEXT = { 'aws:PrincipalAccount': ACCOUNT, 's3:ResourceAccount': ACCOUNT };

function newStack(): Stack {
  return new Stack(new App(), 'Stack');
}

describe('case 6: addUploadLocation, a write-only folder', () => {
  test('given an upload folder, then the instances may put objects under it and nothing else there', async () => {
    // given
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Results', 'team-results');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');

    // when
    profile.addUploadLocation({ bucket, keyPrefix: 'results' });

    // then
    const template = Template.fromStack(stack);
    const permissions = EffectivePermissions.ofRole(template.toJSON() as any, stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole));
    expect(await permissions.decide('s3:PutObject', 'arn:aws:s3:::team-results/results/a/report.txt', CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('s3:PutObject', 'arn:aws:s3:::team-results/other/report.txt', CONTEXT)).not.toBe('Allowed');
    for (const action of ['s3:GetObject', 's3:DeleteObject', 's3:PutObjectAcl', 's3:PutObjectTagging']) {
      expect(await permissions.decide(action, 'arn:aws:s3:::team-results/results/a/report.txt', CONTEXT)).not.toBe('Allowed');
    }
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 's3:PutObject' })] },
    });
  });

  test('given the same upload folder twice, then it is granted once', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Results', 'team-results');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');

    profile.addUploadLocation({ bucket, keyPrefix: 'results' });
    profile.addUploadLocation({ bucket, keyPrefix: 'results/' });

    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))[0].Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('s3:PutObject');
  });

  /** A checked pipeline whose component uploads to s3://team-results/results/report.txt, with a profile that grants nothing for it. */
  function uploadPipeline(): { stack: Stack; profile: ImageBuilderInstanceProfile } {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
    const component = new imagebuilder.CfnComponent(stack, 'Component', {
      name: 'publish', platform: 'Linux', version: '1.0.0', data: uploadDocument('publish', '/tmp/report.txt', 's3://team-results/results/report.txt'),
    });
    const recipe = new imagebuilder.CfnImageRecipe(stack, 'Recipe', {
      name: 'recipe', version: '1.0.0', parentImage: 'ami-0123456789abcdef0', components: [{ componentArn: component.attrArn }],
    });
    const infrastructure = new imagebuilder.CfnInfrastructureConfiguration(stack, 'Infrastructure', {
      name: 'infrastructure', instanceProfileName: profile.instanceProfileName,
    });
    new imagebuilder.CfnImagePipeline(stack, 'Pipeline', {
      name: 'pipeline', imageRecipeArn: recipe.attrArn, infrastructureConfigurationArn: infrastructure.attrArn,
    });
    Aspects.of(app).add(new ComponentAccessChecks());
    return { stack, profile };
  }

  test('given an upload folder, then ComponentAccessChecks counts it for an S3Upload step into it', () => {
    // given: a component that uploads, whose document the profile is not given
    const { stack, profile } = uploadPipeline();

    // when
    profile.addUploadLocation({ bucket: s3.Bucket.fromBucketName(stack, 'Results', 'team-results'), keyPrefix: 'results' });

    // then
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasNoWarning('/Stack/Pipeline', Match.anyValue());
  });

  test('given no upload folder, then the same S3Upload step is an error that suggests addUploadLocation', () => {
    const { stack } = uploadPipeline();

    Annotations.fromStack(stack).hasError('/Stack/Pipeline', Match.stringLikeRegexp('addUploadLocation'));
  });

  test('given bucket.grantPut on a folder that is not a log folder, then no log-grant warning blames InfrastructureConfiguration', () => {
    // given: a configuration of this profile that logs to logs/, and a grant the app made on results/
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { logLocation: { bucket, keyPrefix: 'logs' } });
    new imagebuilder.CfnInfrastructureConfiguration(stack, 'Infra', {
      name: 'i', instanceProfileName: profile.instanceProfileName, logging: { s3Logs: { s3BucketName: bucket.bucketName, s3KeyPrefix: 'logs' } },
    });

    // when
    bucket.grantPut(profile, 'results/*');

    // then
    Annotations.fromStack(stack).hasNoWarning('/Stack/Profile', Match.stringLikeRegexp('logGrantBeyondPut|beyond the s3:PutObject'));
  });

  test('given bucket.grantPut on the log folder of a configuration, then the warning names the policy and the configuration', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { logLocation: { bucket, keyPrefix: 'logs' } });
    new imagebuilder.CfnInfrastructureConfiguration(stack, 'Infra', {
      name: 'i', instanceProfileName: profile.instanceProfileName, logging: { s3Logs: { s3BucketName: bucket.bucketName, s3KeyPrefix: 'logs' } },
    });

    bucket.grantPut(profile, 'logs/*');

    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp(
      "'Stack/Profile/Role/DefaultPolicy' allows s3:PutObjectLegalHold.* in the S3 log folder of 'Stack/Infra', beyond the s3:PutObject"));
  });

  test('given a log folder of a bucket imported by name, then a grantPut there is found by the literal name', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'team-logs');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { logLocation: { bucket, keyPrefix: 'logs' } });
    new imagebuilder.CfnInfrastructureConfiguration(stack, 'Infra', {
      name: 'i', instanceProfileName: profile.instanceProfileName, logging: { s3Logs: { s3BucketName: 'team-logs', s3KeyPrefix: 'logs/' } },
    });

    bucket.grantPut(profile, 'logs/*');

    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp("in the S3 log folder of 'Stack/Infra'"));
  });
});

describe('case 4: overlaps are found from what the bucket is', () => {
  test.each([
    ['imported by name', (stack: Stack) => s3.Bucket.fromBucketName(stack, 'B', 'team-artifacts')],
    ['of the app with a literal bucketName', (stack: Stack) => new s3.Bucket(stack, 'B', { bucketName: 'team-artifacts' })],
  ])('given a bucket %s read as artifacts and written by an S3Upload, then the overlap is a warning', (_how, bucketOf) => {
    // given
    const stack = newStack();
    const bucket = bucketOf(stack);
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { artifactLocations: [{ bucket, keyPrefix: 'components' }] });

    // when: the component names the bucket by its literal name
    profile.addComponentData(uploadDocument('publish', '/tmp/report.txt', 's3://team-artifacts/components/report.txt'));

    // then
    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp(
      "step 'build/Publish' \\(S3Upload\\) writes to 's3://team-artifacts/components/report.txt', which is inside 's3://team-artifacts/components/\\*' that artifactLocations reads"));
  });

  test('given a folder read through an import by name and written through the app\'s bucket of that literal name, then the overlap is a warning', () => {
    // given
    const stack = newStack();
    const imported = s3.Bucket.fromBucketName(stack, 'Imported', 'team-artifacts');
    const own = new s3.Bucket(stack, 'Own', { bucketName: 'team-artifacts' });

    // when
    new ImageBuilderInstanceProfile(stack, 'Profile', {
      artifactLocations: [{ bucket: imported, keyPrefix: 'components' }],
      logLocation: { bucket: own, keyPrefix: 'components/logs' },
    });

    // then
    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp(
      "logLocation writes to 's3://team-artifacts/components/logs/\\*', which is inside 's3://team-artifacts/components/\\*' that artifactLocations reads"));
  });

  test('given two buckets of the app with different literal names, then no overlap', () => {
    const stack = newStack();
    const a = new s3.Bucket(stack, 'A', { bucketName: 'team-a' });
    const b = new s3.Bucket(stack, 'B', { bucketName: 'team-b' });

    new ImageBuilderInstanceProfile(stack, 'Profile', { artifactLocations: [{ bucket: a, keyPrefix: 'x' }], logLocation: { bucket: b, keyPrefix: 'x' } });

    Annotations.fromStack(stack).hasNoWarning('/Stack/Profile', Match.stringLikeRegexp('writes to'));
  });
});
