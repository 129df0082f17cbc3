import { Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { BUILD_REGION, inBuildRegions } from '../build-regions';
import { inEveryLanguage } from '../method-names';
import { OwnPolicies } from '../own-policies';

/*
 * Every KMS grant of the profile is scoped to the service that calls KMS for the build, and where it is exact to the
 * encryption context that service sends: a build instance that calls KMS itself is denied, and so is a call for
 * other data under the same key.
 *
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
 * https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html#parameter-store-encryption-context
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-encryption-context
 */

/** The encryption context of the objects of a bucket, as S3 sends it to KMS. */
export type S3Context = 'object' | 'bucket' | 'unknown';

/** How the profile reports a key that it cannot grant. */
export type KeyWarning = (id: string, message: string) => void;

/**
 * The key to grant for `key`: the key itself, the target key of an alias of the app (KMS authorizes against the key's
 * ARN, not the alias's), or undefined, with a warning that names it and says what to give, for an alias whose key
 * synthesis cannot know (`Alias.fromAliasName`, or a key imported by an alias ARN).
 */
export function keyToGrant(prop: string, key: kms.IKey, warn: KeyWarning): kms.IKey | undefined {
  if ('aliasName' in key && 'aliasTargetKey' in key) {
    let target: kms.IKey | undefined;
    try {
      target = (key as kms.IAlias).aliasTargetKey;
    } catch {
      target = undefined;
    }
    if (target) {
      return keyToGrant(prop, target, warn);
    }
  }
  const arn = key.keyArn;
  const alias = 'aliasName' in key ? String((key as kms.IAlias).aliasName) : !Token.isUnresolved(arn) && /:alias\//.test(arn) ? arn : undefined;
  if (alias !== undefined) {
    warn('cdk-imagebuilder-instance-profile:keyAlias',
      `${prop}: the KMS key '${alias}' ('${key.node.path}') is an alias, and KMS authorizes kms:Decrypt and kms:GenerateDataKey against `
      + 'the key\'s ARN, not the alias\'s: nothing was granted for it. Give the key itself instead: the app\'s kms.Key, or the key '
      + `imported by its ARN, arn:aws:kms:<region>:<account>:key/<key id>, with ${inEveryLanguage('kms.Key.fromKeyArn')}`);
    return undefined;
  }
  return key;
}

/**
 * What S3 sends as the encryption context of an object of `bucket`: the object's ARN ('object'), the bucket's ARN
 * when the bucket uses an S3 Bucket Key ('bucket'), or 'unknown' for a bucket whose settings synthesis cannot read
 * (an import, or a setting known only at deployment).
 */
export function s3ContextOf(bucket: s3.IBucket): S3Context {
  const cfn = bucket.node.defaultChild;
  if (!(cfn instanceof s3.CfnBucket)) {
    return 'unknown';
  }
  const encryption = Stack.of(cfn).resolve(cfn.bucketEncryption);
  const rules = encryption?.serverSideEncryptionConfiguration;
  if (encryption === undefined) {
    return 'object';
  }
  if (!Array.isArray(rules) || rules.length !== 1) {
    return 'unknown';
  }
  const bucketKey = rules[0]?.bucketKeyEnabled;
  return bucketKey === true ? 'bucket' : bucketKey === undefined || bucketKey === false ? 'object' : 'unknown';
}

/**
 * The KMS statements of a profile's grants, in its own policies.
 */
export class KmsGrants {
  constructor(private readonly profile: IConstruct, private readonly policies: OwnPolicies) {}

  /**
   * The key actions that reading (`kms:Decrypt`) or writing (`kms:GenerateDataKey`, `kms:Decrypt`) the objects
   * `objects` (an ARN pattern) of `bucket` needs: only through S3 of a region where the profile builds, and for a
   * bucket of the app only for those objects (without an S3 Bucket Key) or that bucket (with one).
   */
  public s3(access: 'read' | 'write', key: kms.IKey, bucket: s3.IBucket, objects: string): iam.ManagedPolicy {
    const actions = access === 'read' ? ['kms:Decrypt'] : ['kms:GenerateDataKey', 'kms:Decrypt'];
    const via = { 'kms:ViaService': this.viaBuildRegions('s3') };
    const context = s3ContextOf(bucket);
    const id = `${actions.join(',')} ${key.node.path} ${bucket.node.path} via s3 ${context}`;
    switch (context) {
      case 'object':
        return this.policies.addEntry(id, objects, entries => new iam.PolicyStatement({
          actions,
          resources: [key.keyArn],
          conditions: { StringEquals: via, StringLike: { 'kms:EncryptionContext:aws:s3:arn': Lazy.list({ produce: () => entries }) } },
        }), undefined, true);
      case 'bucket':
        return this.policies.addEntry(id, key.keyArn, () => new iam.PolicyStatement({
          actions,
          resources: [key.keyArn],
          conditions: { StringEquals: { ...via, 'kms:EncryptionContext:aws:s3:arn': bucket.bucketArn } },
        }));
      default:
        return this.policies.addEntry(id, key.keyArn,
          () => new iam.PolicyStatement({ actions, resources: [key.keyArn], conditions: { StringEquals: via } }));
    }
  }

  /**
   * kms:Decrypt on a SecureString's key, only through Parameter Store of the parameter's region and for that
   * parameter (the `PARAMETER_ARN` encryption context).
   */
  public parameter(key: kms.IKey, parameterArn: string, region: string): iam.ManagedPolicy {
    return this.policies.allow(['kms:Decrypt'], key.keyArn, {
      StringEquals: { 'kms:ViaService': `ssm.${region}.amazonaws.com`, 'kms:EncryptionContext:PARAMETER_ARN': parameterArn },
    });
  }

  /**
   * kms:Decrypt on a secret's key, only through Secrets Manager of the secret's region and for that secret (the
   * `SecretARN` encryption context; `secretArn` is the exact pattern of its ARN).
   */
  public secret(key: kms.IKey, secretArn: string, region: string): iam.ManagedPolicy {
    return this.policies.allow(['kms:Decrypt'], key.keyArn, {
      StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` },
      StringLike: { 'kms:EncryptionContext:SecretARN': secretArn },
    });
  }

  /** `<service>.<region>.amazonaws.com` for each region where the profile builds. */
  private viaBuildRegions(service: string): string[] {
    return inBuildRegions(this.profile, [`${service}.${BUILD_REGION}.amazonaws.com`]);
  }
}
