import { expectedOwner, multipartUpload, sameRegion, withOrWithoutPolicy } from '../../src/private/request-verdicts';

const ALLOWED = { decision: 'allowed' as const, reasons: [] };
const DENIED = { decision: 'denied' as const, reasons: ['no statement allows it'] };
const ACCOUNT = [{ hole: 'account of Stack' }];

describe('expectedOwner', () => {
  test('given the bucket\'s own account, another literal account, or an account known at deployment, then allowed, denied, unknown', () => {
    expect(expectedOwner("the bucket 'Stack/A'", '111122223333', '111122223333').decision).toBe('allowed');
    expect(expectedOwner("the bucket 'Stack/A'", '111122223333', '999988887777')).toEqual({
      decision: 'denied', reasons: ["the bucket 'Stack/A' belongs to the account 111122223333, not to the expectedBucketOwner 999988887777"],
    });
    expect(expectedOwner("the bucket 'Stack/A'", ACCOUNT, '999988887777').decision).toBe('unknown');
    expect(expectedOwner("the bucket 'Stack/A'", ACCOUNT, ACCOUNT).decision).toBe('allowed');
  });
});

describe('sameRegion', () => {
  test('given the role\'s region, then allowed; given another, then unknown naming both regions', () => {
    expect(sameRegion("the secret 'Stack/Db'", 'us-east-1', 'us-east-1').decision).toBe('allowed');
    expect(sameRegion("the secret 'Stack/Db'", 'us-east-1', 'eu-west-1')).toEqual({
      decision: 'unknown',
      reasons: ["the secret 'Stack/Db' is of us-east-1, and the build reads the one of that name of eu-west-1, whose key and policy the app does not tell"],
    });
  });
});

describe('withOrWithoutPolicy', () => {
  test('given the same answer with and without the policy, then that answer; given different answers, then unknown naming the condition', () => {
    expect(withOrWithoutPolicy(DENIED, DENIED, 'Stack/A/Policy', 'IsProd')).toBe(DENIED);
    const verdict = withOrWithoutPolicy(ALLOWED, DENIED, 'Stack/A/Policy', 'IsProd');
    expect(verdict.decision).toBe('unknown');
    expect(verdict.reasons).toContain("'Stack/A/Policy' is created only when its Condition 'IsProd' holds, which is not known until deployment");
  });
});

describe('multipartUpload', () => {
  test('given kms:Decrypt allowed or no key, then allowed; given it refused, then unknown, never denied', () => {
    expect(multipartUpload(undefined).decision).toBe('allowed');
    expect(multipartUpload(ALLOWED).decision).toBe('allowed');
    expect(multipartUpload(DENIED)).toEqual({
      decision: 'unknown', reasons: ['a multipart upload, which a large file takes, also decrypts with the key: no statement allows it'],
    });
  });
});
