import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { AppResources } from '../../../src/private/iam/resource-policies';
import { RolePermissions } from '../../../src/private/role-permissions';

function resources(build: (stack: Stack) => void): AppResources {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111122223333', region: 'us-east-1' } });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  build(stack);
  return AppResources.of(RolePermissions.of(role, new Map()), stack);
}

describe('the buckets of the app', () => {
  test('a bucket by its literal name: its bucket policy, as the evaluator reads it', () => {
    const app = resources(stack => new s3.Bucket(stack, 'A', { bucketName: 'team-artifacts' })
      .addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['s3:GetObject'], resources: ['arn:aws:s3:::team-artifacts/*'] })));

    const bucket = app.bucket('team-artifacts');

    expect(bucket).toEqual(expect.objectContaining({ label: "the bucket 'Stack/A'", key: { kind: 'none' }, bucketKey: false }));
    expect(bucket?.policy).toEqual({
      name: 'Stack/A/Policy',
      statements: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::team-artifacts/*' }],
    });
    expect(app.bucket('other')).toBeUndefined();
  });

  test('a bucket whose name is generated, by the hole the evaluator gives its name', () => {
    const app = resources(stack => new s3.Bucket(stack, 'A'));

    expect(app.bucket([{ hole: 'bucket Stack/A/Resource', distinctGroup: 'bucket names' }])?.label).toBe("the bucket 'Stack/A'");
  });

  test('SSE-KMS with a key of the app: the key\'s ARN and policy, and whether an S3 Bucket Key is used', () => {
    const app = resources(stack => new s3.Bucket(stack, 'A', { bucketName: 'team-artifacts', encryption: s3.BucketEncryption.KMS, bucketKeyEnabled: true }));

    const bucket = app.bucket('team-artifacts')!;

    expect(bucket.bucketKey).toBe(true);
    expect(bucket.key).toEqual(expect.objectContaining({
      kind: 'app', label: "the key 'Stack/A/Key'", arn: ['arn:aws:kms:us-east-1:111122223333:key/', { hole: 'key Stack/A/Key/Resource' }],
    }));
    expect((bucket.key as any).policy.statements).toEqual([expect.objectContaining({ Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*' })]);
  });

  test('SSE-KMS without a key is the AWS managed key; an imported key is not the app\'s', () => {
    const app = resources(stack => {
      new s3.Bucket(stack, 'Managed', { bucketName: 'managed', encryption: s3.BucketEncryption.KMS_MANAGED });
      new s3.Bucket(stack, 'Imported', {
        bucketName: 'imported', encryptionKey: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:444455556666:key/k'),
      });
    });

    expect(app.bucket('managed')?.key).toEqual({ kind: 'aws-managed' });
    expect(app.bucket('imported')?.key).toEqual({ kind: 'imported', label: "the key 'arn:aws:kms:us-east-1:444455556666:key/k'" });
  });
});

describe('the secrets of the app', () => {
  test('a secret by name: its customer managed key and resource policy; without a key, the AWS managed one', () => {
    const app = resources(stack => {
      const secret = new secretsmanager.Secret(stack, 'Db', { secretName: 'prod/db', encryptionKey: new kms.Key(stack, 'Key') });
      secret.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AccountRootPrincipal()], actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));
      new secretsmanager.Secret(stack, 'Plain', { secretName: 'prod/plain' });
    });

    const secret = app.secret('prod/db')!;

    expect(secret.label).toBe("the secret 'Stack/Db'");
    expect(secret.key).toEqual(expect.objectContaining({ kind: 'app', label: "the key 'Stack/Key'" }));
    expect(secret.policy?.statements).toEqual([expect.objectContaining({ Action: 'secretsmanager:GetSecretValue' })]);
    expect(app.secret('prod/plain')?.key).toEqual({ kind: 'aws-managed' });
    expect(app.secret('prod/other')).toBeUndefined();
  });
});

describe('the SecureString parameters the app imports', () => {
  test('by the name in the ARN: the key given on import, the AWS managed key without one; nothing for other names', () => {
    const app = resources(stack => {
      ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'Password', { parameterName: '/team/password', encryptionKey: new kms.Key(stack, 'Key') });
      ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'Token', { parameterName: 'token' });
      ssm.StringParameter.fromStringParameterName(stack, 'Plain', '/team/plain');
    });

    expect(app.secureString('team/password')).toEqual(expect.objectContaining({ kind: 'app', label: "the key 'Stack/Key'" }));
    expect(app.secureString('token')).toEqual({ kind: 'aws-managed' });
    expect(app.secureString('team/plain')).toBeUndefined();
  });
});
