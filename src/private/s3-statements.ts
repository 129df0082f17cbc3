import { Fn, Lazy, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { OwnPolicies } from './own-policies';

/**
 * One S3 grant of a profile: a folder or one object.
 */
export interface S3Grant {
  readonly access: 'read' | 'write';
  readonly bucket: s3.IBucket;
  /**
   * The IAM pattern of the object key, or for a folder of its prefix without the trailing slash ('' for the
   * whole bucket). Literal characters are escaped already (`escapeForIam`); a `*` here is a wildcard that
   * the caller chose. A token is a folder prefix as the user gave it, with at most one trailing slash.
   */
  readonly keyPattern: string;
  readonly folder: boolean;
  /** the account that must own the bucket (an `s3:ResourceAccount` condition), when known */
  readonly bucketOwner?: string;
  /**
   * For a read of the keys that begin with a prefix (an S3Download source `<prefix>*`), which AWSTOE lists with
   * that prefix before it gets each object: the IAM pattern of the prefix, which the listing is limited to.
   */
  readonly listPrefix?: string;
}

/** Grants the key of a bucket for reading or writing some of its objects (see KmsGrants.s3). */
export interface S3KeyGrants {
  s3(access: 'read' | 'write', key: kms.IKey, bucket: s3.IBucket, objects: string): void;
}

/** What one grant added. */
export interface S3Granted {
  /** the object ARN pattern */
  readonly objects: string;
  /** the policy whose statement allows the objects */
  readonly policy: iam.ManagedPolicy;
}

/**
 * The statements of a profile's S3 grants. Folders and objects of one bucket share one statement for
 * each action, and the folder listings of one bucket share one `s3:ListBucket` statement whose
 * `s3:prefix` condition lists them all, so that many folders cost few policy characters.
 *
 * - read, folder: `s3:GetObject` on `<prefix>/*`, `s3:ListBucket` limited to `<prefix>/*` (the whole
 *   bucket without a prefix), `kms:Decrypt` on the bucket's key when known;
 * - read, object: `s3:GetObject` on the object, `kms:Decrypt`; for the keys that begin with a prefix, also
 *   `s3:ListBucket` limited to listing exactly that prefix;
 * - write: `s3:PutObject` on `<prefix>/*` or the object, `kms:GenerateDataKey` and `kms:Decrypt` (SSE-KMS
 *   needs Decrypt to complete a multipart upload:
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions).
 *
 * The key statements are `keys`' (scoped to S3 and to the objects granted).
 */
export class S3Statements {
  constructor(private readonly policies: OwnPolicies, private readonly keys: S3KeyGrants) {}

  /**
   * Adds the statements that one grant needs.
   *
   * @returns the object ARN pattern it granted, and the policy that holds it
   */
  public grant(grant: S3Grant): S3Granted {
    const { access, bucket, folder, bucketOwner } = grant;
    const objects = bucket.arnForObjects(folder ? folderPattern(grant.keyPattern, '*') : grant.keyPattern);
    const condition = bucketOwner === undefined ? undefined : { StringEquals: { 's3:ResourceAccount': bucketOwner } };
    const policy = this.addResource(access === 'read' ? 's3:GetObject' : 's3:PutObject', bucket, objects, condition);
    if (access === 'read' && folder) {
      this.addListing(bucket, grant.keyPattern, condition);
    }
    if (access === 'read' && !folder && grant.listPrefix !== undefined) {
      this.addPrefixListing(bucket, grant.listPrefix, condition);
    }
    if (bucket.encryptionKey) {
      this.keys.s3(access, bucket.encryptionKey, bucket, objects);
    }
    return { objects, policy };
  }

  private addResource(action: string, bucket: s3.IBucket, arn: string, condition?: Record<string, any>): iam.ManagedPolicy {
    return this.policies.addEntry(`${action} ${bucket.node.path} ${JSON.stringify(condition)}`, arn,
      () => new iam.PolicyStatement({ actions: [action], resources: [arn], conditions: condition }),
      statement => statement.addResources(arn));
  }

  private addListing(bucket: s3.IBucket, keyPattern: string, condition?: Record<string, any>): void {
    if (keyPattern === '') {
      this.policies.addEntry(`s3:ListBucket ${bucket.node.path} * ${JSON.stringify(condition)}`, '*',
        () => new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: condition }));
      return;
    }
    // a folder download lists the folder first; the condition keeps every other key out of sight
    this.addPrefixListing(bucket, folderPattern(keyPattern, '*'), condition);
  }

  /** `s3:ListBucket` limited to listings whose `s3:prefix` matches `prefixPattern`, in one statement a bucket. */
  private addPrefixListing(bucket: s3.IBucket, prefixPattern: string, condition?: Record<string, any>): void {
    this.policies.addEntry(`s3:ListBucket ${bucket.node.path} ${JSON.stringify(condition)}`, prefixPattern,
      entries => new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { ...condition, StringLike: { 's3:prefix': Lazy.list({ produce: () => entries }) } },
      }), undefined, true);
  }
}

/**
 * `<prefix>/<rest>` for a folder prefix pattern: `<rest>` alone for the whole bucket. A token prefix may end
 * in one '/' or none, which only deployment tells: CloudFormation has no string replace, so the slash is
 * doubled and every '//' split out, which leaves exactly one.
 */
export function folderPattern(prefixPattern: string, rest: string): string {
  if (prefixPattern === '') {
    return rest;
  }
  if (Token.isUnresolved(prefixPattern)) {
    return Fn.join('', [Fn.join('/', Fn.split('//', `${prefixPattern}/`)), rest]);
  }
  return `${prefixPattern}/${rest}`;
}
