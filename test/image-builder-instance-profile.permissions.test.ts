import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ImageBuilderInstanceProfile, ImageBuilderInstanceProfileProps } from '../src';
import { ACCOUNT, EffectivePermissions, REGION } from './helpers/effective-permissions';

// every decision below comes from evaluating the synthesized policies, the AWS managed policies
// (test/fixtures) and any permissions boundary with a real IAM policy evaluation engine

const ARTIFACTS = 'arn:aws:s3:::artifacts';
const LOGS = 'arn:aws:s3:::logs';

function permissionsOf(
  configure: (stack: Stack) => ImageBuilderInstanceProfileProps,
  after?: (profile: ImageBuilderInstanceProfile, stack: Stack) => void) {
  const stack = new Stack(new App(), 'Stack');
  const profile = new ImageBuilderInstanceProfile(stack, 'Profile', configure(stack));
  after?.(profile, stack);
  return EffectivePermissions.ofRole(Template.fromStack(stack).toJSON() as any, stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole));
}

/** What S3 sends to KMS for the instance, reading or writing the object `objectArn` of a bucket without an S3 Bucket Key. */
function viaS3For(objectArn: string): Record<string, string | string[]> {
  return {
    'kms:CallerAccount': ACCOUNT,
    'kms:ViaService': `s3.${REGION}.amazonaws.com`,
    'aws:CalledVia': ['s3.amazonaws.com'],
    'kms:EncryptionContext:aws:s3:arn': objectArn,
    'kms:EncryptionContextKeys': ['aws:s3:arn'],
  };
}

function buckets(stack: Stack, encryptionKey?: kms.IKey) {
  return {
    artifacts: new s3.Bucket(stack, 'Artifacts', { bucketName: 'artifacts', encryptionKey }),
    logs: new s3.Bucket(stack, 'Logs', { bucketName: 'logs', encryptionKey }),
  };
}

describe('without any location', () => {
  const permissions = permissionsOf(() => ({}));

  test('the AWS managed policies let instances write CloudWatch logs only under /aws/imagebuilder/', async () => {
    const group = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/imagebuilder/my-recipe:log-stream:1.0.0/1`;
    const other = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/app/secrets:log-stream:s`;

    expect(await permissions.decide('logs:PutLogEvents', group)).toEqual('Allowed');
    expect(await permissions.decide('logs:PutLogEvents', other)).toEqual('ImplicitlyDenied');
  });

  test('EC2InstanceProfileForImageBuilder lets instances read any bucket whose name starts with ec2imagebuilder, whoever owns it', async () => {
    for (const owner of [ACCOUNT, '999988887777', undefined]) {
      expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::ec2imagebuilder-us-east-1/components/x', { 's3:ResourceAccount': owner })).toEqual('Allowed');
      expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::ec2imagebuilder-someone-else/secrets.txt', { 's3:ResourceAccount': owner })).toEqual('Allowed');
    }
  });

  test('EC2InstanceProfileForImageBuilder lets instances read *.iso, *.ISO and *.Iso objects in every bucket of the account, and no other object', async () => {
    for (const key of ['windows.iso', 'images/server.ISO', 'a/b/c.Iso']) {
      expect([key, await permissions.decide('s3:GetObject', `${ARTIFACTS}/${key}`)]).toEqual([key, 'Allowed']);
      expect([key, await permissions.decide('s3:GetObject', `arn:aws:s3:::any-bucket-of-the-account/${key}`)]).toEqual([key, 'Allowed']);
      // a bucket of another account: the s3:ResourceAccount condition
      expect([key, await permissions.decide('s3:GetObject', `${ARTIFACTS}/${key}`, { 's3:ResourceAccount': '999988887777' })])
        .toEqual([key, 'ImplicitlyDenied']);
    }
    expect(await permissions.decide('s3:GetObject', `${ARTIFACTS}/windows.iSo`)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:GetObject', `${ARTIFACTS}/components/install.sh`)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:PutObject', `${LOGS}/logs/x.log`)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:PutObject', `${ARTIFACTS}/windows.iso`)).toEqual('ImplicitlyDenied');
  });

  test('EC2InstanceProfileForImageBuilder lets instances snapshot and tag only what Image Builder tags as its own', async () => {
    const volume = `arn:aws:ec2:${REGION}:${ACCOUNT}:volume/vol-0123456789abcdef0`;
    const snapshot = `arn:aws:ec2:${REGION}::snapshot/snap-0123456789abcdef0`;
    const imageBuilderTag = { 'aws:RequestTag/CreatedBy': 'EC2 Image Builder', 'aws:TagKeys': ['CreatedBy'] };
    expect(await permissions.decide('ec2:CreateSnapshot', volume, { 'aws:ResourceTag/CreatedBy': 'EC2 Image Builder' })).toEqual('Allowed');
    expect(await permissions.decide('ec2:CreateSnapshot', volume, { 'aws:ResourceTag/CreatedBy': 'someone' })).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('ec2:CreateSnapshot', snapshot, imageBuilderTag)).toEqual('Allowed');
    expect(await permissions.decide('ec2:CreateTags', snapshot, { ...imageBuilderTag, 'ec2:CreateAction': 'CreateSnapshot' })).toEqual('Allowed');
    expect(await permissions.decide('ec2:CreateTags', snapshot, { ...imageBuilderTag, 'ec2:CreateAction': 'CreateVolume' })).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('ec2:DescribeVolumes', '*')).toEqual('Allowed');
    expect(await permissions.decide('ec2:DescribeSnapshots', '*')).toEqual('Allowed');
    expect(await permissions.decide('ec2:DeleteSnapshot', snapshot)).toEqual('ImplicitlyDenied');
  });

  test('EC2InstanceProfileForImageBuilder lets instances get any component and marketplace resource', async () => {
    expect(await permissions.decide('imagebuilder:GetComponent', `arn:aws:imagebuilder:${REGION}:999988887777:component/any/1.0.0/1`)).toEqual('Allowed');
    expect(await permissions.decide('imagebuilder:GetMarketplaceResource', '*')).toEqual('Allowed');
    expect(await permissions.decide('imagebuilder:CreateComponent', `arn:aws:imagebuilder:${REGION}:${ACCOUNT}:component/any/1.0.0/1`)).toEqual('ImplicitlyDenied');
  });

  test('AmazonSSMManagedInstanceCore lets instances read every Parameter Store parameter of the account', async () => {
    expect(await permissions.decide('ssm:GetParameter', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/prod/db/password`)).toEqual('Allowed');
    expect(await permissions.decide('ssm:GetParameters', '*')).toEqual('Allowed');
    expect(await permissions.decide('ssm:PutParameter', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/prod/db/password`)).toEqual('ImplicitlyDenied');
  });

  test('AmazonSSMManagedInstanceCore lets the agent reach Systems Manager: instance information, sessions, messages, associations, inventory, documents', async () => {
    const instance = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`;
    const calls: [string, string][] = [
      ['ssm:UpdateInstanceInformation', instance], ['ssmmessages:OpenControlChannel', '*'], ['ec2messages:GetMessages', '*'],
      ['ssm:ListInstanceAssociations', instance], ['ssm:PutInventory', '*'], ['ssm:GetDocument', `arn:aws:ssm:${REGION}:${ACCOUNT}:document/AWS-RunShellScript`],
    ];
    for (const [action, resource] of calls) {
      expect([action, await permissions.decide(action, resource)]).toEqual([action, 'Allowed']);
    }
  });

  test('SSM core lets the agent reach Systems Manager', async () => {
    expect(await permissions.decide('ssm:UpdateInstanceInformation', `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`)).toEqual('Allowed');
  });
});

describe('EC2InstanceProfileForImageBuilder, conditions that must all hold', () => {
  const permissions = permissionsOf(() => ({}));
  const volume = `arn:aws:ec2:${REGION}:${ACCOUNT}:volume/vol-0123456789abcdef0`;
  const snapshot = `arn:aws:ec2:${REGION}::snapshot/snap-0123456789abcdef0`;

  test('a snapshot or tag with CreatedBy set to another value is denied, as is a volume without the tag', async () => {
    const otherTag = { 'aws:RequestTag/CreatedBy': 'EC2 Image Builder (copy)', 'aws:TagKeys': ['CreatedBy'] };
    expect(await permissions.decide('ec2:CreateSnapshot', snapshot, otherTag)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('ec2:CreateSnapshot', snapshot)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('ec2:CreateTags', snapshot, { ...otherTag, 'ec2:CreateAction': 'CreateSnapshot' })).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('ec2:CreateTags', snapshot, { 'aws:RequestTag/CreatedBy': 'someone', 'aws:TagKeys': ['CreatedBy'], 'ec2:CreateAction': 'CreateSnapshot' }))
      .toEqual('ImplicitlyDenied');
    // tagging outside a CreateSnapshot call, with the right tag
    expect(await permissions.decide('ec2:CreateTags', snapshot, { 'aws:RequestTag/CreatedBy': 'EC2 Image Builder', 'aws:TagKeys': ['CreatedBy'] }))
      .toEqual('ImplicitlyDenied');
    expect(await permissions.decide('ec2:CreateSnapshot', volume)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('ec2:CreateSnapshot', volume, { 'aws:ResourceTag/CreatedBy': 'ec2 image builder' })).toEqual('ImplicitlyDenied');
  });

  test('CloudWatch log groups and streams can be created under /aws/imagebuilder/ only', async () => {
    // the resource of each action, as IAM defines it: CreateLogGroup acts on a log group, CreateLogStream on a log stream
    const resourceOf: Record<string, (group: string) => string> = {
      'logs:CreateLogGroup': group => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}`,
      'logs:CreateLogStream': group => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}:log-stream:1.0.0/1`,
    };
    for (const [action, resource] of Object.entries(resourceOf)) {
      expect([action, await permissions.decide(action, resource('/aws/imagebuilder/my-recipe'))]).toEqual([action, 'Allowed']);
      for (const elsewhere of ['/app/secrets', '/aws/lambda/f', '/aws/imagebuilder-other/x', '/aws/ImageBuilder/x']) {
        expect([action, elsewhere, await permissions.decide(action, resource(elsewhere))]).toEqual([action, elsewhere, 'ImplicitlyDenied']);
      }
    }
  });
});

describe('kms:Decrypt of EC2InstanceProfileForImageBuilder', () => {
  let KEY = '';
  const permissions = permissionsOf(stack => {
    KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${stack.getLogicalId(new kms.Key(stack, 'AnyKey').node.defaultChild as kms.CfnKey)}`;
    return {};
  });

  test('decrypts with any key only when Image Builder calls KMS for the instance with its encryption context', async () => {
    const viaImageBuilder = { 'aws:CalledVia': ['imagebuilder.amazonaws.com'], 'kms:EncryptionContextKeys': ['aws:imagebuilder:arn'] };
    expect(await permissions.decide('kms:Decrypt', KEY, viaImageBuilder)).toEqual('Allowed');
    expect(await permissions.decide('kms:Decrypt', KEY, { 'aws:CalledVia': ['s3.amazonaws.com'], 'kms:EncryptionContextKeys': ['aws:s3:arn'] })).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('kms:Decrypt', KEY)).toEqual('ImplicitlyDenied');
  });

  test('needs both: aws:CalledVia imagebuilder without the aws:imagebuilder:arn context key is denied, and that key without Image Builder calling', async () => {
    const kmsCall = { 'kms:CallerAccount': ACCOUNT };
    const calledViaImageBuilder = { ...kmsCall, 'aws:CalledVia': ['imagebuilder.amazonaws.com'], 'kms:ViaService': `imagebuilder.${REGION}.amazonaws.com` };
    const imageBuilderContext = { 'kms:EncryptionContextKeys': ['aws:imagebuilder:arn'] };

    expect(await permissions.decide('kms:Decrypt', KEY, { ...calledViaImageBuilder, ...imageBuilderContext })).toEqual('Allowed');
    expect(await permissions.decide('kms:Decrypt', KEY, calledViaImageBuilder)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('kms:Decrypt', KEY, { ...calledViaImageBuilder, 'kms:EncryptionContextKeys': ['aws:s3:arn'] })).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('kms:Decrypt', KEY, { ...kmsCall, ...imageBuilderContext })).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('kms:Decrypt', KEY, { ...kmsCall, ...imageBuilderContext, 'aws:CalledVia': ['s3.amazonaws.com'] })).toEqual('ImplicitlyDenied');
  });
});

describe('an artifact folder', () => {
  const permissions = permissionsOf(stack => ({ artifactLocations: [{ bucket: buckets(stack).artifacts, keyPrefix: 'components/' }] }));

  test('its objects can be read, at any depth', async () => {
    expect(await permissions.decide('s3:GetObject', `${ARTIFACTS}/components/install.sh`)).toEqual('Allowed');
    expect(await permissions.decide('s3:GetObject', `${ARTIFACTS}/components/linux/v1/setup.yml`)).toEqual('Allowed');
  });

  test('the folder can be listed, so that an S3Download of the whole folder works', async () => {
    expect(await permissions.decide('s3:ListBucket', ARTIFACTS, { 's3:prefix': 'components/' })).toEqual('Allowed');
    expect(await permissions.decide('s3:ListBucket', ARTIFACTS, { 's3:prefix': 'components/linux/' })).toEqual('Allowed');
  });

  test('nothing outside the folder can be read or listed', async () => {
    expect(await permissions.decide('s3:GetObject', `${ARTIFACTS}/secrets/key.pem`)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:GetObject', `${ARTIFACTS}/components-private/x`)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:ListBucket', ARTIFACTS, { 's3:prefix': 'secrets/' })).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:ListBucket', ARTIFACTS, { 's3:prefix': 'components' })).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:ListBucket', ARTIFACTS)).toEqual('ImplicitlyDenied');
  });

  test('the folder is read-only: no put, delete, ACL, policy or other bucket-level action', async () => {
    for (const action of ['s3:PutObject', 's3:DeleteObject', 's3:PutObjectAcl', 's3:GetObjectAcl']) {
      expect([action, await permissions.decide(action, `${ARTIFACTS}/components/install.sh`)]).toEqual([action, 'ImplicitlyDenied']);
    }
    for (const action of ['s3:PutBucketPolicy', 's3:GetBucketPolicy', 's3:DeleteBucket', 's3:PutBucketAcl', 's3:GetBucketAcl', 's3:ListBucketVersions']) {
      expect([action, await permissions.decide(action, ARTIFACTS)]).toEqual([action, 'ImplicitlyDenied']);
    }
  });
});

describe('an artifact folder in a bucket with a bucket policy of the app', () => {
  const permissions = permissionsOf(stack => {
    const { artifacts } = buckets(stack);
    artifacts.addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: ['s3:GetObject'], resources: [artifacts.arnForObjects('components/private/*')],
    }));
    return { artifactLocations: [{ bucket: artifacts, keyPrefix: 'components/' }] };
  });

  test('a Deny of the bucket policy overrides the grant: the evaluation takes the bucket policy as resource policy', async () => {
    expect(await permissions.decide('s3:GetObject', `${ARTIFACTS}/components/install.sh`)).toEqual('Allowed');
    expect(await permissions.decide('s3:GetObject', `${ARTIFACTS}/components/private/key.pem`)).toEqual('ExplicitlyDenied');
  });
});

describe('a whole bucket as artifact location', () => {
  const permissions = permissionsOf(stack => ({ artifactLocations: [{ bucket: buckets(stack).artifacts }] }));

  test('every object can be read and the bucket listed, but not written', async () => {
    expect(await permissions.decide('s3:GetObject', `${ARTIFACTS}/anything/at/all`)).toEqual('Allowed');
    expect(await permissions.decide('s3:ListBucket', ARTIFACTS)).toEqual('Allowed');
    expect(await permissions.decide('s3:PutObject', `${ARTIFACTS}/anything`)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:GetObject', `${LOGS}/anything`)).toEqual('ImplicitlyDenied');
  });
});

describe('the log folder', () => {
  const permissions = permissionsOf(stack => ({ logLocation: { bucket: buckets(stack).logs, keyPrefix: 'imagebuilder' } }));

  test('Image Builder can write <prefix>/<image>/<version>/<build>/... under it', async () => {
    expect(await permissions.decide('s3:PutObject', `${LOGS}/imagebuilder/my-image/1.0.0/1/TOE_2026/application.log`)).toEqual('Allowed');
  });

  test('is write-only: no read, list or delete, and no write outside the folder', async () => {
    expect(await permissions.decide('s3:GetObject', `${LOGS}/imagebuilder/my-image/1.0.0/1/application.log`)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:DeleteObject', `${LOGS}/imagebuilder/my-image/1.0.0/1/application.log`)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:ListBucket', LOGS, { 's3:prefix': 'imagebuilder/' })).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:PutObject', `${LOGS}/elsewhere/x.log`)).toEqual('ImplicitlyDenied');
  });
});

describe('KMS-encrypted buckets', () => {
  let KEY = '';
  const permissions = permissionsOf(stack => {
    const key = new kms.Key(stack, 'Key');
    KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${stack.getLogicalId(key.node.defaultChild as kms.CfnKey)}`;
    const { artifacts, logs } = buckets(stack, key);
    return { artifactLocations: [{ bucket: artifacts, keyPrefix: 'components' }], logLocation: { bucket: logs, keyPrefix: 'logs' } };
  });

  test('the bucket key can decrypt artifacts and encrypt log uploads, multipart included, through S3 with the context it sends', async () => {
    expect(await permissions.decide('kms:Decrypt', KEY, viaS3For(`${ARTIFACTS}/components/install.sh`))).toEqual('Allowed');
    expect(await permissions.decide('kms:GenerateDataKey', KEY, viaS3For(`${LOGS}/logs/image/1/build.log`))).toEqual('Allowed');
    expect(await permissions.decide('kms:Decrypt', KEY, viaS3For(`${LOGS}/logs/image/1/build.log`))).toEqual('Allowed');
  });

  test('case 2: a direct call to KMS is denied: without kms:ViaService, or through another service', async () => {
    const direct = { 'kms:CallerAccount': ACCOUNT, 'kms:EncryptionContext:aws:s3:arn': `${ARTIFACTS}/components/install.sh`, 'kms:EncryptionContextKeys': ['aws:s3:arn'] };
    expect(await permissions.decide('kms:Decrypt', KEY, direct)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('kms:Decrypt', KEY, { ...direct, 'kms:ViaService': `ssm.${REGION}.amazonaws.com` })).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('kms:Decrypt', KEY)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('kms:GenerateDataKey', KEY)).toEqual('ImplicitlyDenied');
  });

  test('case 2: data under the same key outside the granted folders is denied, even through S3', async () => {
    // another folder of the same bucket, another bucket under the same key, a SecureString's context
    expect(await permissions.decide('kms:Decrypt', KEY, viaS3For(`${ARTIFACTS}/secrets/db.txt`))).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('kms:Decrypt', KEY, viaS3For('arn:aws:s3:::other-bucket/components/x'))).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('kms:GenerateDataKey', KEY, viaS3For(`${ARTIFACTS}/components/install.sh`))).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('kms:Decrypt', KEY, {
      'kms:CallerAccount': ACCOUNT,
      'kms:ViaService': `ssm.${REGION}.amazonaws.com`,
      'kms:EncryptionContext:PARAMETER_ARN': `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/db`,
      'kms:EncryptionContextKeys': ['PARAMETER_ARN'],
    })).toEqual('ImplicitlyDenied');
  });

  test('no other key action, and no other key', async () => {
    for (const action of ['kms:Encrypt', 'kms:ReEncryptFrom', 'kms:CreateGrant', 'kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy']) {
      expect([action, await permissions.decide(action, KEY)]).toEqual([action, 'ImplicitlyDenied']);
    }
    expect(await permissions.decide('kms:Decrypt', `arn:aws:kms:${REGION}:${ACCOUNT}:key/another`)).toEqual('ImplicitlyDenied');
  });

  test('an unencrypted bucket gets no KMS permission at all', async () => {
    const plain = permissionsOf(stack => {
      const { artifacts, logs } = buckets(stack);
      return { artifactLocations: [{ bucket: artifacts }], logLocation: { bucket: logs } };
    });

    expect(await plain.decide('kms:Decrypt', KEY)).toEqual('ImplicitlyDenied');
    const templatePolicies = plain.identityPolicies.filter(p => !p.name.startsWith('arn:'));
    expect(templatePolicies.flatMap(p => p.policy.Statement).flatMap((s: any) => [s.Action].flat())
      .filter((a: string) => a.startsWith('kms:'))).toEqual([]);
  });
});

describe('an artifact bucket and a log bucket with keys of their own', () => {
  const keys = { artifacts: '', logs: '' };
  const permissions = permissionsOf(stack => {
    const keyArn = (key: kms.Key) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${stack.getLogicalId(key.node.defaultChild as kms.CfnKey)}`;
    const artifactKey = new kms.Key(stack, 'ArtifactKey');
    const logKey = new kms.Key(stack, 'LogKey');
    keys.artifacts = keyArn(artifactKey);
    keys.logs = keyArn(logKey);
    const artifacts = new s3.Bucket(stack, 'Artifacts', { bucketName: 'artifacts', encryptionKey: artifactKey });
    const logs = new s3.Bucket(stack, 'Logs', { bucketName: 'logs', encryptionKey: logKey });
    return { artifactLocations: [{ bucket: artifacts, keyPrefix: 'components' }], logLocation: { bucket: logs, keyPrefix: 'logs' } };
  });
  // S3 calls KMS for the instance
  const artifact = viaS3For(`${ARTIFACTS}/components/install.sh`);
  const log = viaS3For(`${LOGS}/logs/image/1/build.log`);

  test('the artifact key decrypts downloads, and encrypts nothing', async () => {
    expect(await permissions.decide('kms:Decrypt', keys.artifacts, artifact)).toEqual('Allowed');
    expect(await permissions.decide('kms:GenerateDataKey', keys.artifacts, artifact)).toEqual('ImplicitlyDenied');
  });

  test('the log key encrypts uploads and decrypts, as a multipart SSE-KMS upload needs', async () => {
    expect(await permissions.decide('kms:GenerateDataKey', keys.logs, log)).toEqual('Allowed');
    expect(await permissions.decide('kms:Decrypt', keys.logs, log)).toEqual('Allowed');
  });
});

describe('buckets imported with and without their key', () => {
  const viaS3 = { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'aws:CalledVia': ['s3.amazonaws.com'] };
  const keyArnOf = (stack: Stack, key: kms.CfnKey) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${stack.getLogicalId(key)}`;

  test('fromBucketAttributes with encryptionKey gets kms:Decrypt on that key', async () => {
    let KEY = '';
    const permissions = permissionsOf(stack => {
      const key = new kms.Key(stack, 'Key');
      KEY = keyArnOf(stack, key.node.defaultChild as kms.CfnKey);
      return { artifactLocations: [{ bucket: s3.Bucket.fromBucketAttributes(stack, 'B', { bucketName: 'artifacts', encryptionKey: key }), keyPrefix: 'components' }] };
    });

    expect(await permissions.decide('s3:GetObject', `${ARTIFACTS}/components/install.sh`)).toEqual('Allowed');
    expect(await permissions.decide('kms:Decrypt', KEY, viaS3)).toEqual('Allowed');
  });

  test('fromBucketName gets no kms: action at all', async () => {
    let KEY = '';
    const permissions = permissionsOf(stack => {
      // the bucket's key exists, but the import does not name it
      KEY = keyArnOf(stack, new kms.Key(stack, 'Key').node.defaultChild as kms.CfnKey);
      return { artifactLocations: [{ bucket: s3.Bucket.fromBucketName(stack, 'B', 'artifacts'), keyPrefix: 'components' }] };
    });

    expect(await permissions.decide('s3:GetObject', `${ARTIFACTS}/components/install.sh`)).toEqual('Allowed');
    expect(await permissions.decide('kms:Decrypt', KEY, viaS3)).toEqual('ImplicitlyDenied');
    const templatePolicies = permissions.identityPolicies.filter(p => !p.name.startsWith('arn:'));
    expect(templatePolicies.flatMap(p => [p.policy.Statement].flat()).flatMap((s: any) => [s.Action].flat())
      .filter((a: string) => a.startsWith('kms:'))).toEqual([]);
  });

  test('a key whose policy does not let the account\'s IAM policies grant its use denies kms:Decrypt despite the grant', async () => {
    let KEY = '';
    const permissions = permissionsOf(stack => {
      // a key policy that trusts one administrator role only, not the account
      const cfnKey = new kms.CfnKey(stack, 'Key', {
        keyPolicy: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/KeyAdmin` }, Action: 'kms:*', Resource: '*' }],
        },
      });
      KEY = keyArnOf(stack, cfnKey);
      const bucket = s3.Bucket.fromBucketAttributes(stack, 'B', { bucketName: 'artifacts', encryptionKey: kms.Key.fromCfnKey(cfnKey) });
      return { artifactLocations: [{ bucket, keyPrefix: 'components' }] };
    });

    // the role's own policies do grant it: only the key policy denies
    const granted = permissions.identityPolicies.filter(p => !p.name.startsWith('arn:')).flatMap(p => [p.policy.Statement].flat())
      .filter((s: any) => [s.Action].flat().includes('kms:Decrypt') && [s.Resource].flat().includes(KEY));
    expect(granted).not.toEqual([]);
    expect(await permissions.decide('kms:Decrypt', KEY, viaS3)).toEqual('ImplicitlyDenied');
  });
});

describe('addArtifactLocation and grants after construction', () => {
  const permissions = permissionsOf(() => ({}), (profile, stack) => {
    const { artifacts, logs } = buckets(stack);
    profile.addArtifactLocation({ bucket: artifacts, keyPrefix: 'scripts' });
    logs.grantRead(profile, 'reports/*');
  });

  test('an added folder is readable like one given in props', async () => {
    expect(await permissions.decide('s3:GetObject', `${ARTIFACTS}/scripts/run.sh`)).toEqual('Allowed');
    expect(await permissions.decide('s3:GetObject', `${ARTIFACTS}/other/run.sh`)).toEqual('ImplicitlyDenied');
  });

  test('bucket.grantRead(profile) grants to the role', async () => {
    expect(await permissions.decide('s3:GetObject', `${LOGS}/reports/r.json`)).toEqual('Allowed');
  });
});

describe('a permissions boundary', () => {
  test('caps what the role may do, managed policies included', async () => {
    const permissions = permissionsOf(stack => {
      const boundary = new iam.ManagedPolicy(stack, 'Boundary', {
        statements: [new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:ListBucket'], resources: ['*'] })],
      });
      return { permissionsBoundary: boundary, artifactLocations: [{ bucket: buckets(stack).artifacts, keyPrefix: 'components' }] };
    });

    expect(await permissions.decide('s3:GetObject', `${ARTIFACTS}/components/install.sh`)).toEqual('Allowed');
    expect(await permissions.decide('ssm:UpdateInstanceInformation', `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`))
      .toEqual('ImplicitlyDenied');
  });
});
