import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * The statements of one folder grant, and the wildcard resources among them (for cdk-nag).
 */
export interface FolderGrant {
  readonly statements: iam.PolicyStatement[];
  readonly wildcardResources: string[];
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
  const statements = [
    new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects] }),
    list,
  ];
  if (bucket.encryptionKey) {
    statements.push(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [bucket.encryptionKey.keyArn] }));
  }
  return { statements, wildcardResources: [objects] };
}

/**
 * Write-only access under `prefix`: Image Builder uploads `<prefix>/<image>/<version>/<build>/...`.
 */
export function writeFolder(bucket: s3.IBucket, prefix: string): FolderGrant {
  const objects = objectsUnder(bucket, prefix);
  const statements = [new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects] })];
  if (bucket.encryptionKey) {
    // SSE-KMS: GenerateDataKey for every upload, Decrypt to complete a multipart upload
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions
    statements.push(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [bucket.encryptionKey.keyArn],
    }));
  }
  return { statements, wildcardResources: [objects] };
}

function objectsUnder(bucket: s3.IBucket, prefix: string): string {
  return bucket.arnForObjects(prefix === '' ? '*' : `${prefix}/*`);
}
