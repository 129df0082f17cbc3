import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { ComponentAccessChecks, ImageBuilderInstanceProfile, ImageBuilderInstanceProfileProps } from '../src';
import { bashDocument, downloadDocument, uploadDocument } from './helpers/component-documents';
import { ACCOUNT, EffectivePermissions, REGION } from './helpers/effective-permissions';

// every KMS grant is decided by iam-simulate with the key's policy (CDK's default, which lets IAM policies of the
// account grant its use) and the context that the real call of S3 carries

const keyArnOf = (stack: Stack, key: kms.IKey) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${stack.getLogicalId(key.node.defaultChild as kms.CfnKey)}`;

/** What S3 of `region` sends to KMS for the instance, for an object (or, with a Bucket Key, the bucket) `context`. */
function viaS3(context: string, region = REGION): Record<string, string | string[]> {
  return {
    'aws:PrincipalAccount': ACCOUNT,
    'kms:CallerAccount': ACCOUNT,
    'kms:ViaService': `s3.${region}.amazonaws.com`,
    'kms:EncryptionContext:aws:s3:arn': context,
    'kms:EncryptionContextKeys': ['aws:s3:arn'],
  };
}

function build(props: (stack: Stack) => ImageBuilderInstanceProfileProps) {
  const stack = new Stack(new App(), 'Stack');
  const profile = new ImageBuilderInstanceProfile(stack, 'Profile', props(stack));
  const template = Template.fromStack(stack);
  const permissions = EffectivePermissions.ofRole(template.toJSON() as any, stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole));
  return { stack, template, permissions };
}

describe('case 2: a bucket key is scoped to S3 and to the granted folders', () => {
  test('given a bucket of the app with an S3 Bucket Key, then the context granted is the bucket ARN, as S3 sends it', async () => {
    // given
    let key: kms.Key | undefined;
    const { stack, permissions } = build(s => {
      key = new kms.Key(s, 'Key');
      const bucket = new s3.Bucket(s, 'Artifacts', { bucketName: 'artifacts', encryptionKey: key, bucketKeyEnabled: true });
      return { artifactLocations: [{ bucket, keyPrefix: 'components' }] };
    });
    const keyArn = keyArnOf(stack, key!);

    // then: S3 sends the bucket's ARN with a Bucket Key
    expect(await permissions.decide('kms:Decrypt', keyArn, viaS3('arn:aws:s3:::artifacts'))).toBe('Allowed');
    expect(await permissions.decide('kms:Decrypt', keyArn, viaS3('arn:aws:s3:::other'))).toBe('ImplicitlyDenied');
    const direct = { ...viaS3('arn:aws:s3:::artifacts'), 'kms:ViaService': undefined };
    expect(await permissions.decide('kms:Decrypt', keyArn, direct as any)).toBe('ImplicitlyDenied');
  });

  test('given a bucket imported with its key, then the key is scoped to S3 only: synthesis cannot know its Bucket Key setting', async () => {
    let key: kms.Key | undefined;
    const { stack, permissions, template } = build(s => {
      key = new kms.Key(s, 'Key');
      return { artifactLocations: [{ bucket: s3.Bucket.fromBucketAttributes(s, 'B', { bucketName: 'artifacts', encryptionKey: key }), keyPrefix: 'components' }] };
    });
    const keyArn = keyArnOf(stack, key!);

    expect(await permissions.decide('kms:Decrypt', keyArn, viaS3('arn:aws:s3:::artifacts/components/a'))).toBe('Allowed');
    expect(await permissions.decide('kms:Decrypt', keyArn, { 'kms:CallerAccount': ACCOUNT })).toBe('ImplicitlyDenied');
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:ViaService': Match.anyValue() } } })]) },
    });
  });

  test('given pipelines of the profile in two regions, then S3 of each region may call the key, and no other region', async () => {
    // given
    const app = new App();
    const stack = new Stack(app, 'Profiles', { env: { account: ACCOUNT, region: REGION }, crossRegionReferences: true });
    const key = new kms.Key(stack, 'Key');
    const bucket = new s3.Bucket(stack, 'Artifacts', { bucketName: 'artifacts', encryptionKey: key });
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { artifactLocations: [{ bucket, keyPrefix: 'components' }] });
    new imagebuilder.CfnInfrastructureConfiguration(new Stack(app, 'West', { env: { account: ACCOUNT, region: 'eu-west-1' }, crossRegionReferences: true }),
      'Infra', { name: 'i', instanceProfileName: profile.instanceProfileName });

    // when
    const roleId = stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole);
    const permissions = EffectivePermissions.ofRole(Template.fromStack(stack).toJSON() as any, roleId);

    // then
    const object = 'arn:aws:s3:::artifacts/components/a';
    expect(await permissions.decide('kms:Decrypt', keyArnOf(stack, key), viaS3(object, REGION))).toBe('Allowed');
    expect(await permissions.decide('kms:Decrypt', keyArnOf(stack, key), viaS3(object, 'eu-west-1'))).toBe('Allowed');
    expect(await permissions.decide('kms:Decrypt', keyArnOf(stack, key), viaS3(object, 'ap-south-1'))).toBe('ImplicitlyDenied');
  });

  test('given an upload folder on an SSE-KMS bucket of the app, then the key encrypts under that folder only', async () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const key = new kms.Key(stack, 'Key');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');

    // when
    profile.addUploadLocation({ bucket: new s3.Bucket(stack, 'Results', { bucketName: 'results', encryptionKey: key }), keyPrefix: 'out' });

    // then
    const roleId = stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole);
    const permissions = EffectivePermissions.ofRole(Template.fromStack(stack).toJSON() as any, roleId);
    expect(await permissions.decide('kms:GenerateDataKey', keyArnOf(stack, key), viaS3('arn:aws:s3:::results/out/report.txt'))).toBe('Allowed');
    expect(await permissions.decide('kms:GenerateDataKey', keyArnOf(stack, key), viaS3('arn:aws:s3:::results/in/report.txt'))).toBe('ImplicitlyDenied');
    expect(await permissions.decide('kms:GenerateDataKey', keyArnOf(stack, key), { 'kms:CallerAccount': ACCOUNT })).toBe('ImplicitlyDenied');
  });

  test('given an S3Upload into an upload folder of an SSE-KMS bucket of the app, then ComponentAccessChecks finds it covered, key included', () => {
    // given
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
    const bucket = new s3.Bucket(stack, 'Results', { bucketName: 'team-results', encryption: s3.BucketEncryption.KMS });
    const component = new imagebuilder.CfnComponent(stack, 'Component', {
      name: 'publish', platform: 'Linux', version: '1.0.0', data: uploadDocument('publish', '/tmp/report.txt', 's3://team-results/results/report.txt'),
    });
    const recipe = new imagebuilder.CfnImageRecipe(stack, 'Recipe', {
      name: 'recipe', version: '1.0.0', parentImage: 'ami-0123456789abcdef0', components: [{ componentArn: component.attrArn }],
    });
    const infrastructure = new imagebuilder.CfnInfrastructureConfiguration(stack, 'Infrastructure', { name: 'i', instanceProfileName: profile.instanceProfileName });
    new imagebuilder.CfnImagePipeline(stack, 'Pipeline', { name: 'p', imageRecipeArn: recipe.attrArn, infrastructureConfigurationArn: infrastructure.attrArn });
    Aspects.of(app).add(new ComponentAccessChecks());

    // when
    profile.addUploadLocation({ bucket, keyPrefix: 'results' });

    // then
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasNoWarning('/Stack/Pipeline', Match.anyValue());
  });
});

describe('case 2: every KMS grant', () => {
  test('given every grant that brings a key, then each KMS statement of the construct holds kms:ViaService', () => {
    // given: artifact, log and upload folders, component downloads and uploads, a SecureString and secrets, all with keys
    const stack = new Stack(new App(), 'Stack');
    const key = new kms.Key(stack, 'Key');
    const bucket = new s3.Bucket(stack, 'Artifacts', { bucketName: 'team-artifacts', encryptionKey: key });
    const imported = s3.Bucket.fromBucketAttributes(stack, 'Imported', { bucketName: 'team-imported', encryptionKey: key });
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', {
      readAllParameters: false,
      artifactLocations: [{ bucket, keyPrefix: 'components' }, { bucket: imported }],
      logLocation: { bucket: imported, keyPrefix: 'logs' },
    });

    // when
    profile.addUploadLocation({ bucket, keyPrefix: 'results' });
    profile.addComponentData(downloadDocument('get', 's3://team-artifacts/app/install.sh', '/tmp/install.sh'));
    profile.addComponentData(uploadDocument('put', '/tmp/r.txt', 's3://team-artifacts/reports/r.txt'));
    profile.addParameter(ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'Token', { parameterName: '/team/token', encryptionKey: key }));
    profile.addSecret(new secretsmanager.Secret(stack, 'Secret', { secretName: 'team/db', encryptionKey: key }));
    profile.addComponentData(bashDocument('read', 'echo {{ aws:ssm:/aws/reference/secretsmanager/team/db }}'));

    // then
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))
      .flatMap(p => p.Properties.PolicyDocument.Statement)
      .filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith('kms:')));
    expect(statements.length).toBeGreaterThanOrEqual(6);
    for (const statement of statements) {
      expect(statement.Condition?.StringEquals?.['kms:ViaService']).toBeDefined();
    }
  });

  test('given a secret imported by a partial ARN with its key, then the key decrypts that secret only, whatever its six last characters', async () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const key = new kms.Key(stack, 'Key');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { readAllParameters: false });

    // when
    profile.addSecret(secretsmanager.Secret.fromSecretAttributes(stack, 'S', {
      secretPartialArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db`, encryptionKey: key,
    }));

    // then
    const roleId = stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole);
    const permissions = EffectivePermissions.ofRole(Template.fromStack(stack).toJSON() as any, roleId);
    const viaSecretsManager = (name: string) => ({
      'aws:PrincipalAccount': ACCOUNT,
      'kms:CallerAccount': ACCOUNT,
      'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com`,
      'kms:EncryptionContext:SecretARN': `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}`,
      'kms:EncryptionContextKeys': ['SecretARN'],
    });
    expect(await permissions.decide('kms:Decrypt', keyArnOf(stack, key), viaSecretsManager('prod/db-AbCdEf'))).toBe('Allowed');
    expect(await permissions.decide('kms:Decrypt', keyArnOf(stack, key), viaSecretsManager('prod/db-admin-AbCdEf'))).toBe('ImplicitlyDenied');
    expect(await permissions.decide('kms:Decrypt', keyArnOf(stack, key), viaSecretsManager('prod/other-AbCdEf'))).toBe('ImplicitlyDenied');
  });
});

describe('case 3: keys given as aliases', () => {
  test('given a bucket whose key is an imported alias, then nothing is granted on the alias and a warning names it and says to give the key, in Python too', () => {
    // given / when
    const { stack, template } = build(s => ({
      artifactLocations: [{
        bucket: s3.Bucket.fromBucketAttributes(s, 'B', { bucketName: 'artifacts', encryptionKey: kms.Alias.fromAliasName(s, 'A', 'alias/artifacts') }),
        keyPrefix: 'components',
      }],
    }));

    // then
    expect(JSON.stringify(template.toJSON())).not.toContain('kms:');
    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp(
      "the KMS key 'alias/artifacts' \\('Stack/A'\\) is an alias, and KMS authorizes kms:Decrypt and kms:GenerateDataKey against the key's ARN.*Give the key itself instead: "
      + "the app's kms.Key, or the key imported by its ARN, arn:aws:kms:<region>:<account>:key/<key id>, with kms.Key.fromKeyArn / from_key_arn"));
  });

  test('given a key imported by an alias ARN, then it is the same warning, and no grant', () => {
    const { stack, template } = build(s => ({
      logLocation: {
        bucket: s3.Bucket.fromBucketAttributes(s, 'B', {
          bucketName: 'logs', encryptionKey: kms.Key.fromKeyArn(s, 'K', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/logs`),
        }),
      },
    }));

    expect(JSON.stringify(template.toJSON())).not.toContain('kms:');
    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp(`the KMS key 'arn:aws:kms:${REGION}:${ACCOUNT}:alias/logs'.* is an alias`));
  });

  test('given an alias of the app with its target key, then the key itself is granted', async () => {
    // given
    let key: kms.Key | undefined;
    const { stack, permissions } = build(s => {
      key = new kms.Key(s, 'Key');
      const alias = new kms.Alias(s, 'Alias', { aliasName: 'alias/artifacts', targetKey: key });
      return { artifactLocations: [{ bucket: s3.Bucket.fromBucketAttributes(s, 'B', { bucketName: 'artifacts', encryptionKey: alias }), keyPrefix: 'components' }] };
    });

    // then
    expect(await permissions.decide('kms:Decrypt', keyArnOf(stack, key!), viaS3('arn:aws:s3:::artifacts/components/a'))).toBe('Allowed');
    Annotations.fromStack(stack).hasNoWarning('/Stack/Profile', Match.anyValue());
  });
});
