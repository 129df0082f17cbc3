import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ImageBuilderInstanceProfile } from '../../src';

/**
 * Every prop set: names, path, description, boundary, extra managed policy, container builds,
 * KMS-encrypted artifact and log buckets, and a folder added after construction (test/integ.full-featured.ts).
 */
export class FullFeaturedStack extends Stack {
  public readonly profile: ImageBuilderInstanceProfile;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const key = new kms.Key(this, 'Key', { enableKeyRotation: true });
    const artifacts = new s3.Bucket(this, 'Artifacts', {
      encryptionKey: key,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
    });
    const logs = new s3.Bucket(this, 'Logs', {
      encryption: s3.BucketEncryption.KMS,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
    });
    const boundary = new iam.ManagedPolicy(this, 'Boundary', {
      statements: [new iam.PolicyStatement({ actions: ['s3:*', 'kms:*', 'ssm:*', 'ssmmessages:*', 'ec2messages:*', 'logs:*', 'imagebuilder:*', 'ecr:*'], resources: ['*'] })],
    });
    const extra = new iam.ManagedPolicy(this, 'Extra', {
      statements: [new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [this.formatArn({ service: 'ssm', resource: 'parameter', resourceName: 'imagebuilder/*' })] })],
    });

    this.profile = new ImageBuilderInstanceProfile(this, 'Profile', {
      roleName: 'FullFeaturedImageBuilderRole',
      instanceProfileName: 'FullFeaturedImageBuilderProfile',
      path: '/imagebuilder/',
      description: 'Build and test instances of the full-featured integration test',
      permissionsBoundary: boundary,
      managedPolicies: [extra],
      containerBuilds: true,
      artifactLocations: [{ bucket: artifacts, keyPrefix: 'components' }],
      logLocation: { bucket: logs, keyPrefix: 'imagebuilder-logs' },
    });
    this.profile.addArtifactLocation({ bucket: artifacts, keyPrefix: 'scripts/' });

    new imagebuilder.CfnInfrastructureConfiguration(this, 'Infrastructure', {
      name: 'full-featured-infrastructure',
      instanceProfileName: this.profile.instanceProfileName,
      instanceTypes: ['t3.medium'],
      logging: { s3Logs: { s3BucketName: logs.bucketName, s3KeyPrefix: 'imagebuilder-logs' } },
    });
  }
}

export const SCALE_BUCKETS = 20;
export const SCALE_FOLDERS = 60;

/** A profile with 60 artifact folders in 20 buckets imported by name (test/deploy/scale.test.ts). */
export function scaleProfile(stack: Stack, roleName?: string): ImageBuilderInstanceProfile {
  const buckets = Array.from({ length: SCALE_BUCKETS }, (_, i) => s3.Bucket.fromBucketName(stack, `Bucket${i}`, `artifacts-${i}`));
  return new ImageBuilderInstanceProfile(stack, 'Profile', {
    roleName,
    artifactLocations: Array.from({ length: SCALE_FOLDERS }, (_, j) => ({ bucket: buckets[j % SCALE_BUCKETS], keyPrefix: `team-${j}/components` })),
  });
}
