import { CfnElement, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { pathOf } from '../component-source';
import { PolicySource } from './policies';
import { display, Text } from './text';
import { RolePermissions } from '../role-permissions';

/** The key that encrypts something. */
export type KeyOf =
  /** no KMS key (SSE-S3 for a bucket) */
  | { readonly kind: 'none' }
  /** an AWS managed key (aws/s3, aws/secretsmanager): its key policy allows use through the service in its account */
  | { readonly kind: 'aws-managed' }
  /** a key of the app: its ARN and key policy */
  | { readonly kind: 'app'; readonly label: string; readonly arn: Text; readonly policy: PolicySource }
  /** a key the app does not hold: its key policy is not known */
  | { readonly kind: 'imported'; readonly label: string };

const CACHE = new WeakMap<RolePermissions, AppResources>();

/** A bucket of the role's stack. */
export interface AppBucket {
  readonly label: string;
  /** Its bucket policy; undefined when it has none. */
  readonly policy?: PolicySource;
  readonly key: KeyOf;
  /** Whether SSE-KMS uses an S3 Bucket Key (the encryption context is then the bucket's ARN). */
  readonly bucketKey: boolean;
  /** The CloudFormation Condition under which its bucket policy is created: the policy may not exist. */
  readonly policyCondition?: string;
}

/** A secret of the role's stack. */
export interface AppSecret {
  readonly label: string;
  readonly policy?: PolicySource;
  readonly key: KeyOf;
  /** The CloudFormation Condition under which its resource policy is created: the policy may not exist. */
  readonly policyCondition?: string;
}

/**
 * The buckets, keys and secrets of the role's stack, with their resource policies and encryption, as the
 * evaluator reads them (the same holes as the role's policies).
 */
export class AppResources {
  /** One instance a role's permissions: finding the resources walks the stack once. */
  public static of(permissions: RolePermissions, stack: Stack): AppResources {
    let resources = CACHE.get(permissions);
    if (!resources) {
      resources = new AppResources(permissions, stack);
      CACHE.set(permissions, resources);
    }
    return resources;
  }

  private readonly stack: Stack;
  private readonly elements: CfnElement[];
  private buckets?: Map<string, AppBucket>;

  private constructor(private readonly permissions: RolePermissions, stack: Stack) {
    this.stack = stack;
    this.elements = stack.node.findAll().filter((c): c is CfnElement => CfnElement.isCfnElement(c) && Stack.of(c) === stack);
  }

  /** The bucket of the stack with this name: a literal name, or the hole of a bucket whose name is generated. */
  public bucket(name: Text): AppBucket | undefined {
    // read once a stack: the check asks for every path of every component
    if (!this.buckets) {
      this.buckets = new Map();
      const policies = new Map<string, s3.CfnBucketPolicy[]>();
      for (const element of this.elements) {
        if (element instanceof s3.CfnBucketPolicy) {
          const key = nameKey(this.permissions.text(element.bucket));
          policies.set(key, [...policies.get(key) ?? [], element]);
          policies.delete('');
        }
      }
      for (const element of this.elements) {
        if (element instanceof s3.CfnBucket) {
          const key = nameKey(this.permissions.text(element.ref));
          const [policy, ...others] = policies.get(key) ?? [];
          const bucket = this.readBucket(element, policy);
          // a bucket holds one policy: each AWS::S3::BucketPolicy replaces it, and which one stays is not known
          this.buckets.set(key, others.length === 0 ? bucket : {
            ...bucket,
            policy: {
              name: `the bucket '${pathOf(element)}' has two bucket policies (${[policy, ...others].map(p => `'${pathOf(p)}'`).join(', ')}), `
              + 'and which one stays is not known',
            },
            policyCondition: undefined,
          });
        }
      }
    }
    const key = nameKey(name);
    return key === '' ? undefined : this.buckets.get(key);
  }

  private readBucket(bucket: s3.CfnBucket, policy: s3.CfnBucketPolicy | undefined): AppBucket {
    const rule = firstRule(this.stack.resolve(bucket.bucketEncryption));
    const byDefault = rule?.serverSideEncryptionByDefault ?? rule?.ServerSideEncryptionByDefault;
    const algorithm: unknown = byDefault?.sseAlgorithm ?? byDefault?.SSEAlgorithm;
    const keyId: unknown = byDefault?.kmsMasterKeyId ?? byDefault?.KMSMasterKeyID;
    const encrypted = typeof algorithm === 'string' && algorithm.startsWith('aws:kms');
    return {
      label: `the bucket '${pathOf(bucket)}'`,
      policy: policy ? this.permissions.document(pathOf(policy), policy.policyDocument) : undefined,
      key: !encrypted ? (typeof algorithm === 'string' && algorithm !== 'AES256' ? imported(`the key of '${pathOf(bucket)}'`) : { kind: 'none' })
        : this.key(keyId, 'aws/s3'),
      bucketKey: (rule?.bucketKeyEnabled ?? rule?.BucketKeyEnabled) === true,
      policyCondition: policy?.cfnOptions.condition ? this.stack.resolve(policy.cfnOptions.condition.logicalId) : undefined,
    };
  }

  /** The secret of the stack with this name (a literal name). */
  public secret(name: string): AppSecret | undefined {
    const secret = this.elements.find((e): e is secretsmanager.CfnSecret => e instanceof secretsmanager.CfnSecret
      && !Token.isUnresolved(e.name) && e.name === name);
    if (!secret) {
      return undefined;
    }
    const ref = JSON.stringify(this.stack.resolve(secret.ref));
    const policies = this.elements.filter((e): e is secretsmanager.CfnResourcePolicy => e instanceof secretsmanager.CfnResourcePolicy
      && JSON.stringify(this.stack.resolve(e.secretId)) === ref);
    const [policy, ...others] = policies;
    const label = `the secret '${pathOf(secret)}'`;
    return {
      label,
      // a secret holds one resource policy: each AWS::SecretsManager::ResourcePolicy replaces it
      policy: others.length > 0 ? { name: `${label} has two resource policies (${policies.map(p => `'${pathOf(p)}'`).join(', ')}), and which one stays is not known` }
        : policy ? this.permissions.document(pathOf(policy), policy.resourcePolicy) : undefined,
      key: this.key(this.stack.resolve(secret.kmsKeyId), 'aws/secretsmanager'),
      policyCondition: others.length === 0 && policy?.cfnOptions.condition ? this.stack.resolve(policy.cfnOptions.condition.logicalId) : undefined,
    };
  }

  /**
   * The key of a SecureString parameter that the app imports with `fromSecureStringParameterAttributes`, by the
   * name in its ARN (without the leading '/'); undefined when the app imports no SecureString of that name.
   */
  public secureString(resourceName: string): KeyOf | undefined {
    for (const construct of this.stack.node.findAll()) {
      const parameter = construct as { parameterType?: unknown; parameterName?: unknown; encryptionKey?: kms.IKey };
      if (parameter.parameterType !== 'SecureString' || typeof parameter.parameterName !== 'string' || Token.isUnresolved(parameter.parameterName)
        || parameter.parameterName.replace(/^\//, '') !== resourceName) {
        continue;
      }
      return this.key(parameter.encryptionKey?.keyArn, 'aws/ssm');
    }
    return undefined;
  }

  /** The key a KMSMasterKeyID or KmsKeyId names; undefined is the AWS managed key of the service. */
  private key(keyId: unknown, awsManaged: string): KeyOf {
    if (keyId === undefined || keyId === `alias/${awsManaged}`) {
      return { kind: 'aws-managed' };
    }
    const resolved: any = this.stack.resolve(keyId);
    const logicalId = resolved?.Ref ?? (Array.isArray(resolved?.['Fn::GetAtt']) && resolved['Fn::GetAtt'][1] === 'Arn' ? resolved['Fn::GetAtt'][0] : undefined);
    const key = this.elements.find((e): e is kms.CfnKey => e instanceof kms.CfnKey && this.stack.resolve(e.logicalId) === logicalId);
    if (!key) {
      const text = this.permissions.text(resolved);
      return imported(`the key '${text === undefined ? JSON.stringify(resolved) : display(text)}'`);
    }
    return {
      kind: 'app',
      label: `the key '${pathOf(key)}'`,
      arn: this.permissions.text({ 'Fn::GetAtt': [logicalId, 'Arn'] })!,
      policy: this.permissions.document(`the key policy of '${pathOf(key)}'`, { Statement: (this.stack.resolve(key.keyPolicy) as any)?.Statement }),
    };
  }
}

function imported(label: string): KeyOf {
  return { kind: 'imported', label };
}

function firstRule(encryption: any): any {
  const rules = encryption?.serverSideEncryptionConfiguration ?? encryption?.ServerSideEncryptionConfiguration;
  return Array.isArray(rules) ? rules[0] : undefined;
}

/** A bucket name as a map key: the literal, or the id of the one hole of a generated name. */
function nameKey(name: Text | undefined): string {
  if (name === undefined) {
    return '';
  }
  if (typeof name === 'string') {
    return `name:${name}`;
  }
  return name.length === 1 && typeof name[0] !== 'string' ? `hole:${name[0].hole}` : '';
}
