import { App, Aws, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as fc from 'fast-check';
import { checkProperty } from './property-helpers';
import { estimateSize, OwnPolicies } from '../../src/private/own-policies';

// property runs take tens of seconds on a busy 2-core machine; jest's default of 5 s would cut them off
jest.setTimeout(180_000);

// IAM's limit for a customer managed policy document, in characters without whitespace
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length
const MANAGED_POLICY_LIMIT = 6_144;

// the longest value each pseudo parameter takes (aws-iso-b and aws-us-gov partitions, ap-southeast-4 style regions,
// amazonaws.com.cn), and 128 characters for any other deploy-time value
const LONGEST: Record<string, string> = {
  'AWS::Partition': 'a'.repeat(10),
  'AWS::AccountId': '1'.repeat(12),
  'AWS::Region': 'r'.repeat(14),
  'AWS::URLSuffix': 'u'.repeat(16),
};
const LONGEST_OTHER = 'x'.repeat(128);

function setup() {
  const stack = new Stack(new App(), 'Stack');
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const created: iam.ManagedPolicy[] = [];
  const policies = new OwnPolicies(stack, role, policy => created.push(policy));
  return { stack, role, policies, created };
}

/** A statement whose JSON is exactly `length` characters long. */
function statementOfLength(length: number, id = 'a'): iam.PolicyStatement {
  const base = JSON.stringify(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${id}/`] }).toStatementJson()).length;
  return new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${id}/${'k'.repeat(length - base)}`] });
}

/** The document of a managed policy as deployed with every deploy-time value at its longest, without whitespace. */
function longestDocument(stack: Stack, policy: iam.ManagedPolicy): string {
  const resolved = stack.resolve((policy.node.defaultChild as iam.CfnManagedPolicy).policyDocument);
  const longest = (value: any): any => {
    if (Array.isArray(value)) {
      return value.map(longest);
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    if ('Ref' in value) {
      return LONGEST[value.Ref] ?? LONGEST_OTHER;
    }
    if ('Fn::GetAtt' in value) {
      return LONGEST_OTHER;
    }
    if ('Fn::Join' in value) {
      const [delimiter, parts] = value['Fn::Join'];
      return longest(parts).join(delimiter);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, longest(v)]));
  };
  return JSON.stringify(longest(resolved));
}

describe('OwnPolicies', () => {
  test('the first statement creates the managed policy Policy, attached to the role, and reports it', () => {
    // given
    const { stack, role, policies, created } = setup();

    // when
    const slot = policies.add(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::artifacts/components/*'] }));

    // then
    expect(slot.policy).toBe(0);
    expect(created.map(p => p.node.id)).toEqual(['Policy']);
    expect(policies.all).toEqual(created);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: { Statement: [{ Action: 's3:GetObject', Effect: 'Allow', Resource: 'arn:aws:s3:::artifacts/components/*' }] },
    });
  });

  test('no policy exists before the first statement', () => {
    // given / when
    const { stack, policies, created } = setup();

    // then
    expect(policies.all).toEqual([]);
    expect(created).toEqual([]);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('statements fill the last policy, and the one that would not fit starts Policy2, then Policy3', () => {
    // given: statements of 1,199 characters (1,200 with the comma): five fill 6,000 of the budget
    const { policies, created } = setup();
    const statements = Array.from({ length: 11 }, (_, i) => statementOfLength(1_199, `b${i}`));

    // when
    const slots = statements.map(s => policies.add(s));

    // then
    expect(slots.map(s => s.policy)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2]);
    expect(created.map(p => p.node.id)).toEqual(['Policy', 'Policy2', 'Policy3']);
    expect(created[1].document.toJSON().Statement).toHaveLength(5);
  });

  test('one character more than the budget leaves room for one statement fewer', () => {
    // given: five statements of 1,200 characters (1,201 with the comma) no longer fit in one policy
    const { policies } = setup();

    // when
    const slots = Array.from({ length: 5 }, (_, i) => policies.add(statementOfLength(1_200, `b${i}`)));

    // then
    expect(slots.map(s => s.policy)).toEqual([0, 0, 0, 0, 1]);
  });

  test('a new policy is created even for a statement larger than the budget, and the next statement goes to another', () => {
    // given
    const { policies, created } = setup();
    policies.add(statementOfLength(100, 'small'));

    // when
    const big = policies.add(statementOfLength(7_000, 'big'));
    const after = policies.add(statementOfLength(100, 'after'));

    // then
    expect([big.policy, after.policy]).toEqual([1, 2]);
    expect(created).toHaveLength(3);
  });

  test('grow reserves room in the statement\'s policy, so that a statement that would have fit goes to a new policy', () => {
    // given: one statement of 1,999 characters leaves 4,000 of the budget
    const { policies } = setup();
    const slot = policies.add(statementOfLength(1_999, 'first'));

    // when: 1,997 + 3 characters are reserved
    const grown = policies.grow(slot, 'g'.repeat(1_997));
    const next = policies.add(statementOfLength(1_999, 'second'));
    const third = policies.add(statementOfLength(1_999, 'third'));

    // then
    expect(grown).toBe(true);
    expect([next.policy, third.policy]).toEqual([0, 1]);
  });

  test('grow refuses a value that does not fit in the policy, and reserves nothing then', () => {
    // given: 4,000 characters of the budget are left
    const { policies } = setup();
    const slot = policies.add(statementOfLength(1_999, 'first'));

    // when
    const tooBig = policies.grow(slot, 'g'.repeat(3_998));
    const fits = policies.grow(slot, 'g'.repeat(3_997));

    // then
    expect(tooBig).toBe(false);
    expect(fits).toBe(true);
    expect(policies.grow(slot, 'g')).toBe(false);
  });

  test('grow refuses a statement that aws-cdk-lib has frozen, by synthesis or freeze()', () => {
    // given
    const { stack, policies } = setup();
    const synthesized = policies.add(statementOfLength(100, 'synthesized'));
    Template.fromStack(stack);
    const frozen = policies.add(statementOfLength(100, 'frozen'));
    frozen.statement.freeze();
    const open = policies.add(statementOfLength(100, 'open'));

    // when / then
    expect(synthesized.statement.frozen).toBe(true);
    expect(policies.grow(synthesized, 'arn:aws:s3:::more/*')).toBe(false);
    expect(policies.grow(frozen, 'arn:aws:s3:::more/*')).toBe(false);
    expect(policies.grow(open, 'arn:aws:s3:::more/*')).toBe(true);
  });

  test('allow adds a resource once, even after its statement has closed, and names the policy that holds it', () => {
    // given: 'first' is in a statement of Policy that 21 more resources have closed; a large statement starts Policy2
    const { stack, policies, created } = setup();
    const first = policies.allow(['kms:Decrypt'], 'arn:aws:kms:eu-west-1:111122223333:key/first');
    for (let i = 0; i < 21; i++) {
      policies.allow(['kms:Decrypt'], `arn:aws:kms:eu-west-1:111122223333:key/k${i}`);
    }
    policies.add(statementOfLength(5_500, 'filler'));
    const later = policies.allow(['kms:GenerateDataKey'], 'arn:aws:kms:eu-west-1:111122223333:key/later');

    // when
    const again = policies.allow(['kms:Decrypt'], 'arn:aws:kms:eu-west-1:111122223333:key/first');

    // then
    expect([first, later, again].map(p => p.node.id)).toEqual(['Policy', 'Policy2', 'Policy']);
    expect(created.map(p => p.node.id)).toEqual(['Policy', 'Policy2']);
    const resources = policies.all.flatMap(p => stack.resolve(p.document.toJSON()).Statement)
      .filter((s: any) => s.Action === 'kms:Decrypt').flatMap((s: any) => [s.Resource].flat());
    expect(resources.filter((r: string) => r.endsWith('/first'))).toHaveLength(1);
    expect(resources).toHaveLength(22);
  });

  test('the same resource with other actions or conditions is a grant of its own', () => {
    // given
    const { stack, policies } = setup();
    policies.allow(['kms:Decrypt'], 'arn:aws:kms:eu-west-1:111122223333:key/k');

    // when
    policies.allow(['kms:GenerateDataKey', 'kms:Decrypt'], 'arn:aws:kms:eu-west-1:111122223333:key/k');
    policies.allow(['kms:Decrypt'], 'arn:aws:kms:eu-west-1:111122223333:key/k', { Bool: { 'aws:SecureTransport': 'true' } });

    // then
    expect(stack.resolve(policies.all[0].document.toJSON()).Statement).toHaveLength(3);
  });

  test('the onPolicy callback is optional', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const policies = new OwnPolicies(stack, role);

    // when
    policies.add(statementOfLength(100));

    // then
    expect(policies.all.map(p => p.node.path)).toEqual(['Stack/Policy']);
  });

  test('with deploy-time values at their longest, every policy stays within IAM\'s 6,144 characters, and each is filled '
    + 'until the next statement would not fit', () => {
    const resource = fc.record({
      literal: fc.string({ unit: fc.constantFrom(...'abcxyz/-_.'), maxLength: 400 }),
      token: fc.constantFrom('none', 'account', 'partition', 'region', 'urlSuffix', 'bucketArn', 'list'),
    });
    checkProperty(fc.property(fc.array(fc.array(resource, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 40 }), statements => {
      // given
      const { stack, policies } = setup();
      const bucket = new s3.Bucket(stack, 'Bucket');
      const tokenOf: Record<string, string> = {
        none: '',
        account: Aws.ACCOUNT_ID,
        partition: Aws.PARTITION,
        region: Aws.REGION,
        urlSuffix: Aws.URL_SUFFIX,
        bucketArn: bucket.bucketArn,
        list: '',
      };

      // when
      const slots = statements.map(rs => policies.add(new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: rs.map(r => `${tokenOf[r.token]}${r.literal}`),
        conditions: rs.some(r => r.token === 'list') ? { StringLike: { 's3:prefix': Lazy.list({ produce: () => ['p'.repeat(100)] }) } } : undefined,
      })));

      // then
      const sizes = policies.all.map(p => longestDocument(stack, p).length);
      for (const size of sizes) {
        expect(size).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT);
      }
      // each policy but the last took statements until the next one would not fit (estimated as the construct does)
      const statementSize = (i: number) => estimateSize(JSON.stringify(slots[i].statement.toStatementJson())) + 1;
      for (let p = 0; p + 1 < policies.all.length; p++) {
        const first = slots.findIndex(s => s.policy === p + 1);
        const used = slots.reduce((sum, s, i) => sum + (s.policy === p ? statementSize(i) : 0), 0);
        expect(used + statementSize(first)).toBeGreaterThan(MANAGED_POLICY_LIMIT - 144);
      }
      // the statements keep their order
      expect(slots.map(s => s.policy)).toEqual([...slots.map(s => s.policy)].sort((a, b) => a - b));
    }), 200);
  });
});

describe('estimateSize', () => {
  test('a literal counts its characters', () => {
    expect(estimateSize('arn:aws:s3:::artifacts/components/*')).toBe('arn:aws:s3:::artifacts/components/*'.length);
    expect(estimateSize('é中')).toBe(2);
    expect(estimateSize('')).toBe(0);
  });

  test('pseudo parameters count their longest values: partition 10, account 12, region 14, URL suffix 16', () => {
    expect(estimateSize(Aws.PARTITION)).toBe(10);
    expect(estimateSize(Aws.ACCOUNT_ID)).toBe(12);
    expect(estimateSize(Aws.REGION)).toBe(14);
    expect(estimateSize(Aws.URL_SUFFIX)).toBe(16);
    expect(estimateSize(`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/x`)).toBe('arn::iam:::role/x'.length + 10 + 12);
  });

  test('any other deploy-time value counts 128 characters, in a string or in the JSON of a list token', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const bucket = new s3.Bucket(stack, 'Bucket');
    const list = Lazy.list({ produce: () => ['x'] });

    // then
    expect(estimateSize(bucket.bucketArn)).toBe(128);
    expect(estimateSize(`${bucket.bucketArn}/components/*`)).toBe(128 + '/components/*'.length);
    expect(estimateSize(Lazy.string({ produce: () => 'short' }))).toBe(128);
    expect(estimateSize(JSON.stringify(list))).toBe('[""]'.length + 128);
    expect(estimateSize(`${bucket.bucketArn}${Aws.ACCOUNT_ID}${bucket.bucketName}`)).toBe(128 + 12 + 128);
  });
});
