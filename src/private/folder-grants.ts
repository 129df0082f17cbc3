import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * The statements of one S3 grant, and the wildcard resources among them (for cdk-nag).
 */
export interface FolderGrant {
  readonly statements: iam.PolicyStatement[];
  readonly wildcardResources: string[];
}

/**
 * One S3 grant of a profile: a folder (`key` is its prefix, '' for the whole bucket) or one object.
 */
export interface S3Grant {
  readonly access: 'read' | 'write';
  readonly bucket: s3.IBucket;
  readonly key: string;
  readonly folder: boolean;
}

/**
 * Read-only access to the objects under `prefix` ('' for the whole bucket): what an S3Download of one
 * object or of the whole folder needs, and nothing outside the folder.
 */
export function readFolder(bucket: s3.IBucket, prefix: string): FolderGrant {
  const objects = objectsUnder(bucket, prefix);
  const list = new iam.PolicyStatement({
    actions: ['s3:ListBucket'],
    resources: [bucket.bucketArn],
  });
  if (prefix !== '') {
    // a folder download lists the folder first; the condition keeps every other key out of sight
    list.addCondition('StringLike', { 's3:prefix': [`${prefix}/*`] });
  }
  return { statements: [allow('s3:GetObject', objects), list, ...keyForReading(bucket)], wildcardResources: [objects] };
}

/**
 * Write-only access under `prefix`: Image Builder uploads `<prefix>/<image>/<version>/<build>/...`.
 */
export function writeFolder(bucket: s3.IBucket, prefix: string): FolderGrant {
  const objects = objectsUnder(bucket, prefix);
  return { statements: [allow('s3:PutObject', objects), ...keyForWriting(bucket)], wildcardResources: [objects] };
}

/**
 * Read-only access to one object: what an S3Download of a single file needs.
 */
export function readObject(bucket: s3.IBucket, key: string): FolderGrant {
  return { statements: [allow('s3:GetObject', bucket.arnForObjects(key)), ...keyForReading(bucket)], wildcardResources: [] };
}

/**
 * Write-only access to one object: what an S3Upload of a single file needs.
 */
export function writeObject(bucket: s3.IBucket, key: string): FolderGrant {
  return { statements: [allow('s3:PutObject', bucket.arnForObjects(key)), ...keyForWriting(bucket)], wildcardResources: [] };
}

function allow(action: string, resource: string): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions: [action], resources: [resource] });
}

function keyForReading(bucket: s3.IBucket): iam.PolicyStatement[] {
  return bucket.encryptionKey ? [allow('kms:Decrypt', bucket.encryptionKey.keyArn)] : [];
}

function keyForWriting(bucket: s3.IBucket): iam.PolicyStatement[] {
  // SSE-KMS: GenerateDataKey for every upload, Decrypt to complete a multipart upload
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions
  return bucket.encryptionKey
    ? [new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [bucket.encryptionKey.keyArn] })]
    : [];
}

function objectsUnder(bucket: s3.IBucket, prefix: string): string {
  return bucket.arnForObjects(prefix === '' ? '*' : `${prefix}/*`);
}
