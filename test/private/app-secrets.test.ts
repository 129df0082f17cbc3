import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { appSecretNamed } from '../../src/private/app-secrets';

describe('appSecretNamed', () => {
  test('given one secret of the app with that literal name, then it is that secret, with its key', () => {
    const stack = new Stack(new App(), 'Stack');
    const secret = new secretsmanager.Secret(stack, 'S', { secretName: 'prod/db', encryptionKey: new kms.Key(stack, 'Key') });

    expect(appSecretNamed(stack, 'prod/db')).toBe(secret);
    expect(appSecretNamed(stack, 'prod/other')).toBeUndefined();
  });

  test('given the secret is in a stack of another region, then it is not the one the build reads', () => {
    const app = new App();
    new secretsmanager.Secret(new Stack(app, 'Other', { env: { region: 'eu-west-1' } }), 'S', { secretName: 'prod/db' });

    expect(appSecretNamed(new Stack(app, 'Stack', { env: { region: 'us-east-1' } }), 'prod/db')).toBeUndefined();
  });
});
