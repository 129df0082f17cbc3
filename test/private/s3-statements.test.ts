import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { KmsGrants } from '../../src/private/grants/kms';
import { OwnPolicies } from '../../src/private/own-policies';
import { folderPattern, S3Grant, S3Statements } from '../../src/private/s3-statements';
import { ACCOUNT, EffectivePermissions } from '../helpers/effective-permissions';

const OTHER_ACCOUNT = '444455556666';

function setup() {
  const stack = new Stack(new App(), 'Stack');
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const policies = new OwnPolicies(stack, role);
  const statements = new S3Statements(policies, new KmsGrants(stack, policies));
  const imported = (name: string) => s3.Bucket.fromBucketName(stack, `Bucket-${name}`, name);
  return { stack, role, policies, statements, imported };
}

/** The statements of every policy the grants created, resolved. */
function statementsOf(stack: Stack, policies: OwnPolicies): any[] {
  return policies.all.flatMap(p => stack.resolve(p.document.toJSON()).Statement);
}

/**
 * The characters of a resolved policy document once deployed, without whitespace, in the partition with the longest
 * name (aws-us-gov; IAM counts characters without whitespace).
 */
function deployedSize(document: any): number {
  const deployed = (value: any): any => {
    if (Array.isArray(value)) {
      return value.map(deployed);
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    if ('Ref' in value) {
      if (value.Ref !== 'AWS::Partition') {
        throw new Error(`unexpected Ref ${value.Ref}`);
      }
      return 'aws-us-gov';
    }
    if ('Fn::Join' in value) {
      return deployed(value['Fn::Join'][1]).join(value['Fn::Join'][0]);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deployed(v)]));
  };
  return JSON.stringify(deployed(document)).length;
}

function read(bucket: s3.IBucket, keyPattern: string, extra: Partial<S3Grant> = {}): S3Grant {
  return { access: 'read', bucket, keyPattern, folder: true, ...extra };
}

function write(bucket: s3.IBucket, keyPattern: string, extra: Partial<S3Grant> = {}): S3Grant {
  return { access: 'write', bucket, keyPattern, folder: true, ...extra };
}

describe('S3Statements', () => {
  test('a read folder gets GetObject on the objects under it and ListBucket limited to it by s3:prefix', () => {
    // given
    const { stack, policies, statements, imported } = setup();

    // when
    const { objects } = statements.grant(read(imported('artifacts'), 'components'));

    // then
    expect(stack.resolve(objects)).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::artifacts/components/*']] });
    expect(statementsOf(stack, policies)).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: stack.resolve(objects) },
      {
        Action: 's3:ListBucket',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::artifacts']] },
        Condition: { StringLike: { 's3:prefix': ['components/*'] } },
      },
    ]);
  });

  test('the folders of one bucket share one GetObject statement and one ListBucket statement whose s3:prefix lists them all', () => {
    // given
    const { stack, policies, statements, imported } = setup();
    const bucket = imported('artifacts');

    // when
    statements.grant(read(bucket, 'components'));
    statements.grant(read(bucket, 'scripts/linux'));
    statements.grant(read(bucket, 'a${*}b'));

    // then
    const all = statementsOf(stack, policies);
    expect(all).toHaveLength(2);
    expect(all[0].Resource.map((r: any) => r['Fn::Join'][1][2])).toEqual([
      ':s3:::artifacts/components/*', ':s3:::artifacts/scripts/linux/*', ':s3:::artifacts/a${*}b/*',
    ]);
    expect(all[1].Condition).toEqual({ StringLike: { 's3:prefix': ['components/*', 'scripts/linux/*', 'a${*}b/*'] } });
  });

  test('different buckets, actions and owners get statements of their own', () => {
    // given
    const { stack, policies, statements, imported } = setup();
    const artifacts = imported('artifacts');
    const logs = imported('logs');

    // when
    statements.grant(read(artifacts, 'components'));
    statements.grant(read(logs, 'components'));
    statements.grant(write(artifacts, 'uploads'));
    statements.grant(read(artifacts, 'shared', { bucketOwner: OTHER_ACCOUNT }));

    // then
    const summary = statementsOf(stack, policies).map(s => ({
      action: s.Action,
      resources: [s.Resource].flat().length,
      owner: s.Condition?.StringEquals?.['s3:ResourceAccount'],
      prefixes: s.Condition?.StringLike?.['s3:prefix'],
    }));
    expect(summary).toEqual([
      { action: 's3:GetObject', resources: 1, owner: undefined, prefixes: undefined },
      { action: 's3:ListBucket', resources: 1, owner: undefined, prefixes: ['components/*'] },
      { action: 's3:GetObject', resources: 1, owner: undefined, prefixes: undefined },
      { action: 's3:ListBucket', resources: 1, owner: undefined, prefixes: ['components/*'] },
      { action: 's3:PutObject', resources: 1, owner: undefined, prefixes: undefined },
      { action: 's3:GetObject', resources: 1, owner: OTHER_ACCOUNT, prefixes: undefined },
      { action: 's3:ListBucket', resources: 1, owner: OTHER_ACCOUNT, prefixes: ['shared/*'] },
    ]);
  });

  test('an object gets GetObject on that key alone, and no listing', () => {
    // given
    const { stack, policies, statements, imported } = setup();

    // when
    const { objects } = statements.grant(read(imported('artifacts'), 'tools/install.sh', { folder: false }));

    // then
    expect(stack.resolve(objects)['Fn::Join'][1][2]).toEqual(':s3:::artifacts/tools/install.sh');
    expect(statementsOf(stack, policies).map(s => s.Action)).toEqual(['s3:GetObject']);
  });

  test('the whole bucket gets GetObject on every object and ListBucket on the bucket without a condition', () => {
    // given
    const { stack, policies, statements, imported } = setup();

    // when
    statements.grant(read(imported('artifacts'), ''));

    // then
    expect(statementsOf(stack, policies)).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::artifacts/*']] } },
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::artifacts']] } },
    ]);
  });

  test('a write folder gets PutObject on the objects under it, and nothing to read or list', () => {
    // given
    const { stack, policies, statements, imported } = setup();

    // when
    statements.grant(write(imported('logs'), 'imagebuilder'));

    // then
    expect(statementsOf(stack, policies)).toEqual([
      { Action: 's3:PutObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::logs/imagebuilder/*']] } },
    ]);
  });

  test('a bucket owner limits every statement of the grant with s3:ResourceAccount, the listing keeping its s3:prefix', () => {
    // given
    const { stack, policies, statements, imported } = setup();

    // when
    statements.grant(read(imported('shared'), 'components', { bucketOwner: OTHER_ACCOUNT }));

    // then
    expect(statementsOf(stack, policies).map(s => s.Condition)).toEqual([
      { StringEquals: { 's3:ResourceAccount': OTHER_ACCOUNT } },
      { StringEquals: { 's3:ResourceAccount': OTHER_ACCOUNT }, StringLike: { 's3:prefix': ['components/*'] } },
    ]);
  });

  test('a bucket\'s KMS key gets Decrypt for reading, GenerateDataKey and Decrypt for writing, each through S3 and for its folders only', () => {
    // given
    const { stack, policies, statements } = setup();
    const key = new kms.Key(stack, 'Key');
    const bucket = new s3.Bucket(stack, 'Encrypted', { encryptionKey: key });

    // when
    statements.grant(read(bucket, 'components'));
    statements.grant(read(bucket, 'scripts'));
    statements.grant(write(bucket, 'logs'));
    statements.grant(write(bucket, 'more-logs'));

    // then
    const keyArn = stack.resolve(key.keyArn);
    const objects = (prefix: string) => stack.resolve(bucket.arnForObjects(`${prefix}/*`));
    const via = { 'kms:ViaService': [{ 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] }] };
    const kmsStatements = statementsOf(stack, policies).filter(s => [s.Action].flat().some((a: string) => a.startsWith('kms:')));
    expect(kmsStatements).toEqual([
      {
        Action: 'kms:Decrypt',
        Effect: 'Allow',
        Resource: keyArn,
        Condition: { StringEquals: via, StringLike: { 'kms:EncryptionContext:aws:s3:arn': [objects('components'), objects('scripts')] } },
      },
      {
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Effect: 'Allow',
        Resource: keyArn,
        Condition: { StringEquals: via, StringLike: { 'kms:EncryptionContext:aws:s3:arn': [objects('logs'), objects('more-logs')] } },
      },
    ]);
  });

  test('a key granted for more folders than one statement holds names each folder in one encryption context, once', () => {
    // given: bucket 0's folders fill policies, bucket 1's key opens a new kms:Decrypt statement in a later policy
    const { stack, policies, statements } = setup();
    const keys = [new kms.Key(stack, 'Key0'), new kms.Key(stack, 'Key1')];
    const buckets = keys.map((encryptionKey, i) => new s3.Bucket(stack, `Encrypted${i}`, { encryptionKey }));
    for (let i = 0; i < 150; i++) {
      statements.grant(read(buckets[0], `team-${i}/components`));
    }
    statements.grant(read(buckets[1], 'components'));

    // when: one more folder of bucket 0, whose key the closed statement already holds
    statements.grant(read(buckets[0], 'late/components'));

    // then: each folder is in the encryption context of one kms:Decrypt statement of its bucket's key, once
    const decrypts = statementsOf(stack, policies).filter(s => s.Action === 'kms:Decrypt');
    const contexts = (key: kms.Key) => decrypts.filter(s => JSON.stringify(s.Resource) === JSON.stringify(stack.resolve(key.keyArn)))
      .flatMap(s => s.Condition.StringLike['kms:EncryptionContext:aws:s3:arn']).map(c => JSON.stringify(c));
    const folder = (i: number, prefix: string) => JSON.stringify(stack.resolve(buckets[i].arnForObjects(`${prefix}/*`)));
    expect(policies.all.length).toBeGreaterThan(1);
    expect(contexts(keys[0])).toHaveLength(151);
    expect(new Set(contexts(keys[0])).size).toBe(151);
    expect(contexts(keys[0])).toContain(folder(0, 'late/components'));
    expect(contexts(keys[1])).toEqual([folder(1, 'components')]);
  });

  test('a bucket without a key gets no KMS statement', () => {
    // given
    const { stack, policies, statements } = setup();

    // when
    statements.grant(read(new s3.Bucket(stack, 'Plain'), 'components'));
    statements.grant(write(new s3.Bucket(stack, 'Logs', { encryption: s3.BucketEncryption.S3_MANAGED }), 'logs'));

    // then
    expect(JSON.stringify(statementsOf(stack, policies))).not.toContain('kms:');
  });

  test('the same grant twice adds nothing the second time', () => {
    // given
    const { stack, policies, statements, imported } = setup();
    const bucket = imported('artifacts');
    statements.grant(read(bucket, 'components'));
    const before = JSON.stringify(statementsOf(stack, policies));

    // when
    statements.grant(read(bucket, 'components'));

    // then
    expect(JSON.stringify(statementsOf(stack, policies))).toEqual(before);
  });

  test('a statement takes 20 folders, and the 21st starts a new statement', () => {
    // given
    const { stack, policies, statements, imported } = setup();
    const bucket = imported('artifacts');

    // when
    for (let i = 1; i <= 21; i++) {
      statements.grant(read(bucket, `folder-${i}`));
    }

    // then
    const byAction = (action: string) => statementsOf(stack, policies).filter(s => s.Action === action);
    expect(byAction('s3:GetObject').map(s => [s.Resource].flat().length)).toEqual([20, 1]);
    expect(byAction('s3:ListBucket').map(s => s.Condition.StringLike['s3:prefix'].length)).toEqual([20, 1]);
    expect(byAction('s3:ListBucket')[1].Condition.StringLike['s3:prefix']).toEqual(['folder-21/*']);
  });

  test('a statement of a synthesized policy is frozen, so a later grant starts a new statement instead of changing it', () => {
    // given
    const { stack, policies, statements, imported } = setup();
    const bucket = imported('artifacts');
    statements.grant(read(bucket, 'components'));
    Template.fromStack(stack);

    // when
    statements.grant(read(bucket, 'scripts'));

    // then
    const getObjects = statementsOf(stack, policies).filter(s => s.Action === 's3:GetObject');
    expect(getObjects.map(s => [s.Resource].flat().length)).toEqual([1, 1]);
    const listings = statementsOf(stack, policies).filter(s => s.Action === 's3:ListBucket');
    expect(listings.map(s => s.Condition.StringLike['s3:prefix'])).toEqual([['components/*'], ['scripts/*']]);
  });

  // a new s3:ListBucket statement holds its s3:prefix values in a lazy list, which its JSON shows as one token:
  // its first folder must be counted on its own, or long folders overflow IAM's 6,144 characters
  test('folders with long prefixes still fit: every policy stays within IAM\'s 6,144 characters', () => {
    // given
    const { stack, policies, statements, imported } = setup();

    // when: three buckets, one folder of 1,000 characters in each
    for (let i = 0; i < 3; i++) {
      statements.grant(read(imported(`bucket-${i}`), `team-${i}/${'c'.repeat(993)}`));
    }

    // then
    const sizes = policies.all.map(p => deployedSize(stack.resolve(p.document.toJSON())));
    for (const size of sizes) {
      expect(size).toBeLessThanOrEqual(6_144);
    }
  });

  test('grants that outgrow a policy continue in a new one, and every statement stays whole', () => {
    // given
    const { stack, policies, statements, imported } = setup();
    const buckets = Array.from({ length: 10 }, (_, i) => imported(`artifacts-${i}`));

    // when: 200 folders of 60 characters
    for (let i = 0; i < 200; i++) {
      statements.grant(read(buckets[i % 10], `team-${String(i).padStart(3, '0')}/${'c'.repeat(50)}`));
    }

    // then
    expect(policies.all.length).toBeGreaterThan(1);
    const prefixes = statementsOf(stack, policies).filter(s => s.Action === 's3:ListBucket').flatMap(s => s.Condition.StringLike['s3:prefix']);
    expect(prefixes).toHaveLength(200);
    expect(new Set(prefixes).size).toBe(200);
  });

  test('each grant names the policy whose statement allows its objects, also when the grant was there already', () => {
    // given: 200 folders of 60 characters in 10 buckets, which fill several policies
    const { stack, statements, imported } = setup();
    const buckets = Array.from({ length: 10 }, (_, i) => imported(`artifacts-${i}`));
    const grants = Array.from({ length: 200 }, (_, i) => read(buckets[i % 10], `team-${String(i).padStart(3, '0')}/${'c'.repeat(50)}`));

    // when
    const granted = grants.map(g => statements.grant(g));
    const again = statements.grant(grants[0]);

    // then
    const holds = (policy: iam.ManagedPolicy, objects: string) => JSON.stringify(stack.resolve(policy.document.toJSON()).Statement
      .filter((s: any) => s.Action === 's3:GetObject').flatMap((s: any) => [s.Resource].flat())).includes(JSON.stringify(stack.resolve(objects)));
    expect(new Set(granted.map(g => g.policy)).size).toBeGreaterThan(1);
    expect(granted.filter(g => !holds(g.policy, g.objects))).toEqual([]);
    expect(again.policy).toBe(granted[0].policy);
  });
});

/**
 * A small evaluator of the CloudFormation intrinsics a key pattern uses: Fn::Join, Fn::Split, Fn::Select, and Ref
 * of a parameter (from `parameters`) or of AWS::Partition.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */
function evaluateCfn(value: any, parameters: Record<string, string>): any {
  if (typeof value === 'string' || typeof value === 'number') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map(v => evaluateCfn(v, parameters));
  }
  const [name] = Object.keys(value);
  const args = value[name];
  switch (name) {
    case 'Ref':
      if (args === 'AWS::Partition') {
        return 'aws';
      }
      if (!(args in parameters)) {
        throw new Error(`no value for ${args}`);
      }
      return parameters[args];
    case 'Fn::Join': {
      const list = evaluateCfn(args[1], parameters);
      if (!Array.isArray(list) || list.some(e => typeof e !== 'string')) {
        throw new Error(`Fn::Join needs a list of strings, got ${JSON.stringify(list)}`);
      }
      return list.join(args[0]);
    }
    case 'Fn::Split':
      return (evaluateCfn(args[1], parameters) as string).split(args[0]);
    case 'Fn::Select':
      return evaluateCfn(args[1], parameters)[Number(args[0])];
    default:
      throw new Error(`unsupported intrinsic ${name}`);
  }
}

describe('folderPattern', () => {
  test('the whole bucket is the rest alone', () => {
    expect(folderPattern('', '*')).toBe('*');
  });

  test('a literal prefix is followed by one slash and the rest', () => {
    expect(folderPattern('components', '*')).toBe('components/*');
    expect(folderPattern('a/b${*}c', 'x')).toBe('a/b${*}c/x');
  });

  test.each([
    ['components', 'components/*'],
    ['components/', 'components/*'],
    ['logs/imagebuilder', 'logs/imagebuilder/*'],
    ['logs/imagebuilder/', 'logs/imagebuilder/*'],
    ['a', 'a/*'],
    ['a/', 'a/*'],
  ])('a token prefix deployed as %p gives exactly one slash before the rest: %p', (value, expected) => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const prefix = new CfnParameter(stack, 'Prefix');

    // when
    const pattern = stack.resolve(folderPattern(prefix.valueAsString, '*'));

    // then
    expect(evaluateCfn(pattern, { Prefix: value })).toBe(expected);
  });

  test('with a token prefix, the granted folder is the same whether the parameter ends in a slash or not, as IAM decides it', async () => {
    // given: a profile's grants of one folder whose prefix is a parameter
    const stack = new Stack(new App(), 'Stack');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const policies = new OwnPolicies(stack, role);
    const prefix = new CfnParameter(stack, 'Prefix');
    new S3Statements(policies, new KmsGrants(stack, policies)).grant(read(s3.Bucket.fromBucketName(stack, 'Artifacts', 'artifacts'), prefix.valueAsString));
    const template = Template.fromStack(stack).toJSON() as any;
    const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
    const context = (extra: Record<string, string> = {}) => ({ 'aws:PrincipalAccount': ACCOUNT, 's3:ResourceAccount': ACCOUNT, ...extra });

    for (const value of ['components', 'components/']) {
      // when
      const permissions = EffectivePermissions.ofRole(template, roleId, { Prefix: value });

      // then
      expect([value, await permissions.decide('s3:GetObject', 'arn:aws:s3:::artifacts/components/install.sh', context())]).toEqual([value, 'Allowed']);
      expect([value, await permissions.decide('s3:GetObject', 'arn:aws:s3:::artifacts/components/linux/a/b.sh', context())]).toEqual([value, 'Allowed']);
      expect([value, await permissions.decide('s3:ListBucket', 'arn:aws:s3:::artifacts', context({ 's3:prefix': 'components/' }))])
        .toEqual([value, 'Allowed']);
      expect([value, await permissions.decide('s3:GetObject', 'arn:aws:s3:::artifacts/components-private/x', context())])
        .toEqual([value, 'ImplicitlyDenied']);
      expect([value, await permissions.decide('s3:GetObject', 'arn:aws:s3:::artifacts/componentsx', context())]).toEqual([value, 'ImplicitlyDenied']);
      expect([value, await permissions.decide('s3:ListBucket', 'arn:aws:s3:::artifacts', context({ 's3:prefix': '' }))])
        .toEqual([value, 'ImplicitlyDenied']);
      expect([value, await permissions.decide('s3:ListBucket', 'arn:aws:s3:::artifacts', context({ 's3:prefix': 'components' }))])
        .toEqual([value, 'ImplicitlyDenied']);
    }
  });
});
