import { Lazy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * One S3 grant of a profile: a folder (`key` is its prefix, '' for the whole bucket) or one object.
 */
export interface S3Grant {
  readonly access: 'read' | 'write';
  readonly bucket: s3.IBucket;
  readonly key: string;
  readonly folder: boolean;
}

// a statement grows by one resource (or prefix) a folder; past this many, a new one starts, so that
// aws-cdk-lib can still split a large policy into managed policies of at most 6,144 characters
const MAX_ENTRIES_PER_STATEMENT = 20;

/**
 * The statements of a profile's S3 grants. Folders and objects of one bucket share one statement for
 * each action, and the folder listings of one bucket share one `s3:ListBucket` statement whose
 * `s3:prefix` condition lists them all, so that many folders cost few policy characters.
 *
 * - read, folder: `s3:GetObject` on `<prefix>/*`, `s3:ListBucket` limited to `<prefix>/*` (the whole
 *   bucket without a prefix), `kms:Decrypt` on the bucket's key when known;
 * - read, object: `s3:GetObject` on the object, `kms:Decrypt`;
 * - write: `s3:PutObject` on `<prefix>/*` or the object, `kms:GenerateDataKey` and `kms:Decrypt` (SSE-KMS
 *   needs Decrypt to complete a multipart upload:
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions).
 */
export class S3Statements {
  private readonly open = new Map<string, { statement: iam.PolicyStatement; entries: string[] }>();

  constructor(private readonly principal: iam.IPrincipal) {}

  /**
   * Adds the statements that one grant needs.
   *
   * @returns the folder wildcard it granted (for cdk-nag), and whether the principal took every new statement
   */
  public grant(grant: S3Grant): { wildcardResource?: string; taken: boolean } {
    const { access, bucket, key, folder } = grant;
    const objects = bucket.arnForObjects(folder ? (key === '' ? '*' : `${key}/*`) : key);
    const taken = [
      this.addResource(access === 'read' ? 's3:GetObject' : 's3:PutObject', bucket, objects),
      access === 'read' && folder ? this.addListing(bucket, key) : true,
      bucket.encryptionKey ? this.addKey(access, bucket.encryptionKey) : true,
    ].every(Boolean);
    return { wildcardResource: folder ? objects : undefined, taken };
  }

  private addResource(action: string, bucket: s3.IBucket, arn: string): boolean {
    return this.addEntry(`${action} ${bucket.node.path}`, arn,
      () => new iam.PolicyStatement({ actions: [action], resources: [arn] }),
      statement => statement.addResources(arn));
  }

  private addListing(bucket: s3.IBucket, prefix: string): boolean {
    if (prefix === '') {
      return this.addEntry(`s3:ListBucket ${bucket.node.path} *`, '*',
        () => new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    }
    // a folder download lists the folder first; the condition keeps every other key out of sight
    return this.addEntry(`s3:ListBucket ${bucket.node.path}`, `${prefix}/*`,
      entries => new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': Lazy.list({ produce: () => entries }) } },
      }));
  }

  private addKey(access: 'read' | 'write', key: kms.IKey): boolean {
    const actions = access === 'read' ? ['kms:Decrypt'] : ['kms:GenerateDataKey', 'kms:Decrypt'];
    return this.addEntry(`${actions.join()} ${key.node.path}`, key.keyArn,
      () => new iam.PolicyStatement({ actions, resources: [key.keyArn] }));
  }

  /**
   * Adds `entry` to the open statement of `id` (with `extend`; the list that `create` got grows too), or
   * starts a new statement from `create` when there is none or it is full.
   */
  private addEntry(id: string, entry: string, create: (entries: string[]) => iam.PolicyStatement,
    extend: (statement: iam.PolicyStatement) => void = () => {}): boolean {
    const current = this.open.get(id);
    if (current?.entries.includes(entry)) {
      return true;
    }
    if (current && current.entries.length < MAX_ENTRIES_PER_STATEMENT) {
      current.entries.push(entry);
      extend(current.statement);
      return true;
    }
    const entries = [entry];
    const statement = create(entries);
    this.open.set(id, { statement, entries });
    return this.principal.addToPrincipalPolicy(statement).statementAdded;
  }
}
