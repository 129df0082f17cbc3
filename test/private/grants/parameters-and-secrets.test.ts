import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { fakeProfileGrants } from './helpers';
import { BUILD_REGION } from '../../../src/private/build-regions';
import { ParameterGrants } from '../../../src/private/grants/parameters-and-secrets';

const need = (name: string) => ({ step: 'build/Read', name, reference: `{{ aws:ssm:${name} }}` }) as any;

describe('ParameterGrants', () => {
  test('given a secret known by name, then GetSecretValue is on its name and the six characters Secrets Manager appends', () => {
    // given
    const { stack, granted, grants } = fakeProfileGrants();

    // when
    new ParameterGrants(grants).secret('addSecret', secretsmanager.Secret.fromSecretNameV2(stack, 'S', 'prod/db'));

    // then
    expect(granted.map(g => g.actions[0])).toEqual(['ssm:GetParameter', 'secretsmanager:GetSecretValue']);
    expect(granted[0].resource).toBe(`arn:aws:ssm:${BUILD_REGION}:111122223333:parameter/aws/reference/secretsmanager/prod/db`);
    expect(JSON.stringify(stack.resolve(granted[1].resource))).toMatch(/:secretsmanager:us-east-1:111122223333:secret:prod\/db-\?\?\?\?\?\?"\]\]\}$/);
  });

  test('given a document reference to a name Parameter Store cannot hold, then it is a warning naming it, and nothing is granted', () => {
    const { granted, warnings, grants } = fakeProfileGrants();

    new ParameterGrants(grants).need(need('/team/*'));

    expect(granted).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^build\/Read: '\{\{ aws:ssm:\/team\/\* \}\}' names no parameter that Parameter Store can hold/)]);
  });

  test('given a parameter name with *, then addParameter is an error that names it', () => {
    const { stack, granted, grants } = fakeProfileGrants();

    expect(() => new ParameterGrants(grants).parameter('addParameter', ssm.StringParameter.fromStringParameterName(stack, 'P', '/team/*')))
      .toThrow("addParameter: the parameter name must be a-zA-Z0-9_.-/ (Parameter Store's characters), so no grant can name exactly it, got '/team/*'");
    expect(granted).toEqual([]);
  });
});
