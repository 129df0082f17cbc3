import { parameterKeyRequest, s3KeyRequest, secretKeyRequest } from '../../../src/private/iam/kms-paths';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/k';
const CALLER = { account: '111122223333', region: 'us-east-1' };

describe('the KMS requests services make for the caller', () => {
  test('an S3 read is kms:Decrypt via S3 with the object ARN as encryption context', () => {
    const request = s3KeyRequest('read', KEY, CALLER, 'arn:aws:s3:::b/k', 'arn:aws:s3:::b', false);

    expect(request).toEqual({
      action: 'kms:Decrypt',
      resource: KEY,
      context: {
        'kms:ViaService': 's3.us-east-1.amazonaws.com',
        'kms:CallerAccount': '111122223333',
        'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b/k',
        'kms:EncryptionContextKeys': ['aws:s3:arn'],
      },
    });
  });

  test('an S3 write is kms:GenerateDataKey; with an S3 Bucket Key the encryption context is the bucket ARN', () => {
    const request = s3KeyRequest('write', KEY, CALLER, 'arn:aws:s3:::b/k', 'arn:aws:s3:::b', true);

    expect(request.action).toBe('kms:GenerateDataKey');
    expect(request.context['kms:EncryptionContext:aws:s3:arn']).toBe('arn:aws:s3:::b');
  });

  test('a SecureString is decrypted via SSM with PARAMETER_ARN, a secret via Secrets Manager with SecretARN', () => {
    const parameter = parameterKeyRequest(KEY, CALLER, 'arn:aws:ssm:us-east-1:111122223333:parameter/p');
    const secret = secretKeyRequest(KEY, CALLER, 'arn:aws:secretsmanager:us-east-1:111122223333:secret:s-AbCdEf');

    expect(parameter.context).toEqual(expect.objectContaining({
      'kms:ViaService': 'ssm.us-east-1.amazonaws.com', 'kms:EncryptionContext:PARAMETER_ARN': 'arn:aws:ssm:us-east-1:111122223333:parameter/p',
    }));
    expect(secret.context).toEqual(expect.objectContaining({
      'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com', 'kms:EncryptionContext:SecretARN': 'arn:aws:secretsmanager:us-east-1:111122223333:secret:s-AbCdEf',
    }));
  });

  test('a region known only at deployment stays a hole in kms:ViaService', () => {
    const region = { hole: 'region' };

    const request = s3KeyRequest('read', KEY, { account: '111122223333', region: [region] }, 'arn:aws:s3:::b/k', 'arn:aws:s3:::b', false);

    expect(request.context['kms:ViaService']).toEqual(['s3.', region, '.amazonaws.com']);
  });
});
