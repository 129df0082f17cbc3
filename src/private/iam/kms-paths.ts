/*
 * The KMS requests that S3, Systems Manager and Secrets Manager make on behalf of the caller, with the context the
 * real calls carry: a key policy or an IAM policy can only be judged against what the service sends.
 *
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
 * https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
 */
import { EvaluationRequest } from './request-context';
import { concat, Text } from './text';

/** Where the request comes from: the caller's account and the region of the service. */
export interface KmsCaller {
  readonly account: Text;
  readonly region: Text;
}

function request(action: string, keyArn: Text, service: string, caller: KmsCaller, contextKey: string, contextValue: Text): EvaluationRequest {
  return {
    action,
    resource: keyArn,
    context: {
      'kms:ViaService': concat([`${service}.`, caller.region, '.amazonaws.com']),
      'kms:CallerAccount': caller.account,
      [`kms:EncryptionContext:${contextKey}`]: contextValue,
      'kms:EncryptionContextKeys': [contextKey],
    },
  };
}

/**
 * The KMS request of S3 for a read (kms:Decrypt) or a write (kms:GenerateDataKey) of an SSE-KMS object: its
 * encryption context is the object's ARN, or the bucket's when the bucket uses an S3 Bucket Key.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
 */
export function s3KeyRequest(access: 'read' | 'write', keyArn: Text, caller: KmsCaller, objectArn: Text, bucketArn: Text,
  bucketKey: boolean): EvaluationRequest {
  return request(access === 'read' ? 'kms:Decrypt' : 'kms:GenerateDataKey', keyArn, 's3', caller, 'aws:s3:arn', bucketKey ? bucketArn : objectArn);
}

/**
 * The KMS request of Systems Manager for reading a SecureString parameter: its encryption context is the
 * parameter's ARN.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html#parameter-store-encryption-context
 */
export function parameterKeyRequest(keyArn: Text, caller: KmsCaller, parameterArn: Text): EvaluationRequest {
  return request('kms:Decrypt', keyArn, 'ssm', caller, 'PARAMETER_ARN', parameterArn);
}

/**
 * The KMS request of Secrets Manager for reading a secret encrypted with a customer managed key: its encryption
 * context is the secret's ARN.
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-encryption-context
 */
export function secretKeyRequest(keyArn: Text, caller: KmsCaller, secretArn: Text): EvaluationRequest {
  return request('kms:Decrypt', keyArn, 'secretsmanager', caller, 'SecretARN', secretArn);
}
