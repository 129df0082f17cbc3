import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ImageBuilderInstanceProfile } from '../src';

// every prop set: names, path, description, boundary, extra managed policy, container builds,
// KMS-encrypted artifact and log buckets, and a folder added after construction
const app = new App();
const stack = new Stack(app, 'ImageBuilderInstanceProfileFullFeatured');

const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
const artifacts = new s3.Bucket(stack, 'Artifacts', {
  encryptionKey: key,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
});
const logs = new s3.Bucket(stack, 'Logs', {
  encryption: s3.BucketEncryption.KMS,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
});
const boundary = new iam.ManagedPolicy(stack, 'Boundary', {
  statements: [new iam.PolicyStatement({ actions: ['s3:*', 'kms:*', 'ssm:*', 'ssmmessages:*', 'ec2messages:*', 'logs:*', 'imagebuilder:*', 'ecr:*'], resources: ['*'] })],
});
const extra = new iam.ManagedPolicy(stack, 'Extra', {
  statements: [new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: 'imagebuilder/*' })] })],
});

const profile = new ImageBuilderInstanceProfile(stack, 'Profile', {
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
profile.addArtifactLocation({ bucket: artifacts, keyPrefix: 'scripts/' });

new imagebuilder.CfnInfrastructureConfiguration(stack, 'Infrastructure', {
  name: 'full-featured-infrastructure',
  instanceProfileName: profile.instanceProfileName,
  instanceTypes: ['t3.medium'],
  logging: { s3Logs: { s3BucketName: logs.bucketName, s3KeyPrefix: 'imagebuilder-logs' } },
});

new IntegTest(app, 'FullFeaturedTest', { testCases: [stack] });
