import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { ComponentAccessChecks, ImageBuilderInstanceProfile, ImageBuilderInstanceProfileProps } from '../src';
import { bashDocument } from './helpers/component-documents';
import { ACCOUNT, EffectivePermissions, REGION } from './helpers/effective-permissions';

// every decision below comes from evaluating the synthesized policies and the AWS managed policy documents
// (test/fixtures) with a real IAM policy evaluation engine, with the context a real call carries

const PARAMETER = (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${name}`;
const SECRET = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}`;
const INSTANCE = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`;
const CONTEXT = { 'aws:PrincipalAccount': ACCOUNT };

const SSM_CORE = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] };
const SSM_DEFAULT = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedEC2InstanceDefaultPolicy']] };
const IMAGE_BUILDER = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/EC2InstanceProfileForImageBuilder']] };

function build(props: (stack: Stack) => ImageBuilderInstanceProfileProps = () => ({}),
  after?: (profile: ImageBuilderInstanceProfile, stack: Stack) => void) {
  const stack = new Stack(new App(), 'Stack');
  const profile = new ImageBuilderInstanceProfile(stack, 'Profile', props(stack));
  after?.(profile, stack);
  const template = Template.fromStack(stack);
  const permissions = EffectivePermissions.ofRole(template.toJSON() as any, stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole));
  return { stack, profile, template, permissions };
}

describe('by default (readAllParameters: true)', () => {
  const { template, permissions } = build();

  test('the role holds AmazonSSMManagedInstanceCore, as the workshop and the Image Builder guide attach it, and nothing else changed', () => {
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: [SSM_CORE, IMAGE_BUILDER] });
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('the instances can read every parameter of the account, as that policy allows', async () => {
    expect(await permissions.decide('ssm:GetParameter', PARAMETER('prod/db/password'), CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('ssm:GetParameters', '*', CONTEXT)).toBe('Allowed');
  });
});

describe('by default, a SecureString under a key whose key policy lets the account use it through SSM', () => {
  // the key policy of the AWS managed key aws/ssm: any principal of the account, only through Parameter Store
  let keyArn = '';
  const { permissions } = build(stack => {
    const key = new kms.Key(stack, 'SsmKey', {
      policy: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          principals: [new iam.AnyPrincipal()],
          actions: ['kms:Decrypt', 'kms:DescribeKey'],
          resources: ['*'],
          conditions: { StringEquals: { 'kms:ViaService': `ssm.${REGION}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT } },
        })],
      }),
    });
    keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${stack.getLogicalId(key.node.defaultChild as kms.CfnKey)}`;
    return {};
  });
  // what KMS sees when Parameter Store decrypts a SecureString for the instance
  const throughSsm = {
    'kms:ViaService': `ssm.${REGION}.amazonaws.com`,
    'kms:CallerAccount': ACCOUNT,
    'aws:CalledVia': ['ssm.amazonaws.com'],
    'kms:EncryptionContextKeys': ['PARAMETER_ARN'],
  };

  test('can be read: ssm:GetParameter on it, and kms:Decrypt through SSM', async () => {
    expect(await permissions.decide('ssm:GetParameter', PARAMETER('prod/db/password'), CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('kms:Decrypt', keyArn, { ...CONTEXT, ...throughSsm })).toBe('Allowed');
  });

  test('the key is not usable directly: kms:Decrypt without kms:ViaService is denied', async () => {
    const { 'kms:ViaService': _, ...direct } = throughSsm;
    expect(await permissions.decide('kms:Decrypt', keyArn, { ...CONTEXT, ...direct })).toBe('ImplicitlyDenied');
    expect(await permissions.decide('kms:Decrypt', keyArn, { ...CONTEXT, ...throughSsm, 'kms:CallerAccount': '999988887777' })).toBe('ImplicitlyDenied');
  });

  test('readAllParameters: false takes the read away: ssm:GetParameter on it is denied', async () => {
    const { permissions: narrow } = build(() => ({ readAllParameters: false }));
    expect(await narrow.decide('ssm:GetParameter', PARAMETER('prod/db/password'), CONTEXT)).toBe('ImplicitlyDenied');
  });
});

describe('readAllParameters: false', () => {
  const { template, permissions } = build(() => ({ readAllParameters: false }));

  test('attaches AmazonSSMManagedEC2InstanceDefaultPolicy instead of AmazonSSMManagedInstanceCore', () => {
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: [SSM_DEFAULT, IMAGE_BUILDER] });
  });

  test('no parameter can be read: not /prod/db/password, not any by GetParameters on *', async () => {
    expect(await permissions.decide('ssm:GetParameter', PARAMETER('prod/db/password'), CONTEXT)).toBe('ImplicitlyDenied');
    expect(await permissions.decide('ssm:GetParameters', '*', CONTEXT)).toBe('ImplicitlyDenied');
    expect(await permissions.decide('ssm:GetParameters', PARAMETER('prod/db/password'), CONTEXT)).toBe('ImplicitlyDenied');
    expect(await permissions.decide('ssm:GetParametersByPath', PARAMETER('prod'), CONTEXT)).toBe('ImplicitlyDenied');
  });

  test('the Systems Manager agent still works: instance information, sessions, messages, associations and inventory', async () => {
    const calls: [string, string][] = [
      ['ssm:UpdateInstanceInformation', INSTANCE],
      ['ssmmessages:CreateControlChannel', '*'],
      ['ssmmessages:OpenDataChannel', '*'],
      ['ec2messages:GetMessages', '*'],
      ['ec2messages:SendReply', '*'],
      ['ssm:ListInstanceAssociations', INSTANCE],
      ['ssm:UpdateInstanceAssociationStatus', INSTANCE],
      // the simulator takes PutInventory only on '*', as IAM defines no resource type for it
      ['ssm:PutInventory', '*'],
      ['ssm:GetDocument', `arn:aws:ssm:${REGION}:${ACCOUNT}:document/AWS-RunShellScript`],
    ];
    for (const [action, resource] of calls) {
      expect([action, await permissions.decide(action, resource, CONTEXT)]).toEqual([action, 'Allowed']);
    }
  });
});

describe('addParameter', () => {
  const { template, permissions, stack: parameterStack } = build(() => ({ readAllParameters: false }), (profile, stack) => {
    profile.addParameter(ssm.StringParameter.fromStringParameterName(stack, 'Version', '/team/app/version'));
    profile.addParameter(ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'Token', {
      parameterName: '/team/app/token',
      // a key of the app: KMS decides with its key policy too, and CDK's default one lets IAM policies grant its use
      encryptionKey: new kms.Key(stack, 'Key'),
    }));
  });

  test('lets the instances read exactly that parameter', async () => {
    expect(await permissions.decide('ssm:GetParameter', PARAMETER('team/app/version'), CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('ssm:GetParameter', PARAMETER('team/app/version-old'), CONTEXT)).toBe('ImplicitlyDenied');
    expect(await permissions.decide('ssm:GetParameter', PARAMETER('team/app'), CONTEXT)).toBe('ImplicitlyDenied');
  });

  test('grants ssm:GetParameter only: no GetParameters, GetParametersByPath or DescribeParameters', async () => {
    expect(await permissions.decide('ssm:GetParameters', PARAMETER('team/app/version'), CONTEXT)).toBe('ImplicitlyDenied');
    expect(await permissions.decide('ssm:GetParametersByPath', PARAMETER('team/app'), CONTEXT)).toBe('ImplicitlyDenied');
    expect(await permissions.decide('ssm:DescribeParameters', '*', CONTEXT)).toBe('ImplicitlyDenied');
  });

  test('decrypts a SecureString with its key when the construct knows the key, and with no other key', async () => {
    const keyId = parameterStack.getLogicalId(parameterStack.node.findChild('Key').node.defaultChild as kms.CfnKey);
    expect(await permissions.decide('ssm:GetParameter', PARAMETER('team/app/token'), CONTEXT)).toBe('Allowed');
    // what Parameter Store sends to KMS for the caller of GetParameter with decryption
    const viaSsm = (name: string) => ({
      ...CONTEXT,
      'kms:ViaService': `ssm.${REGION}.amazonaws.com`,
      'kms:CallerAccount': ACCOUNT,
      'kms:EncryptionContext:PARAMETER_ARN': PARAMETER(name),
      'kms:EncryptionContextKeys': ['PARAMETER_ARN'],
    });
    expect(await permissions.decide('kms:Decrypt', `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`, viaSsm('team/app/token'))).toBe('Allowed');
    expect(await permissions.decide('kms:Decrypt', `arn:aws:kms:${REGION}:${ACCOUNT}:key/other`, viaSsm('team/app/token'))).toBe('ImplicitlyDenied');
  });

  test('case 2: the SecureString key decrypts only through Parameter Store and only that parameter', async () => {
    const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${parameterStack.getLogicalId(parameterStack.node.findChild('Key').node.defaultChild as kms.CfnKey)}`;
    const context = (name: string) => ({ 'kms:EncryptionContext:PARAMETER_ARN': PARAMETER(name), 'kms:EncryptionContextKeys': ['PARAMETER_ARN'] });
    // a direct call, with or without the context
    expect(await permissions.decide('kms:Decrypt', key, { ...CONTEXT, 'kms:CallerAccount': ACCOUNT, ...context('team/app/token') })).toBe('ImplicitlyDenied');
    expect(await permissions.decide('kms:Decrypt', key, CONTEXT)).toBe('ImplicitlyDenied');
    // another SecureString under the same key, read through Parameter Store
    expect(await permissions.decide('kms:Decrypt', key, {
      ...CONTEXT, 'kms:ViaService': `ssm.${REGION}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT, ...context('team/app/other-token'),
    })).toBe('ImplicitlyDenied');
    // an S3 object under the same key
    expect(await permissions.decide('kms:Decrypt', key, {
      ...CONTEXT,
      'kms:ViaService': `s3.${REGION}.amazonaws.com`,
      'kms:CallerAccount': ACCOUNT,
      'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b/k',
      'kms:EncryptionContextKeys': ['aws:s3:arn'],
    })).toBe('ImplicitlyDenied');
  });

  test('no statement the construct adds has Resource "*"', () => {
    const statements = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap(p => p.Properties.PolicyDocument.Statement);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect([statement.Resource].flat()).not.toContain('*');
    }
  });
});

describe('addSecret', () => {
  const { permissions, stack: secretStack } = build(() => ({ readAllParameters: false }), (profile, stack) => {
    profile.addSecret(secretsmanager.Secret.fromSecretNameV2(stack, 'Db', 'prod/db'));
    profile.addSecret(new secretsmanager.Secret(stack, 'Api', { secretName: 'team/api', encryptionKey: new kms.Key(stack, 'SecretKey') }));
  });

  test('lets the instances read the secret through its Parameter Store reference', async () => {
    expect(await permissions.decide('ssm:GetParameter', PARAMETER('aws/reference/secretsmanager/prod/db'), CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('secretsmanager:GetSecretValue', SECRET('prod/db-AbCdEf'), CONTEXT)).toBe('Allowed');
  });

  test('and no other secret, not even one whose name starts the same', async () => {
    expect(await permissions.decide('secretsmanager:GetSecretValue', SECRET('prod/db-admin-AbCdEf'), CONTEXT)).toBe('ImplicitlyDenied');
    expect(await permissions.decide('secretsmanager:GetSecretValue', SECRET('prod/other-AbCdEf'), CONTEXT)).toBe('ImplicitlyDenied');
    expect(await permissions.decide('ssm:GetParameter', PARAMETER('aws/reference/secretsmanager/prod/other'), CONTEXT)).toBe('ImplicitlyDenied');
  });

  test('a secret of the app is read by its ARN and decrypted with its key', async () => {
    expect(await permissions.decide('secretsmanager:GetSecretValue', SECRET('team/api-AbCdEf'), CONTEXT)).toBe('Allowed');
    const keyId = secretStack.getLogicalId(secretStack.node.findChild('SecretKey').node.defaultChild as kms.CfnKey);
    expect(await permissions.decide('ssm:GetParameter', PARAMETER('aws/reference/secretsmanager/team/api'), CONTEXT)).toBe('Allowed');
    // what Secrets Manager sends to KMS for the caller of GetSecretValue
    const viaSecretsManager = (name: string) => ({
      ...CONTEXT,
      'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com`,
      'kms:EncryptionContext:SecretARN': SECRET(name),
      'kms:EncryptionContextKeys': ['SecretARN', 'SecretVersionId'],
    });
    expect(await permissions.decide('kms:Decrypt', `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`, viaSecretsManager('team/api-AbCdEf'))).toBe('Allowed');
    // case 2: another secret under the same key is not decrypted, even through Secrets Manager
    expect(await permissions.decide('kms:Decrypt', `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`, viaSecretsManager('team/other-AbCdEf'))).toBe('ImplicitlyDenied');
  });
});

describe('{{ aws:ssm: }} references in component documents', () => {
  const data = bashDocument('configure', [
    'echo {{ aws:ssm:/team/app/version }}',
    'echo {{ aws:ssm:region-name }}',
    'echo {{ aws:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64 }}',
    'echo {{ aws:ssm:/aws/reference/secretsmanager/prod/db }}',
  ].join(' && '));
  const { stack, permissions } = build(() => ({ readAllParameters: false }), profile => profile.addComponentData(data));

  test('each parameter named in any step gets ssm:GetParameter on exactly its ARN, with or without a leading /', async () => {
    expect(await permissions.decide('ssm:GetParameter', PARAMETER('team/app/version'), CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('ssm:GetParameter', PARAMETER('region-name'), CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('ssm:GetParameter', PARAMETER('team/app/other'), CONTEXT)).toBe('ImplicitlyDenied');
  });

  test('a public parameter of AWS is granted with the ARN IAM evaluates for it: no account', () => {
    // the simulator refuses ARNs without an account, so this one is read off the template
    const name = 'aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))
      .flatMap(p => p.Properties.PolicyDocument.Statement).filter((st: any) => st.Action === 'ssm:GetParameter');
    const resources = statements.flatMap((st: any) => [st.Resource].flat()).map(r => JSON.stringify(stack.resolve(r)));
    expect(resources).toContainEqual(JSON.stringify({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, `::parameter/${name}`]],
    }));
  });

  test('a secret reference gets the reference parameter and GetSecretValue on that secret by name (its six-character suffix)', async () => {
    expect(await permissions.decide('ssm:GetParameter', PARAMETER('aws/reference/secretsmanager/prod/db'), CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('secretsmanager:GetSecretValue', SECRET('prod/db-AbCdEf'), CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('secretsmanager:GetSecretValue', SECRET('prod/db-admin-AbCdEf'), CONTEXT)).toBe('ImplicitlyDenied');
  });

  test('nothing else: the warnings are empty for a document of literal references', () => {
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('a resolve(...) of a document parameter is a warning naming the component, step and reference, and grants nothing', () => {
    const { stack: s, template } = build(() => ({ readAllParameters: false }),
      profile => profile.addComponentData(bashDocument('resolving', 'echo {{ aws:ssm:resolve(ParameterName) }}')));

    Annotations.fromStack(s).hasWarning('/Stack/Profile', Match.stringLikeRegexp(
      "the component document given to addComponentData, step 'build/Configure' \\(ExecuteBash\\): .*resolve\\(ParameterName\\).*so no ssm:GetParameter was granted"));
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('a name that Parameter Store cannot hold is a warning naming the component, step and reference, and grants nothing', () => {
    const { stack: s, template } = build(() => ({ readAllParameters: false }), (profile, st) => profile.addComponent(new imagebuilder.CfnComponent(st, 'Component', {
      name: 'configure', platform: 'Linux', version: '1.0.0', data: bashDocument('configure', 'echo {{ aws:ssm:/my param }}'),
    })));

    Annotations.fromStack(s).hasWarning('/Stack/Profile', Match.stringLikeRegexp(
      "component 'configure', step 'build/Configure' \\(ExecuteBash\\): '\\{\\{ aws:ssm:/my param \\}\\}' names no parameter that Parameter Store can hold.*nothing was granted"));
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });
});

describe('ComponentAccessChecks with readAllParameters: false', () => {
  function pipeline(readAllParameters: boolean, command: string, grant: boolean) {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { readAllParameters });
    const cfn = new imagebuilder.CfnComponent(stack, 'Component', { name: 'configure', platform: 'Linux', version: '1.0.0', data: bashDocument('configure', command) });
    if (grant) {
      profile.addComponent(cfn);
    }
    const recipe = new imagebuilder.CfnImageRecipe(stack, 'Recipe', {
      name: 'r', version: '1.0.0', parentImage: 'ami-0123456789abcdef0', components: [{ componentArn: cfn.attrArn }],
    });
    const infrastructure = new imagebuilder.CfnInfrastructureConfiguration(stack, 'Infrastructure', { name: 'i', instanceProfileName: profile.instanceProfileName });
    new imagebuilder.CfnImagePipeline(stack, 'Pipeline', { name: 'p', imageRecipeArn: recipe.attrArn, infrastructureConfigurationArn: infrastructure.attrArn });
    Aspects.of(app).add(new ComponentAccessChecks());
    return stack;
  }

  test('a parameter that no policy lets the instances read is an error naming the step and the reference', () => {
    const stack = pipeline(false, 'echo {{ aws:ssm:/team/app/version }}', false);

    Annotations.fromStack(stack).hasError('/Stack/Pipeline', Match.stringLikeRegexp(
      "component 'configure', step 'build/Configure' \\(ExecuteBash\\) reads the parameter \\{\\{ aws:ssm:/team/app/version \\}\\}, "
      + "but the instance profile 'Stack/Profile' cannot read it: call the profile's addParameter / add_parameter or addSecret / add_secret"));
  });

  test('is covered once the component is added, and by AmazonSSMManagedInstanceCore with the default', () => {
    Annotations.fromStack(pipeline(false, 'echo {{ aws:ssm:/team/app/version }}', true)).hasNoError('*', Match.anyValue());
    Annotations.fromStack(pipeline(true, 'echo {{ aws:ssm:/team/app/version }}', false)).hasNoError('*', Match.anyValue());
  });

  test('a secret reference is covered once the component is added: the parameter and the secret', () => {
    const stack = pipeline(false, 'echo {{ aws:ssm:/aws/reference/secretsmanager/prod/db }}', true);

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasNoWarning('/Stack/Pipeline', Match.anyValue());
  });

  test('a secret reference whose parameter the default policy reads, but whose secret no policy grants, is an error that the secret cannot be read', () => {
    const stack = pipeline(true, 'echo {{ aws:ssm:/aws/reference/secretsmanager/prod/db }}', false);

    Annotations.fromStack(stack).hasError('/Stack/Pipeline', Match.stringLikeRegexp(
      "component 'configure', step 'build/Configure' \\(ExecuteBash\\) reads the parameter \\{\\{ aws:ssm:/aws/reference/secretsmanager/prod/db \\}\\}, "
      + "but the instance profile 'Stack/Profile' cannot read it.*allows secretsmanager:GetSecretValue on '[^']*:secret:prod/db-"));
  });

  test('a resolve(...) cannot be checked: a warning, never an error', () => {
    const stack = pipeline(false, 'echo {{ aws:ssm:resolve(ParameterName) }}', false);

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp('resolve\\(ParameterName\\)'));
  });
});

describe('a secret of the app with a customer managed key', () => {
  // what Secrets Manager sends to KMS for the caller of GetSecretValue of prod/db
  const VIA_SECRETS_MANAGER = {
    'aws:PrincipalAccount': ACCOUNT,
    'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com`,
    'kms:CallerAccount': ACCOUNT,
    'kms:EncryptionContext:SecretARN': SECRET('prod/db-AbCdEf'),
    'kms:EncryptionContextKeys': ['SecretARN', 'SecretVersionId'],
  };
  const VIA_OTHER = { ...VIA_SECRETS_MANAGER, 'kms:ViaService': `ssm.${REGION}.amazonaws.com` };

  function withSecret(use: (profile: ImageBuilderInstanceProfile, secret: secretsmanager.ISecret, stack: Stack) => void) {
    const built = build(() => ({ readAllParameters: false }), (profile, stack) => {
      const key = new kms.Key(stack, 'SecretKey');
      use(profile, new secretsmanager.Secret(stack, 'S', { secretName: 'prod/db', encryptionKey: key }), stack);
    });
    const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${built.stack.getLogicalId(built.stack.node.findChild('SecretKey').node.defaultChild as kms.CfnKey)}`;
    return { ...built, keyArn };
  }

  test('given addSecret, when the instance reads the secret, then its key decrypts only through Secrets Manager', async () => {
    const { permissions, keyArn } = withSecret((profile, secret) => profile.addSecret(secret));

    expect(await permissions.decide('kms:Decrypt', keyArn, VIA_SECRETS_MANAGER)).toBe('Allowed');
    expect(await permissions.decide('kms:Decrypt', keyArn, VIA_OTHER)).toBe('ImplicitlyDenied');
    expect(await permissions.decide('kms:Decrypt', keyArn, CONTEXT)).toBe('ImplicitlyDenied');
  });

  test('given a component that reads the secret by name, when added, then its key decrypts only through Secrets Manager', async () => {
    const { permissions, keyArn } = withSecret((profile, _secret, stack) => {
      const data = bashDocument('configure', 'echo {{ aws:ssm:/aws/reference/secretsmanager/prod/db }}');
      profile.addComponent(new imagebuilder.CfnComponent(stack, 'Component', { name: 'configure', platform: 'Linux', version: '1.0.0', data }));
    });

    expect(await permissions.decide('ssm:GetParameter', PARAMETER('aws/reference/secretsmanager/prod/db'), CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('secretsmanager:GetSecretValue', SECRET('prod/db-AbCdEf'), CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('kms:Decrypt', keyArn, VIA_SECRETS_MANAGER)).toBe('Allowed');
    expect(await permissions.decide('kms:Decrypt', keyArn, VIA_OTHER)).toBe('ImplicitlyDenied');
  });
});

describe('a secret of another stack read by name', () => {
  test('given a secret with a key in another stack, when a component reads it by name, then its key is not granted and a warning says how, in Python too', () => {
    const app = new App();
    const secrets = new Stack(app, 'Secrets');
    new secretsmanager.Secret(secrets, 'S', { secretName: 'prod/db', encryptionKey: new kms.Key(secrets, 'Key') });
    const stack = new Stack(app, 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { readAllParameters: false });

    profile.addComponentData(bashDocument('configure', 'echo {{ aws:ssm:/aws/reference/secretsmanager/prod/db }}'));

    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('kms:');
    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp(
      "the secret 'prod/db' is 'Secrets/S' of another stack: its KMS key was not granted; add the secret with addSecret / add_secret, which grants the key"));
  });
});

describe('an imported secret with its key', () => {
  test('given a secret imported by its ARN of eu-west-1, when added, then its key decrypts only through Secrets Manager of eu-west-1', async () => {
    // the key is one of the template, whose key policy lets IAM policies of the account grant its use
    const { permissions, stack } = build(() => ({ readAllParameters: false }), (profile, scope) => profile.addSecret(
      secretsmanager.Secret.fromSecretAttributes(scope, 'Ext', {
        secretCompleteArn: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:prod/ext-AbCdEf`,
        encryptionKey: new kms.Key(scope, 'ExtKey'),
      })));
    const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${stack.getLogicalId(stack.node.findChild('ExtKey').node.defaultChild as kms.CfnKey)}`;

    const secretArn = { 'kms:EncryptionContext:SecretARN': `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:prod/ext-AbCdEf`, 'kms:EncryptionContextKeys': ['SecretARN'] };
    expect(await permissions.decide('kms:Decrypt', keyArn, { ...CONTEXT, ...secretArn, 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' })).toBe('Allowed');
    expect(await permissions.decide('kms:Decrypt', keyArn, { ...CONTEXT, ...secretArn, 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` })).toBe('ImplicitlyDenied');
  });
});

describe('parameters of pipelines in several regions', () => {
  function profileUsedIn(regions: string[], parameters: number) {
    const app = new App();
    const stack = new Stack(app, 'Profiles', { env: { account: ACCOUNT, region: REGION }, crossRegionReferences: true });
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { readAllParameters: false });
    const names = Array.from({ length: parameters }, (_, i) => `echo {{ aws:ssm:/team/application-with-a-long-name/parameter-number-${i} }}`);
    profile.addComponentData(bashDocument('configure', names.join(' && ')));
    regions.forEach((region, i) => new imagebuilder.CfnInfrastructureConfiguration(
      new Stack(app, `Pipelines${i}`, { env: { account: ACCOUNT, region }, crossRegionReferences: true }), 'Infrastructure',
      { name: 'infrastructure', instanceProfileName: profile.instanceProfileName }));
    return stack;
  }

  test('given many parameters and pipelines in three more regions, when synthesized, then the policy that may exceed IAM\'s limit is a warning', () => {
    const stack = profileUsedIn(['eu-west-1', 'eu-central-1', 'ap-south-1'], 60);

    Annotations.fromStack(stack).hasWarning('/Profiles/Profile', Match.stringLikeRegexp(
      "The policy 'Profiles/Profile/Policy' grants parameters, secrets or container recipes in 4 regions \\(us-east-1, eu-west-1, eu-central-1, ap-south-1\\), "
      + "where pipelines use the profile, and may exceed IAM's limit of 6,144 characters per managed policy, reaching up to [0-9]{1,3},[0-9]{3}: "
      + 'split the grants over several profiles, one for each region\\.'));
  });

  test('given the same parameters and pipelines in the profile\'s region only, when synthesized, then no such warning', () => {
    const stack = profileUsedIn([REGION], 60);

    Annotations.fromStack(stack).hasNoWarning('/Profiles/Profile', Match.stringLikeRegexp('may exceed IAM\'s limit'));
  });
});

describe('with aws-iam:minimizePolicies', () => {
  test('given a profile of a known region, when parameters come from addParameter and from a component, then the statements synthesize and both are allowed', async () => {
    const app = new App({ context: { '@aws-cdk/aws-iam:minimizePolicies': true } });
    const stack = new Stack(app, 'Stack', { env: { account: ACCOUNT, region: REGION } });
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { readAllParameters: false });
    profile.addParameter(ssm.StringParameter.fromStringParameterName(stack, 'Version', '/team/version'));
    profile.addComponentData(bashDocument('configure', 'echo {{ aws:ssm:/team/app/version }}'));

    const template = Template.fromStack(stack).toJSON() as any;
    const permissions = EffectivePermissions.ofRole(template, stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole));

    expect(await permissions.decide('ssm:GetParameter', PARAMETER('team/version'), CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('ssm:GetParameter', PARAMETER('team/app/version'), CONTEXT)).toBe('Allowed');
    expect(await permissions.decide('ssm:GetParameter', PARAMETER('team/other'), CONTEXT)).toBe('ImplicitlyDenied');
  });
});
