import { allow, decide, deny, OBJECT, policy, request } from './helpers';
import { evaluate } from '../../../src/private/iam/policies';

// one statement against a request: effects, actions and resources

describe('effects', () => {
  test('a matching Allow statement allows the request', () => {
    const statements = [allow()];

    const decision = decide(statements);

    expect(decision).toBe('allowed');
  });

  test('without any matching Allow the request is implicitly denied, and the reason names the policies', () => {
    const input = { identity: [policy('Identity', allow({ Action: 's3:PutObject' }))] };

    const verdict = evaluate(request(), input);

    expect(verdict).toEqual({ decision: 'denied', reasons: [`no statement of 'Identity' allows s3:GetObject on '${OBJECT}'`] });
  });

  test('a principal without identity policies is denied', () => {
    const input = { identity: [] };

    const verdict = evaluate(request(), input);

    expect(verdict.decision).toBe('denied');
  });

  test('a matching Deny overrides any Allow, and the reason names the statement by Sid', () => {
    const input = { identity: [policy('Allows', allow()), policy('Denies', deny({ Sid: 'NoReads' }))] };

    const verdict = evaluate(request(), input);

    expect(verdict).toEqual({ decision: 'denied', reasons: [`statement 'NoReads' of 'Denies' denies s3:GetObject on '${OBJECT}'`] });
  });

  test('a Deny that does not match the request leaves the Allow in force', () => {
    const statements = [allow(), deny({ Resource: 'arn:aws:s3:::other-bucket/*' })];

    const decision = decide(statements);

    expect(decision).toBe('allowed');
  });

  test('an Effect that is neither Allow nor Deny makes a matching statement undecidable', () => {
    const statements = [allow({ Effect: [{ hole: '{"Fn::If":["C","Allow","Deny"]}' }] })];

    const verdict = evaluate(request(), { identity: [policy('Identity', ...statements)] });

    expect(verdict.decision).toBe('unknown');
    expect(verdict.reasons).toEqual([expect.stringMatching(/^statement 1 of 'Identity' has the Effect/)]);
  });
});

describe('actions', () => {
  test.each([
    ['s3:GetObject', 'allowed'],
    ['S3:getobject', 'allowed'],
    ['s3:Get*', 'allowed'],
    ['s3:?etObject', 'allowed'],
    ['s3:*', 'allowed'],
    ['*', 'allowed'],
    ['s3:Get', 'denied'],
    ['s3:??Object', 'denied'],
    ['ec2:GetObject', 'denied'],
  ])('the Action %s, matched case-insensitively with * and ?, gives %s', (action, expected) => {
    const statements = [allow({ Action: action })];

    const decision = decide(statements);

    expect(decision).toBe(expected);
  });

  test('a list of actions matches when any of them does', () => {
    const statements = [allow({ Action: ['s3:PutObject', 's3:GetObject'] })];

    const decision = decide(statements);

    expect(decision).toBe('allowed');
  });

  test('NotAction matches every action except the listed ones', () => {
    const notPut = [allow({ Action: undefined, NotAction: 's3:Put*' })];
    const notGet = [allow({ Action: undefined, NotAction: ['s3:PutObject', 's3:GetObject'] })];

    expect(decide(notPut)).toBe('allowed');
    expect(decide(notGet)).toBe('denied');
  });

  test('a wildcard in the service prefix, which IAM does not allow, is undecidable', () => {
    const statements = [allow({ Action: 's*:GetObject' })];

    const decision = decide(statements);

    expect(decision).toBe('unknown');
  });

  test('a statement with both Action and NotAction is undecidable', () => {
    const statements = [allow({ NotAction: 's3:PutObject' })];

    const decision = decide(statements);

    expect(decision).toBe('unknown');
  });
});

describe('resources', () => {
  test.each([
    ['*', 'allowed'],
    ['arn:aws:s3:::team-artifacts/*', 'allowed'],
    ['arn:aws:s3:::team-artifacts*', 'allowed'],
    ['arn:aws:s3:::*/*.sh', 'allowed'],
    ['arn:aws:s3:::team-artifacts/components/install.s?', 'allowed'],
    ['arn:aws:s3:::team-artifacts/*/*', 'allowed'],
    ['arn:*:s3:::team-artifacts/*', 'allowed'],
    ['arn:aws:s3:*:*:team-artifacts/*', 'allowed'],
    ['arn:aws:s3:::Team-Artifacts/*', 'denied'],
    ['arn:aws:s3:::team-artifacts/components', 'denied'],
    ['arn:aws:s3:::team-artifacts/components/install.?', 'denied'],
    ['arn:aws:s3:::team-logs/*', 'denied'],
    ['arn:aws:ec2:*:*:volume/*', 'denied'],
  ])('the Resource %s, a case-sensitive pattern, gives %s', (resource, expected) => {
    const statements = [allow({ Resource: resource })];

    const decision = decide(statements);

    expect(decision).toBe(expected);
  });

  test('NotResource matches every resource except the listed ones', () => {
    const elsewhere = [allow({ Resource: undefined, NotResource: 'arn:aws:s3:::team-logs/*' })];
    const here = [allow({ Resource: undefined, NotResource: ['arn:aws:s3:::team-logs/*', 'arn:aws:s3:::team-artifacts/*'] })];

    expect(decide(elsewhere)).toBe('allowed');
    expect(decide(here)).toBe('denied');
  });

  test('a Deny with NotResource denies everything outside its resources', () => {
    const statements = [allow(), deny({ Resource: undefined, NotResource: 'arn:aws:s3:::team-logs/*' })];

    const decision = decide(statements);

    expect(decision).toBe('denied');
  });

  test('a case difference in the partition, which the documentation leaves open, is undecidable', () => {
    const statements = [allow({ Resource: 'arn:AWS:s3:::team-artifacts/*' })];

    const decision = decide(statements);

    expect(decision).toBe('unknown');
  });

  test('a short ARN without a wildcard, which simulators pad with * and the documentation does not describe, is undecidable', () => {
    const statements = [allow({ Resource: 'arn:aws:s3' })];

    const decision = decide(statements);

    expect(decision).toBe('unknown');
  });

  test('a * that ends an ARN part and could span the following parts, which the documentation allows, is undecidable', () => {
    const statements = [allow({ Resource: 'arn:aws:s3:*:team-artifacts/*' })];

    const decision = decide(statements);

    expect(decision).toBe('unknown');
  });
});
