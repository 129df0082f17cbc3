import { ACCOUNT, allow, decide, OTHER_ACCOUNT, policy, request, when } from './helpers';
import { evaluate } from '../../../src/private/iam/policies';

// policy strings read against the request: wildcards, escapes and policy variables

describe('policy variables and escapes', () => {
  test.each([
    ['arn:aws:s3:::team-artifacts/${*}', 'arn:aws:s3:::team-artifacts/*', 'allowed'],
    ['arn:aws:s3:::team-artifacts/${*}', 'arn:aws:s3:::team-artifacts/x', 'denied'],
    ['arn:aws:s3:::team-artifacts/${?}', 'arn:aws:s3:::team-artifacts/?', 'allowed'],
    ['arn:aws:s3:::team-artifacts/${?}', 'arn:aws:s3:::team-artifacts/x', 'denied'],
    ['arn:aws:s3:::team-artifacts/${$}{x}', 'arn:aws:s3:::team-artifacts/${x}', 'allowed'],
  ])('%s is a literal character: on %s it gives %s', (pattern, resource, expected) => {
    const statements = [allow({ Resource: pattern })];

    const decision = decide(statements, { resource });

    expect(decision).toBe(expected);
  });

  test('${key} takes the value of the key in the request context, compared case-insensitively', () => {
    const statements = [allow({ Resource: 'arn:aws:s3:::team-artifacts/home/${aws:username}/*' })];
    const resource = 'arn:aws:s3:::team-artifacts/home/alice/notes.txt';

    expect(decide(statements, { resource, context: { 'AWS:UserName': 'alice' } })).toBe('allowed');
    expect(decide(statements, { resource, context: { 'aws:username': 'bob' } })).toBe('denied');
  });

  test('a * in the value of a variable is not taken for a wildcard when proving a match', () => {
    const statements = [allow({ Resource: 'arn:aws:s3:::team-artifacts/home/${aws:username}' })];
    const resource = 'arn:aws:s3:::team-artifacts/home/alice';

    expect(decide(statements, { resource, context: { 'aws:username': 'al*' } })).toBe('unknown');
    expect(decide(statements, { resource: 'arn:aws:s3:::team-artifacts/home/al*', context: { 'aws:username': 'al*' } })).toBe('allowed');
  });

  test('a ? in the value of a variable is not taken for a literal when proving no match', () => {
    const statements = [allow({ Resource: 'arn:aws:s3:::team-artifacts/home/${aws:username}' })];

    const decision = decide(statements, { resource: 'arn:aws:s3:::team-artifacts/home/alice', context: { 'aws:username': 'al?ce' } });

    expect(decision).toBe('unknown');
  });

  test('${key, \'default\'} takes the default when the key is absent', () => {
    const statements = [allow({ Resource: "arn:aws:s3:::team-artifacts/home/${aws:username, 'shared'}/*" })];
    const resource = 'arn:aws:s3:::team-artifacts/home/shared/notes.txt';

    expect(decide(statements, { resource, absentKeys: ['aws:username'] })).toBe('allowed');
    expect(decide(statements, { resource, context: { 'aws:username': 'alice' } })).toBe('denied');
  });

  test('a variable whose key is absent without default matches nothing', () => {
    const statements = [allow({ Resource: 'arn:aws:s3:::team-artifacts/home/${aws:username}/*' })];

    const decision = decide(statements, { resource: 'arn:aws:s3:::team-artifacts/home/x/y', absentKeys: ['aws:username'] });

    expect(decision).toBe('denied');
  });

  test('a variable whose key is not known is undecidable, unless the rest of the pattern already rules the request out', () => {
    const statements = [allow({ Resource: 'arn:aws:s3:::team-artifacts/home/${aws:username}/*' })];

    const inside = evaluate(request({ resource: 'arn:aws:s3:::team-artifacts/home/x/y' }), { identity: [policy('P', ...statements)] });
    const outside = decide(statements, { resource: 'arn:aws:s3:::team-logs/home/x/y' });

    expect(inside.decision).toBe('unknown');
    expect(inside.reasons).toEqual(["statement 1 of 'P' uses the policy variable ${aws:username}, whose value is not known at synthesis"]);
    expect(outside).toBe('denied');
  });

  test('a NotResource with a variable without value, which the documentation does not describe, is undecidable', () => {
    const statements = [allow({ Resource: undefined, NotResource: 'arn:aws:s3:::team-logs/${aws:username}/*' })];

    const decision = decide(statements, { absentKeys: ['aws:username'] });

    expect(decision).toBe('unknown');
  });

  test('a policy variable before the resource part of an ARN, which IAM does not allow, is undecidable', () => {
    const statements = [allow({ Resource: 'arn:aws:s3:${aws:username}::team-artifacts/*' })];

    const decision = decide(statements, { context: { 'aws:username': '' } });

    expect(decision).toBe('unknown');
  });

  test('variables in condition values take the request context value', () => {
    const statements = [when({ StringEquals: { 's3:ResourceAccount': '${aws:PrincipalAccount}' } })];

    expect(decide(statements, { context: { 's3:ResourceAccount': ACCOUNT, 'aws:PrincipalAccount': ACCOUNT } })).toBe('allowed');
    expect(decide(statements, { context: { 's3:ResourceAccount': OTHER_ACCOUNT, 'aws:PrincipalAccount': ACCOUNT } })).toBe('denied');
  });

  test('a negated operator matches a variable without value, as the documentation says (simulators say it does not)', () => {
    const statements = [when({ StringNotEquals: { 's3:ResourceAccount': '${aws:SourceAccount}' } })];

    const decision = decide(statements, { context: { 's3:ResourceAccount': ACCOUNT }, absentKeys: ['aws:SourceAccount'] });

    expect(decision).toBe('allowed');
  });
});
