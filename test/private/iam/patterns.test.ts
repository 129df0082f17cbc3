import { allow, ANY_KEY, decide, deny, policy, request, when } from './helpers';
import { evaluate } from '../../../src/private/iam/policies';
import { Hole } from '../../../src/private/iam/text';

// texts with holes in requests and in policies: a match proved, a mismatch proved, or unknown

describe('holes in the request', () => {
  const anyComponent = ['arn:aws:s3:::team-artifacts/components/', ANY_KEY];

  test('a pattern whose * absorbs the hole allows every key', () => {
    const statements = [allow({ Resource: 'arn:aws:s3:::team-artifacts/components/*' })];

    const decision = decide(statements, { resource: anyComponent });

    expect(decision).toBe('allowed');
  });

  test('a pattern that ends before the hole, or has a ? for it, holds only for some keys', () => {
    expect(decide([allow({ Resource: 'arn:aws:s3:::team-artifacts/components/' })], { resource: anyComponent })).toBe('unknown');
    expect(decide([allow({ Resource: 'arn:aws:s3:::team-artifacts/components/?' })], { resource: anyComponent })).toBe('unknown');
    expect(decide([allow({ Resource: 'arn:aws:s3:::team-artifacts/components/a*' })], { resource: anyComponent })).toBe('unknown');
  });

  test('single-character holes (the random end of a secret\'s ARN) are matched by ? as well as by *', () => {
    const suffix = Array.from({ length: 6 }, (_, i) => ({ hole: `suffix${i}`, singleCharacter: true }));
    const secret = ['arn:aws:secretsmanager:us-east-1:111122223333:secret:db-', ...suffix];

    expect(decide([allow({ Resource: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:db-??????' })], { resource: secret })).toBe('allowed');
    expect(decide([allow({ Resource: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:db-*' })], { resource: secret })).toBe('allowed');
    expect(decide([allow({ Resource: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:db-?????' })], { resource: secret })).not.toBe('allowed');
    expect(decide([allow({ Resource: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf' })], { resource: secret })).toBe('unknown');
  });

  test('the same hole opening both texts faces itself: the literal text after it decides', () => {
    const bucket = { hole: 'bucket of the app' };

    expect(decide([allow({ Resource: [['arn:aws:s3:::', bucket, '/logs/*']] })], { resource: ['arn:aws:s3:::', bucket, '/build-logs/', ANY_KEY] })).toBe('denied');
    expect(decide([allow({ Resource: [['arn:aws:s3:::', bucket, '/logs/*']] })], { resource: ['arn:aws:s3:::', bucket, '/logs/', ANY_KEY] })).toBe('allowed');
  });

  test('a pattern whose literal text differs before the hole denies every key', () => {
    const statements = [allow({ Resource: 'arn:aws:s3:::team-artifacts/scripts/*' })];

    const decision = decide(statements, { resource: anyComponent });

    expect(decision).toBe('denied');
  });

  test('a pattern whose literal text differs after the hole denies every key', () => {
    const statements = [allow({ Resource: 'arn:aws:s3:::team-artifacts/*.iso' })];

    const decision = decide(statements, { resource: ['arn:aws:s3:::team-artifacts/', ANY_KEY, '.sh'] });

    expect(decision).toBe('denied');
  });

  test('a Deny that holds only for some keys makes the answer unknown, and the reason names it', () => {
    const input = { identity: [policy('P', allow(), deny({ Sid: 'NoSecrets', Resource: 'arn:aws:s3:::team-artifacts/components/secret*' }))] };

    const verdict = evaluate(request({ resource: anyComponent }), input);

    expect(verdict).toEqual({
      decision: 'unknown',
      reasons: ["statement 'NoSecrets' of 'P' has the Resource 'arn:aws:s3:::team-artifacts/components/secret*', which may or may not match "
        + "'arn:aws:s3:::team-artifacts/components/<any key>'"],
    });
  });

  test('holes in context values: StringLike with * decides, StringEquals does not', () => {
    const context = { 's3:prefix': ['components/', ANY_KEY] };
    const like = [when({ StringLike: { 's3:prefix': 'components/*' } })];
    const equals = [when({ StringEquals: { 's3:prefix': 'components/' } })];
    const other = [when({ StringLike: { 's3:prefix': 'scripts/*' } })];

    expect(decide(like, { context })).toBe('allowed');
    expect(decide(equals, { context })).toBe('unknown');
    expect(decide(other, { context })).toBe('denied');
  });
});

describe('holes in policies', () => {
  const bucketArn: Hole = { hole: '{"Fn::GetAtt":["Bucket","Arn"]}' };
  const partition: Hole = { hole: '{"Ref":"AWS::Partition"}' };

  test('the same hole in the policy and the request matches itself', () => {
    const statements = [allow({ Resource: [[bucketArn, '/components/*']] })];

    const decision = decide(statements, { resource: [bucketArn, '/components/', ANY_KEY] });

    expect(decision).toBe('allowed');
  });

  test('a partition token in both the policy and the request matches', () => {
    const statements = [allow({ Resource: [['arn:', partition, ':s3:::team-artifacts/*']] })];

    const decision = decide(statements, { resource: ['arn:', partition, ':s3:::team-artifacts/components/', ANY_KEY] });

    expect(decision).toBe('allowed');
  });

  test('a hole in the policy that the request does not carry is undecidable', () => {
    const statements = [allow({ Resource: [[bucketArn, '/*']] })];

    const decision = decide(statements);

    expect(decision).toBe('unknown');
  });

  test('a hole in the policy after literal text that differs from the request denies', () => {
    const statements = [allow({ Resource: [['arn:aws:s3:::team-logs/', bucketArn]] })];

    const decision = decide(statements);

    expect(decision).toBe('denied');
  });

  test('holes with different ids may be equal', () => {
    const statements = [allow({ Resource: [['arn:aws:s3:::', { hole: 'Ref BucketA' }, '/*']] })];

    const decision = decide(statements, { resource: ['arn:aws:s3:::', { hole: 'Ref BucketB' }, '/x'] });

    expect(decision).toBe('unknown');
  });

  test('holes of the same distinct group with different ids never are', () => {
    const bucketA: Hole = { hole: 'Ref BucketA', distinctGroup: 'bucket' };
    const bucketB: Hole = { hole: 'Ref BucketB', distinctGroup: 'bucket' };
    const statements = [allow({ Resource: [['arn:aws:s3:::', bucketA, '/*'], ['arn:aws:s3:::', bucketA]] })];

    expect(decide(statements, { resource: ['arn:aws:s3:::', bucketB, '/x'] })).toBe('denied');
    expect(decide(statements, { resource: ['arn:aws:s3:::', bucketB] })).toBe('denied');
    expect(decide(statements, { resource: ['arn:aws:s3:::', bucketA, '/x'] })).toBe('allowed');
  });

  test('a * right after a distinct hole may reach into another one (bucket "a" and "ab")', () => {
    const statements = [allow({ Resource: [['arn:aws:s3:::', { hole: 'A', distinctGroup: 'bucket' }, '*']] })];

    const decision = decide(statements, { resource: ['arn:aws:s3:::', { hole: 'B', distinctGroup: 'bucket' }, '/x'] });

    expect(decision).toBe('unknown');
  });

  test('an account token compared with the same token in the request context matches', () => {
    const account: Hole = { hole: '{"Ref":"AWS::AccountId"}' };
    const statements = [when({ StringEquals: { 's3:ResourceAccount': [[account]] } })];

    const decision = decide(statements, { context: { 's3:ResourceAccount': [account] } });

    expect(decision).toBe('allowed');
  });
});
