import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { appBucketNamed } from '../../src/private/app-buckets';

describe('appBucketNamed', () => {
  test('given one bucket of the app with that literal name, then it is that bucket, with its key', () => {
    const stack = new Stack(new App(), 'Stack');
    const bucket = new s3.Bucket(stack, 'A', { bucketName: 'team-artifacts', encryption: s3.BucketEncryption.KMS });

    expect(appBucketNamed(stack, 'team-artifacts')).toBe(bucket);
    expect(appBucketNamed(stack, 'team-artifacts')?.encryptionKey).toBe(bucket.encryptionKey);
    expect(appBucketNamed(stack, 'other')).toBeUndefined();
  });

  test('given two buckets of the app in one environment with the same name, then none is chosen', () => {
    const app = new App();
    new s3.Bucket(new Stack(app, 'One'), 'A', { bucketName: 'team-artifacts' });
    const stack = new Stack(app, 'Two');
    new s3.Bucket(stack, 'A', { bucketName: 'team-artifacts' });

    expect(appBucketNamed(stack, 'team-artifacts')).toBeUndefined();
  });

  test('given a bare CfnBucket with that name, then aws-cdk-lib reads it as a bucket', () => {
    const stack = new Stack(new App(), 'Stack');
    new s3.CfnBucket(stack, 'A', { bucketName: 'team-artifacts' });

    expect(stack.resolve(appBucketNamed(stack, 'team-artifacts')?.bucketArn)).toEqual({ 'Fn::GetAtt': ['A', 'Arn'] });
  });
});
