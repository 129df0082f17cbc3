import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { appSecretNamed } from '../app-secrets';
import { ParameterNeed } from '../component-document';
import { inEveryLanguage } from '../method-names';
import { parameterArn, parameterTarget, secretArnPattern, secretReferenceName } from '../ssm-references';
import { keyToGrant } from './kms';
import { exactResource, validateName } from './names';
import { ProfileGrants } from './profile-grants';

/**
 * The grants of Parameter Store parameters and Secrets Manager secrets: those that `addParameter` and `addSecret`
 * name, and those that the `{{ aws:ssm:... }}` references of component documents name.
 */
export class ParameterGrants {
  constructor(private readonly profile: ProfileGrants) {}

  /** `ssm:GetParameter` on the parameter, and `kms:Decrypt` on its key when known (a SecureString). */
  public parameter(prop: string, parameter: ssm.IParameter): void {
    validateName(prop, 'parameter', parameter.parameterName);
    this.profile.grant(prop, ['ssm:GetParameter'], exactResource(parameter.parameterArn));
    const key = (parameter as { encryptionKey?: kms.IKey }).encryptionKey;
    const granted = key && keyToGrant(`${prop}: the parameter '${parameter.node.path}'`, key, (id, message) => this.profile.warn(id, message));
    if (granted) {
      this.profile.assertMutableRole(prop, `kms:Decrypt on '${granted.keyArn}'`, 'grant it outside this app');
      this.profile.kms.parameter(granted, parameter.parameterArn, parameter.env.region);
    }
  }

  /** `ssm:GetParameter` on the secret's reference, `secretsmanager:GetSecretValue` on the secret, and its key. */
  public secret(prop: string, secret: secretsmanager.ISecret): void {
    validateName(prop, 'secret', secret.secretName);
    this.profile.grant(prop, ['ssm:GetParameter'], parameterArn(secretReferenceName(secret.secretName), false, this.profile.arnScope()));
    // a secret known by name or partial ARN: Secrets Manager ends its ARN with '-' and six random characters
    const secretArn = secret.secretFullArn !== undefined ? exactResource(secret.secretFullArn) : `${exactResource(secret.secretArn)}-??????`;
    this.profile.grant(prop, ['secretsmanager:GetSecretValue'], secretArn);
    this.secretKey(prop, secret, secretArn);
  }

  /** What a `{{ aws:ssm:... }}` reference of a component document reads. */
  public need(need: ParameterNeed): void {
    const target = parameterTarget(need.name);
    const scope = this.profile.arnScope();
    switch (target.kind) {
      case 'invalid':
        this.profile.warn('cdk-imagebuilder-instance-profile:componentParameter',
          `${need.step}: '${need.reference}' names no parameter that Parameter Store can hold (${target.problem}), so nothing was granted for it`);
        return;
      case 'arn':
        this.profile.grant(need.step, ['ssm:GetParameter'], target.arn);
        return;
      case 'parameter':
        this.profile.grant(need.step, ['ssm:GetParameter'], parameterArn(target.resourceName, target.publicParameter, scope));
        return;
      case 'secret': {
        this.profile.grant(need.step, ['ssm:GetParameter'], parameterArn(target.resourceName, false, scope));
        this.profile.grant(need.step, ['secretsmanager:GetSecretValue'], secretArnPattern(target.secretId, target.byArn, scope));
        // a secret of the app read by its name: its key, which the document does not name
        const appSecret = target.byArn ? undefined : appSecretNamed(this.profile.scope, target.secretId);
        if (appSecret && Stack.of(appSecret) === Stack.of(this.profile.scope)) {
          this.secretKey(need.step, appSecret, exactResource(appSecret.secretArn));
        } else if (appSecret?.encryptionKey) {
          // a reference to another stack could make the stacks depend on each other
          this.profile.warn('cdk-imagebuilder-instance-profile:appSecretOfAnotherStack',
            `${need.step}: the secret '${target.secretId}' is '${appSecret.node.path}' of another stack: its KMS key was not granted; `
            + `add the secret with ${inEveryLanguage('addSecret')}, which grants the key`);
        }
        return;
      }
    }
  }

  /**
   * kms:Decrypt on the secret's key, when it has one, only through Secrets Manager in the secret's region (the
   * call that GetSecretValue makes for the caller; an imported secret's ARN tells its region), as aws-cdk-lib's
   * secret.grantRead does, and only for this secret (the SecretARN encryption context; `secretArn` is its exact pattern).
   */
  private secretKey(prop: string, secret: secretsmanager.ISecret, secretArn: string): void {
    const key = secret.encryptionKey && keyToGrant(`${prop}: the secret '${secret.node.path}'`, secret.encryptionKey,
      (id, message) => this.profile.warn(id, message));
    if (key) {
      this.profile.assertMutableRole(prop, `kms:Decrypt on '${key.keyArn}'`, 'grant it outside this app');
      this.profile.kms.secret(key, secretArn, secret.env.region);
    }
  }
}
