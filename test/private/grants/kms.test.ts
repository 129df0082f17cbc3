import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { keyToGrant, s3ContextOf } from '../../../src/private/grants/kms';

function newStack(): Stack {
  return new Stack(new App(), 'Stack');
}

describe('s3ContextOf', () => {
  test.each<[string, string, (stack: Stack) => s3.IBucket]>([
    ['a bucket of the app with a KMS key', 'object', s => new s3.Bucket(s, 'B', { encryption: s3.BucketEncryption.KMS })],
    ['a bucket of the app with a Bucket Key', 'bucket', s => new s3.Bucket(s, 'B', { encryption: s3.BucketEncryption.KMS, bucketKeyEnabled: true })],
    ['a bucket of the app whose Bucket Key is false', 'object', s => new s3.Bucket(s, 'B', { encryption: s3.BucketEncryption.KMS, bucketKeyEnabled: false })],
    ['an imported bucket', 'unknown', s => s3.Bucket.fromBucketAttributes(s, 'B', { bucketName: 'team-b', encryptionKey: new kms.Key(s, 'K') })],
  ])('given %s, then the encryption context S3 sends is known as %p', (_what, expected, bucketOf) => {
    expect(s3ContextOf(bucketOf(newStack()))).toBe(expected);
  });
});

describe('keyToGrant', () => {
  test('given a key, then it is granted as it is', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'K');
    const warn = jest.fn();

    expect(keyToGrant('p', key, warn)).toBe(key);
    expect(warn).not.toHaveBeenCalled();
  });

  test('given an alias of the app, or imported with its target key, then its target key is granted', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'K');
    const warn = jest.fn();

    expect(keyToGrant('p', new kms.Alias(stack, 'A', { aliasName: 'alias/a', targetKey: key }), warn)).toBe(key);
    expect(keyToGrant('p', kms.Alias.fromAliasAttributes(stack, 'I', { aliasName: 'alias/i', aliasTargetKey: key }), warn)).toBe(key);
    expect(warn).not.toHaveBeenCalled();
  });

  test('given an alias imported by name, then nothing is granted and the warning names it and the prop', () => {
    const stack = newStack();
    const warn = jest.fn();

    expect(keyToGrant('logLocation', kms.Alias.fromAliasName(stack, 'A', 'alias/logs'), warn)).toBeUndefined();
    expect(warn).toHaveBeenCalledWith('cdk-imagebuilder-instance-profile:keyAlias', expect.stringMatching(/^logLocation: the KMS key 'alias\/logs' \('Stack\/A'\) is an alias/));
  });
});
