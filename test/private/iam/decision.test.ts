import { runSimulation } from '@cloud-copilot/iam-simulate';
import * as fc from 'fast-check';
import { decide, DecisionInput, ResourcePolicyInput } from '../../../src/private/iam/decision';
import { s3KeyRequest } from '../../../src/private/iam/kms-paths';
import { Decision, PolicySource } from '../../../src/private/iam/policies';
import { EvaluationRequest } from '../../../src/private/iam/request-context';
import { Hole } from '../../../src/private/iam/text';

// property runs take tens of seconds on a busy 2-core machine
jest.setTimeout(180_000);

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/TeamRole`;
const SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/TeamRole/i-0123456789abcdef0`;
const OBJECT = 'arn:aws:s3:::team-artifacts/app/install.sh';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const CALLER = { account: ACCOUNT, roleArn: ROLE_ARN };

const policy = (name: string, ...statements: any[]): PolicySource => ({ name, statements });
const read = (extra: any = {}) => ({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', ...extra });
const s3Request: EvaluationRequest = { action: 's3:GetObject', resource: OBJECT, context: { 'aws:PrincipalAccount': ACCOUNT, 's3:ResourceAccount': ACCOUNT } };
const kmsRequest: EvaluationRequest = {
  action: 'kms:Decrypt',
  resource: KEY,
  context: { 'aws:PrincipalAccount': ACCOUNT, 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
};

/** A bucket of `owner` ('unknown' for an owner not known) with these policy statements, or without policy. */
function bucket(statements: any[] | undefined, owner: string = ACCOUNT): ResourcePolicyInput {
  return {
    service: 's3',
    label: "the bucket 'Stack/Bucket'",
    policy: statements && policy('Stack/Bucket/Policy', ...statements),
    owner: owner === 'unknown' ? undefined : owner,
  };
}

function key(statements: any[]): ResourcePolicyInput {
  return { service: 'kms', label: "the key 'Stack/Key'", policy: policy("the key policy of 'Stack/Key'", ...statements), owner: ACCOUNT };
}

function input(identity: any[], resource?: ResourcePolicyInput, boundary?: any[]): DecisionInput {
  return { identity: [policy('Identity', ...identity)], boundary: boundary && policy('Boundary', ...boundary), caller: CALLER, resource };
}

describe('within one account', () => {
  test('a bucket policy Allow naming the role allows without any identity grant', () => {
    const verdict = decide(s3Request, input([], bucket([read({ Principal: { AWS: ROLE_ARN } })])));

    expect(verdict.decision).toBe('allowed');
  });

  test('an identity Allow suffices when the bucket has no policy', () => {
    expect(decide(s3Request, input([read()], bucket(undefined))).decision).toBe('allowed');
  });

  test('an explicit Deny of the bucket policy denies what the identity allows, and the reason names the statement', () => {
    const verdict = decide(s3Request, input([read()], bucket([{ ...read({ Principal: '*' }), Effect: 'Deny', Sid: 'NoReads' }])));

    expect(verdict).toEqual({ decision: 'denied', reasons: [`statement 'NoReads' of 'Stack/Bucket/Policy' denies s3:GetObject on '${OBJECT}'`] });
  });

  test('a Deny naming another principal does not apply to the role', () => {
    const otherRole = { ...read({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Other` } }), Effect: 'Deny' };

    expect(decide(s3Request, input([read()], bucket([otherRole]))).decision).toBe('allowed');
  });

  test('a resource policy Allow naming the role ARN is limited by the permissions boundary', () => {
    const verdict = decide(s3Request, input([], bucket([read({ Principal: { AWS: ROLE_ARN } })]), [{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }]));

    expect(verdict.decision).toBe('denied');
  });

  test('an Allow to \'*\' beyond the boundary, which AWS does not describe, is unknown and says so', () => {
    const verdict = decide(s3Request, input([], bucket([read({ Principal: '*' })]), [{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }]));

    expect(verdict.decision).toBe('unknown');
    expect(verdict.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/Allow to '\*' for a principal whose permissions boundary/)]));
  });

  test('a permissions boundary whose document the app does not hold is one reason, its own sentence', () => {
    const boundary: PolicySource = { name: 'Team', unknown: "the app does not hold the document of the permissions boundary 'Team'" };

    const verdict = decide(s3Request, { identity: [policy('Identity', read())], boundary, caller: CALLER, resource: bucket([]) });

    expect(verdict).toEqual({ decision: 'unknown', reasons: ["the app does not hold the document of the permissions boundary 'Team'"] });
  });

  test('an Allow to the account without an identity grant, which AWS does not describe as a grant to the role, is unknown', () => {
    const verdict = decide(s3Request, input([], bucket([read({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } })])));

    expect(verdict.decision).toBe('unknown');
  });
});

describe('across accounts', () => {
  const crossRequest = { ...s3Request, context: { ...s3Request.context, 's3:ResourceAccount': OTHER_ACCOUNT } };

  test('the identity Allow alone is denied: the bucket policy must allow too', () => {
    expect(decide(crossRequest, input([read()], bucket([], OTHER_ACCOUNT))).decision).toBe('denied');
  });

  test('both the identity and the bucket policy allowing allow', () => {
    const verdict = decide(crossRequest, input([read()], bucket([read({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } })], OTHER_ACCOUNT)));

    expect(verdict.decision).toBe('allowed');
  });

  test('a bucket policy the app does not hold leaves the answer unknown, and says so', () => {
    const verdict = decide(crossRequest, input([read()], { ...bucket(undefined, OTHER_ACCOUNT), policy: { name: 'the bucket policy of \'b\'' } }));

    expect(verdict.decision).toBe('unknown');
    expect(verdict.reasons.join()).toMatch(/belongs to another account \(444455556666\), whose policy the app does not hold/);
  });

  test('an owner account that may or may not be the caller\'s (an account known only at deployment) leaves the answer unknown, and says so', () => {
    const verdict = decide(s3Request, {
      ...input([read()], { ...bucket(undefined, OTHER_ACCOUNT), policy: { name: 'the bucket policy of \'b\'' } }),
      caller: { account: [{ hole: 'account' }], roleArn: ROLE_ARN },
    });

    expect(verdict.decision).toBe('unknown');
    expect(verdict.reasons.join()).toMatch(/whether the bucket 'Stack\/Bucket' belongs to the role's account is not known until deployment \(it belongs to 444455556666\)/);
  });

  test('an owner not known is decided only when both readings agree', () => {
    const unknownOwner = bucket(undefined, 'unknown');

    expect(decide(s3Request, input([], unknownOwner)).decision).toBe('denied');
    expect(decide(s3Request, input([read()], unknownOwner)).decision).toBe('unknown');
  });
});

describe('key policies', () => {
  const delegate = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };
  const decrypt = { Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY };

  test('a key policy that delegates to the account lets the identity policies decide', () => {
    expect(decide(kmsRequest, input([decrypt], key([delegate]))).decision).toBe('allowed');
    expect(decide(kmsRequest, input([], key([delegate]))).decision).toBe('denied');
  });

  test('a key policy that neither names the role nor delegates denies what the identity allows, and says so', () => {
    const verdict = decide(kmsRequest, input([decrypt], key([{ ...delegate, Principal: { Service: 'logs.amazonaws.com' } }])));

    expect(verdict).toEqual({ decision: 'denied', reasons: [expect.stringMatching(/the key policy of the key 'Stack\/Key' neither allows the role kms:Decrypt/)] });
  });

  test('a key policy naming the role allows without an identity grant', () => {
    expect(decide(kmsRequest, input([], key([{ ...delegate, Principal: { AWS: ROLE_ARN } }]))).decision).toBe('allowed');
  });
});

// -----------------------------------------------------------------------------------------------------------------
// agreement with iam-simulate, with resource policies, boundaries, denies and key policies

const SEED = Number(process.env.FC_SEED) || Date.now() % 2_147_483_647;

interface Case {
  readonly service: 's3' | 'kms' | 'secretsmanager';
  readonly action: string;
  readonly resource: string;
  readonly owner: string;
  readonly context: Record<string, string | string[]>;
  readonly identity: any[];
  readonly boundary?: any[];
  readonly resourcePolicy?: any[];
}

async function oracle(c: Case): Promise<Decision> {
  const document = (statements: any[]) => ({ Version: '2012-10-17', Statement: statements });
  const response = await runSimulation({
    identityPolicies: [{ name: 'Identity', policy: document(renamed(c.identity)) }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    permissionBoundaryPolicies: c.boundary ? [{ name: 'Boundary', policy: document(renamed(c.boundary)) }] : undefined,
    resourcePolicy: c.resourcePolicy ? document(renamed(c.resourcePolicy)) : undefined,
    request: {
      action: c.action, principal: SESSION_ARN, resource: { resource: c.resource, accountId: c.owner }, contextVariables: simulated(c.context),
    },
  } as any, {});
  if (response.resultType !== 'single') {
    throw new Error(`the simulation is invalid: ${JSON.stringify(response)}`);
  }
  return response.overallResult === 'Allowed' ? 'allowed' : 'denied';
}

const TARGETS = {
  s3: { action: 's3:GetObject', resource: OBJECT, patterns: ['*', 'arn:aws:s3:::team-artifacts/*', 'arn:aws:s3:::team-artifacts/other/*', OBJECT] },
  kms: { action: 'kms:Decrypt', resource: KEY, patterns: ['*', KEY, `arn:aws:kms:us-east-1:${ACCOUNT}:key/other`, 'arn:aws:kms:*:*:key/*'] },
  secretsmanager: {
    action: 'secretsmanager:GetSecretValue',
    resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/db-AbCdEf`,
    patterns: ['*', `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/db-??????`, `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:other-*`],
  },
};
const ACTIONS = { s3: ['s3:GetObject', 's3:Get*', 's3:PutObject', '*'], kms: ['kms:Decrypt', 'kms:*', 'kms:Encrypt'], secretsmanager: ['secretsmanager:GetSecretValue', 'secretsmanager:*', 'secretsmanager:DescribeSecret'] };
const PRINCIPALS = ['*', { AWS: '*' }, { AWS: ROLE_ARN }, { AWS: `arn:aws:iam::${ACCOUNT}:root` }, { AWS: ACCOUNT }, { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
  { AWS: `arn:aws:iam::${ACCOUNT}:role/Other` }, { Service: 'ec2.amazonaws.com' }, { AWS: [`arn:aws:iam::${ACCOUNT}:role/Other`, ROLE_ARN] }];

function contextOf(service: Case['service'], owner: string): Record<string, string | string[]> {
  switch (service) {
    case 's3': return { 'aws:PrincipalAccount': ACCOUNT, 's3:ResourceAccount': owner };
    // the request S3 makes for a read of an SSE-KMS object
    case 'kms': return { 'aws:PrincipalAccount': ACCOUNT, ...s3KeyRequest('read', KEY, { account: ACCOUNT, region: 'us-east-1' }, OBJECT, 'arn:aws:s3:::team-artifacts', false).context } as any;
    case 'secretsmanager': return { 'aws:PrincipalAccount': ACCOUNT };
  }
}

// iam-simulate 0.1.173 drops kms:EncryptionContext:<key> from the request: the encryption context of the request S3
// makes is sent to it, and read in its policies, under a key it keeps (aws:SourceVpce, which no request here carries)
const ENCRYPTION_CONTEXT = 'kms:EncryptionContext:aws:s3:arn';
const RENAMED = 'aws:SourceVpce';

/** What iam-simulate is sent: the encryption context under the renamed key, and no other kms:EncryptionContext:<key>. */
function simulated(context: Record<string, string | string[]>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(context)
    .map(([k, v]) => [k === ENCRYPTION_CONTEXT ? RENAMED : k, v] as const)
    .filter(([k]) => !k.startsWith('kms:EncryptionContext:')));
}

/** A policy with the encryption context key renamed the same way. */
function renamed(statements: any[]): any[] {
  return JSON.parse(JSON.stringify(statements).split(`"${ENCRYPTION_CONTEXT}"`).join(`"${RENAMED}"`));
}

/** Conditions only on keys the request carries, so that every verdict is decided. */
function condition(service: Case['service']): fc.Arbitrary<any> {
  const keys: [string, string[]][] = [['aws:PrincipalAccount', [ACCOUNT, OTHER_ACCOUNT, '1111*']]];
  if (service === 's3') {
    keys.push(['s3:ResourceAccount', [ACCOUNT, OTHER_ACCOUNT]]);
  }
  if (service === 'kms') {
    keys.push(['kms:ViaService', ['s3.us-east-1.amazonaws.com', 'ssm.us-east-1.amazonaws.com', 's3.*.amazonaws.com']], ['kms:CallerAccount', [ACCOUNT, OTHER_ACCOUNT]],
      [ENCRYPTION_CONTEXT, [OBJECT, 'arn:aws:s3:::team-artifacts/*', 'arn:aws:s3:::team-artifacts', 'arn:aws:s3:::other/*']]);
  }
  return fc.record({
    operator: fc.constantFrom('StringEquals', 'StringLike', 'StringNotEquals'),
    entry: fc.constantFrom(...keys),
    pick: fc.nat(),
  }).map(({ operator, entry, pick }) => ({ [operator]: { [entry[0]]: entry[1][pick % entry[1].length] } }));
}

function statement(service: Case['service'], withPrincipal: boolean): fc.Arbitrary<any> {
  return fc.record({
    effect: fc.constantFrom('Allow', 'Allow', 'Allow', 'Allow', 'Deny'),
    action: fc.constantFrom(...ACTIONS[service]),
    resource: fc.constantFrom(...TARGETS[service].patterns),
    principal: fc.constantFrom(...PRINCIPALS),
    condition: fc.option(condition(service), { freq: 4 }),
  }).map(s => ({
    Effect: s.effect,
    ...withPrincipal ? { Principal: s.principal } : {},
    Action: s.action,
    Resource: s.resource,
    ...s.condition ? { Condition: s.condition } : {},
  }));
}

const scenario: fc.Arbitrary<Case> = fc.constantFrom<Case['service']>('s3', 'kms', 'secretsmanager').chain(service => fc.record({
  owner: service === 'kms' ? fc.constantFrom(ACCOUNT, ACCOUNT, OTHER_ACCOUNT) : fc.constantFrom(ACCOUNT, OTHER_ACCOUNT),
  identity: fc.array(statement(service, false), { minLength: 1, maxLength: 3 }),
  boundary: fc.option(fc.array(statement(service, false), { minLength: 1, maxLength: 2 }), { freq: 3 }),
  // a key always has a key policy; a bucket or secret may have none
  resourcePolicy: service === 'kms' ? fc.array(statement(service, true), { maxLength: 3 })
    : fc.option(fc.array(statement(service, true), { maxLength: 3 }), { freq: 4 }),
}).map(c => ({
  service,
  action: TARGETS[service].action,
  resource: service === 'kms' ? TARGETS.kms.resource.replace(ACCOUNT, c.owner) : TARGETS[service].resource,
  owner: c.owner,
  context: contextOf(service, c.owner),
  identity: c.identity,
  boundary: c.boundary ?? undefined,
  resourcePolicy: c.resourcePolicy ?? undefined,
})));

function verdictOf(c: Case, ownerKnown = true) {
  // a request whose bucket's owner is not known does not carry s3:ResourceAccount for certain
  const context = ownerKnown ? c.context : Object.fromEntries(Object.entries(c.context).filter(([k]) => k !== 's3:ResourceAccount'));
  return decide({ action: c.action, resource: c.resource, context }, {
    identity: [policy('Identity', ...c.identity)],
    boundary: c.boundary && policy('Boundary', ...c.boundary),
    caller: CALLER,
    resource: {
      service: c.service,
      label: 'the resource',
      policy: c.resourcePolicy && policy('Resource', ...c.resourcePolicy),
      owner: ownerKnown ? c.owner : undefined,
    },
  });
}

describe('agreement with iam-simulate', () => {
  beforeAll(() => {
    console.log(`fast-check seed ${SEED}; set FC_SEED=${SEED} to repeat these runs`);
  });

  test('with resource and key policies, in one account and across accounts, every decided verdict equals the one of iam-simulate', async () => {
    const counts = { allowed: 0, denied: 0, unknown: 0 };
    await fc.assert(fc.asyncProperty(scenario, async c => {
      const verdict = verdictOf(c);
      counts[verdict.decision]++;
      if (verdict.decision === 'unknown') {
        return;
      }
      const expected = await oracle(c);
      if (expected !== verdict.decision) {
        throw new Error(`decide says ${verdict.decision} (${verdict.reasons.join('; ')}), iam-simulate says ${expected}`);
      }
    }), { numRuns: 600, seed: SEED });
    console.log(`verdicts: ${JSON.stringify(counts)}`);
    // the generator reaches every answer, and leaves few unknown
    expect(counts.allowed).toBeGreaterThan(30);
    expect(counts.denied).toBeGreaterThan(50);
    expect(counts.unknown).toBeLessThan(600 * 0.3);
  });

  test('with the owner not known, a decided verdict holds for the owner being the caller\'s account and another', async () => {
    await fc.assert(fc.asyncProperty(scenario.filter(c => c.service !== 'kms'), async c => {
      const verdict = verdictOf(c, false);
      if (verdict.decision === 'unknown') {
        return;
      }
      for (const owner of [ACCOUNT, OTHER_ACCOUNT]) {
        const concrete = { ...c, owner, context: contextOf(c.service, owner) };
        expect(await oracle(concrete)).toBe(verdict.decision);
      }
    }), { numRuns: 200, seed: SEED });
  });

  test('with the role ARN and account as deploy-time holes, a decided verdict holds once they are known', async () => {
    const roleHole: Hole = { hole: 'role ARN' };
    const accountHole: Hole = { hole: 'account' };
    // the policies name the role and the account through the same holes as the caller
    const holed = (value: any): any => {
      if (value === ROLE_ARN) {
        return [roleHole];
      }
      if (value === `arn:aws:iam::${ACCOUNT}:root`) {
        return ['arn:aws:iam::', accountHole, ':root'];
      }
      if (Array.isArray(value)) {
        return value.map(holed);
      }
      return value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, holed(v)])) : value;
    };
    await fc.assert(fc.asyncProperty(scenario, async c => {
      const verdict = decide({ action: c.action, resource: c.resource, context: c.context }, {
        identity: [policy('Identity', ...c.identity)],
        boundary: c.boundary && policy('Boundary', ...c.boundary),
        caller: { account: [accountHole], roleArn: [roleHole] },
        resource: {
          service: c.service,
          label: 'the resource',
          policy: c.resourcePolicy && policy('Resource', ...holed(c.resourcePolicy)),
          owner: c.owner === ACCOUNT ? [accountHole] : c.owner,
        },
      });
      if (verdict.decision !== 'unknown') {
        expect(await oracle(c)).toBe(verdict.decision);
      }
    }), { numRuns: 200, seed: SEED });
  });
});
