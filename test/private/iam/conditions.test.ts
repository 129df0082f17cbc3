import { ACCOUNT, allow, decide, deny, OTHER_ACCOUNT, policy, request, when } from './helpers';
import { evaluate } from '../../../src/private/iam/policies';

// the condition operators, set operators and IfExists

describe('string conditions', () => {
  const present = { context: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } };
  const absent = { absentKeys: ['aws:SourceVpce'] };

  test.each([
    ['StringEquals', 'vpce-1a2b3c4d', 'allowed', 'denied'],
    ['StringEquals', 'vpce-*', 'denied', 'denied'],
    ['StringNotEquals', 'vpce-0000', 'allowed', 'allowed'],
    ['StringNotEquals', 'vpce-1a2b3c4d', 'denied', 'allowed'],
    ['StringEqualsIgnoreCase', 'VPCE-1A2B3C4D', 'allowed', 'denied'],
    ['StringNotEqualsIgnoreCase', 'VPCE-1A2B3C4D', 'denied', 'allowed'],
    ['StringLike', 'vpce-*', 'allowed', 'denied'],
    ['StringLike', 'vpce-????????', 'allowed', 'denied'],
    ['StringLike', 'VPCE-*', 'denied', 'denied'],
    ['StringNotLike', 'vpce-*', 'denied', 'allowed'],
    ['StringEqualsIfExists', 'vpce-1a2b3c4d', 'allowed', 'allowed'],
    ['StringEqualsIfExists', 'vpce-0000', 'denied', 'allowed'],
    ['StringNotLikeIfExists', 'vpce-*', 'denied', 'allowed'],
  ])('%s %s: with the key present %s, with the key absent %s', (operator, value, whenPresent, whenAbsent) => {
    const statements = [when({ [operator]: { 'aws:SourceVpce': value } })];

    expect(decide(statements, present)).toBe(whenPresent);
    expect(decide(statements, absent)).toBe(whenAbsent);
  });

  test('a condition on a key that is neither in the context nor absent is undecidable, and the reason names the key', () => {
    const input = {
      identity: [
        policy('X', deny({ Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } })),
        policy('Y', allow()),
      ],
    };

    const verdict = evaluate(request(), input);

    expect(verdict).toEqual({ decision: 'unknown', reasons: ["statement 1 of 'X' has a condition on aws:SourceVpce that cannot be decided at synthesis"] });
  });

  test('several values of one key match when any does; a negated operator matches when none does', () => {
    const like = [when({ StringLike: { 'aws:SourceVpce': ['vpce-0*', 'vpce-1*'] } })];
    const notEquals = [when({ StringNotEquals: { 'aws:SourceVpce': ['vpce-0000', 'vpce-1a2b3c4d'] } })];

    expect(decide(like, present)).toBe('allowed');
    expect(decide(notEquals, present)).toBe('denied');
  });

  test('several keys and several operators must all match', () => {
    const context = { 'aws:SourceVpce': 'vpce-1a2b3c4d', 's3:ResourceAccount': ACCOUNT };
    const both = [when({ StringLike: { 'aws:SourceVpce': 'vpce-*', 's3:ResourceAccount': ACCOUNT } })];
    const oneFails = [when({ StringLike: { 'aws:SourceVpce': 'vpce-*' }, StringEquals: { 's3:ResourceAccount': OTHER_ACCOUNT } })];

    expect(decide(both, { context })).toBe('allowed');
    expect(decide(oneFails, { context })).toBe('denied');
  });

  test('a condition that fails makes the statement not match even when another key is unknown', () => {
    const statements = [when({ StringEquals: { 's3:ResourceAccount': OTHER_ACCOUNT, 'aws:SourceVpce': 'vpce-1a2b3c4d' } })];

    const decision = decide(statements, { context: { 's3:ResourceAccount': ACCOUNT } });

    expect(decision).toBe('denied');
  });

  test('a multivalued key with a single-valued operator is undecidable', () => {
    const statements = [when({ StringEquals: { 'aws:TagKeys': 'team' } })];

    const decision = decide(statements, { context: { 'aws:TagKeys': ['team', 'owner'] } });

    expect(decision).toBe('unknown');
  });

  test('an operator this check does not evaluate is undecidable, and the reason names it', () => {
    const statements = [when({ BinaryEquals: { 'aws:SourceVpce': 'dmVwY2U=' } })];

    const verdict = evaluate(request(present), { identity: [policy('P', ...statements)] });

    expect(verdict.reasons).toEqual(["statement 1 of 'P' uses the condition operator 'BinaryEquals', which this check does not evaluate"]);
  });
});

describe('set operators', () => {
  const tags = (...values: string[]) => ({ context: { 'aws:TagKeys': values } });
  const noTags = { absentKeys: ['aws:TagKeys'] };

  test.each([
    ['ForAnyValue:StringEquals', ['team', 'cost'], 'allowed', 'denied', 'denied'],
    ['ForAnyValue:StringEquals', ['cost'], 'denied', 'denied', 'denied'],
    ['ForAllValues:StringEquals', ['team', 'owner'], 'allowed', 'allowed', 'allowed'],
    ['ForAllValues:StringEquals', ['team'], 'denied', 'allowed', 'allowed'],
    ['ForAllValues:StringLike', ['*'], 'allowed', 'allowed', 'allowed'],
    ['ForAnyValue:StringNotEquals', ['team'], 'allowed', 'denied', 'denied'],
    ['ForAllValues:StringNotEquals', ['owner'], 'denied', 'allowed', 'allowed'],
    ['ForAllValues:StringEqualsIfExists', ['team'], 'denied', 'allowed', 'allowed'],
  ])('%s %j: for [team, owner] %s, for [] %s, without the key %s', (operator, values, forTwo, forNone, forAbsent) => {
    const statements = [when({ [operator]: { 'aws:TagKeys': values } })];

    expect(decide(statements, tags('team', 'owner'))).toBe(forTwo);
    expect(decide(statements, tags())).toBe(forNone);
    expect(decide(statements, noTags)).toBe(forAbsent);
  });

  test('a single value is a set of one for the set operators', () => {
    const statements = [when({ 'ForAnyValue:StringEquals': { 'aws:SourceVpce': 'vpce-1' } })];

    const decision = decide(statements, { context: { 'aws:SourceVpce': 'vpce-1' } });

    expect(decision).toBe('allowed');
  });

  test('ForAnyValue with IfExists on an absent key, which the documentation does not describe, is undecidable', () => {
    const statements = [when({ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'team' } })];

    const decision = decide(statements, noTags);

    expect(decision).toBe('unknown');
  });
});

describe('other condition operators', () => {
  test.each([
    ['NumericEquals', 's3:max-keys', '10', '10', true],
    ['NumericNotEquals', 's3:max-keys', '10', '10', false],
    ['NumericLessThan', 's3:max-keys', '100', '99.5', true],
    ['NumericLessThanEquals', 's3:max-keys', '10', '11', false],
    ['NumericGreaterThan', 's3:max-keys', '10', '11', true],
    ['NumericGreaterThanEquals', 's3:max-keys', '10', '10', true],
    ['DateLessThan', 'aws:CurrentTime', '2030-01-01T00:00:00Z', '2026-05-01T12:00:00Z', true],
    ['DateGreaterThan', 'aws:CurrentTime', '2030-01-01T00:00:00Z', '2026-05-01T12:00:00Z', false],
    ['DateEquals', 'aws:EpochTime', '1700000000', '1700000000', true],
    ['DateNotEquals', 'aws:CurrentTime', '2026-05-01T12:00:00Z', '2026-05-01T12:00:00Z', false],
    ['DateLessThanEquals', 'aws:CurrentTime', '2026-05-01', '2026-05-01T00:00:00Z', true],
    ['DateGreaterThanEquals', 'aws:CurrentTime', '2026-05-01T00:00:00+02:00', '2026-04-30T22:00:00Z', true],
    ['Bool', 'aws:SecureTransport', 'true', 'TRUE', true],
    ['Bool', 'aws:SecureTransport', 'false', 'true', false],
    ['IpAddress', 'aws:SourceIp', '203.0.113.0/24', '203.0.113.7', true],
    ['IpAddress', 'aws:SourceIp', '203.0.113.0/24', '203.0.114.7', false],
    ['IpAddress', 'aws:SourceIp', '203.0.113.7', '203.0.113.7', true],
    ['IpAddress', 'aws:SourceIp', '2001:db8::/32', '2001:db8:0:1::5', true],
    ['IpAddress', 'aws:SourceIp', '2001:db8::/32', '203.0.113.7', false],
    ['NotIpAddress', 'aws:SourceIp', '203.0.113.0/24', '198.51.100.1', true],
    ['IpAddress', 'aws:SourceIp', '0.0.0.0/0', '198.51.100.1', true],
    ['NotIpAddress', 'aws:SourceIp', '198.51.100.1', '2001:db8::5', true],
    ['ArnLike', 'aws:SourceArn', 'arn:aws:imagebuilder:*:111122223333:image/*', 'arn:aws:imagebuilder:us-east-1:111122223333:image/x/1.0.0/1', true],
    ['ArnEquals', 'aws:SourceArn', 'arn:aws:imagebuilder:*:111122223333:image/*', 'arn:aws:imagebuilder:us-east-1:444455556666:image/x', false],
    ['ArnNotLike', 'aws:SourceArn', 'arn:aws:imagebuilder:*:*:image/*', 'arn:aws:imagebuilder:us-east-1:111122223333:image/x', false],
  ])('%s on %s: %s against %s matches: %s', (operator, key, policyValue, requestValue, matches) => {
    const statements = [when({ [operator]: { [key]: policyValue } })];

    const decision = decide(statements, { context: { [key]: requestValue } });

    expect(decision).toBe(matches ? 'allowed' : 'denied');
  });

  test('ArnLike matches each part separately: a * does not span the colons between them', () => {
    const statements = [when({ ArnLike: { 'aws:SourceArn': 'arn:aws:s3:*:*:x' } })];

    const decision = decide(statements, { context: { 'aws:SourceArn': 'arn:aws:s3:a:b:c:x' } });

    expect(decision).toBe('denied');
  });

  test('an ARN condition value of fewer than six parts, which the documentation does not describe, is undecidable', () => {
    const statements = [when({ ArnLike: { 'aws:SourceArn': 'arn:aws:imagebuilder:*:image/*' } })];

    const decision = decide(statements, { context: { 'aws:SourceArn': 'arn:aws:imagebuilder:us-east-1:111122223333:image/x' } });

    expect(decision).toBe('unknown');
  });

  test.each([
    ['NumericEquals', 's3:max-keys', '10', 'ten'],
    ['DateEquals', 'aws:CurrentTime', 'yesterday', '2026-05-01T12:00:00Z'],
    ['Bool', 'aws:SecureTransport', 'yes', 'true'],
    ['IpAddress', 'aws:SourceIp', '203.0.113.0/33', '203.0.113.7'],
    ['IpAddress', 'aws:SourceIp', '203.0.113.0/24', '203.0.113.07'],
    ['NumericEquals', 's3:max-keys', '${aws:username}', '10'],
  ])('%s on %s with a value it cannot read (%s, %s) is undecidable', (operator, key, policyValue, requestValue) => {
    const statements = [when({ [operator]: { [key]: policyValue } })];

    const decision = decide(statements, { context: { [key]: requestValue } });

    expect(decision).toBe('unknown');
  });

  test('Null true matches an absent key, Null false a present one, and a key of unknown presence is undecidable', () => {
    const mustBeAbsent = [when({ Null: { 'aws:SourceVpce': 'true' } })];
    const mustBePresent = [when({ Null: { 'aws:SourceVpce': false } })];

    expect(decide(mustBeAbsent, { absentKeys: ['aws:SourceVpce'] })).toBe('allowed');
    expect(decide(mustBeAbsent, { context: { 'aws:SourceVpce': 'vpce-1' } })).toBe('denied');
    expect(decide(mustBePresent, { context: { 'aws:SourceVpce': 'vpce-1' } })).toBe('allowed');
    expect(decide(mustBePresent, { absentKeys: ['aws:SourceVpce'] })).toBe('denied');
    expect(decide(mustBePresent)).toBe('unknown');
  });

  test('the numeric, date, Bool and IP operators on an absent key: negated ones match, the others do not, IfExists ones do', () => {
    const absent = { absentKeys: ['aws:SourceIp'] };

    expect(decide([when({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } })], absent)).toBe('denied');
    expect(decide([when({ NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } })], absent)).toBe('allowed');
    expect(decide([when({ IpAddressIfExists: { 'aws:SourceIp': '203.0.113.0/24' } })], absent)).toBe('allowed');
  });
});
