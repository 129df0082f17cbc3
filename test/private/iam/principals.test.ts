import { principalOf } from '../../../src/private/iam/principals';
import { Hole } from '../../../src/private/iam/text';

const ACCOUNT = '111122223333';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/TeamRole`;
const CALLER = { account: ACCOUNT, roleArn: ROLE_ARN };

describe('which principals name the role\'s session', () => {
  test.each([
    ['*', 'any'],
    [{ AWS: '*' }, 'any'],
    [{ AWS: ROLE_ARN }, 'role'],
    [{ AWS: [`arn:aws:iam::${ACCOUNT}:role/Other`, ROLE_ARN] }, 'role'],
    [{ AWS: `arn:aws:iam::${ACCOUNT}:root` }, 'account'],
    [{ AWS: ACCOUNT }, 'account'],
    [{ AWS: 'arn:aws:iam::444455556666:root' }, 'none'],
    [{ AWS: '444455556666' }, 'none'],
    [{ AWS: `arn:aws:iam::${ACCOUNT}:role/Other` }, 'none'],
    [{ AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, 'none'],
    [{ Service: 'ec2.amazonaws.com' }, 'none'],
    [{ Federated: 'cognito-identity.amazonaws.com' }, 'none'],
    [{ CanonicalUser: '79a59df900b949e55d96a1e698fbaced' }, 'none'],
    [{ AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/TeamRole/i-0123456789abcdef0` }, 'unknown'],
    [{ AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/Other/i-0123456789abcdef0` }, 'none'],
  ])('the Principal %j is a match of kind %s', (principal, kind) => {
    expect(principalOf({ Effect: 'Allow', Principal: principal }, CALLER).match).toBe(kind);
  });

  test('NotPrincipal, which this check does not evaluate, is unknown and says why', () => {
    expect(principalOf({ Effect: 'Deny', NotPrincipal: { AWS: ROLE_ARN } }, CALLER)).toEqual({ match: 'unknown', why: expect.stringMatching(/NotPrincipal/) });
  });

  test('deploy-time holes: the role\'s own ARN and account match themselves; another role of the account is not known', () => {
    const account: Hole = { hole: 'account' };
    const role: Hole = { hole: 'role ARN' };
    const caller = { account: [account], roleArn: [role] };

    expect(principalOf({ Principal: { AWS: [role] } }, caller).match).toBe('role');
    expect(principalOf({ Principal: { AWS: ['arn:aws:iam::', account, ':root'] } }, caller).match).toBe('account');
    expect(principalOf({ Principal: { AWS: [[{ hole: 'other role' }]] } }, caller).match).toBe('unknown');
    expect(principalOf({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/TeamRole` } }, caller).match).toBe('unknown');
  });
});
