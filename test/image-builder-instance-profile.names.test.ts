import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as fc from 'fast-check';
import { ImageBuilderInstanceProfile } from '../src';
import { bashDocument } from './helpers/component-documents';
import { ACCOUNT, EffectivePermissions, REGION } from './helpers/effective-permissions';
import { checkAsyncProperty } from './private/property-helpers';

// a name that a user gives is data: the grant on it names it exactly, or the name is refused (error for a method,
// warning for a component document) when no exact grant exists; decided with iam-simulate on the template

const CONTEXT = { 'aws:PrincipalAccount': ACCOUNT };
const PARAMETER = (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${name}`;
const SECRET = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}`;
const REPOSITORY = (name: string) => `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;

function build(after: (profile: ImageBuilderInstanceProfile, stack: Stack) => void) {
  const stack = new Stack(new App(), 'Stack');
  const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { readAllParameters: false });
  after(profile, stack);
  const template = Template.fromStack(stack);
  const role = stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole);
  return { stack, permissions: EffectivePermissions.ofRole(template.toJSON() as any, role) };
}

describe('case 1: names with * never become wildcards', () => {
  test('given addSecret of a secret named prod/*, then it is an error naming addSecret and the name, and nothing under prod/ is granted', () => {
    const stack = new Stack(new App(), 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { readAllParameters: false });

    expect(() => profile.addSecret(secretsmanager.Secret.fromSecretNameV2(stack, 'S', 'prod/*')))
      .toThrow("addSecret: the secret name must be 1-512 of a-zA-Z0-9/_+=.@- (Secrets Manager's characters), so no grant can name exactly it, got 'prod/*'");
    Template.fromStack(stack).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('given addParameter of /team/*, then it is an error naming addParameter and the name', () => {
    const stack = new Stack(new App(), 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { readAllParameters: false });

    expect(() => profile.addParameter(ssm.StringParameter.fromStringParameterName(stack, 'P', '/team/*')))
      .toThrow("addParameter: the parameter name must be a-zA-Z0-9_.-/ (Parameter Store's characters), so no grant can name exactly it, got '/team/*'");
  });

  test('given a repository imported as team/* in containerRepositories, then it is an error naming the prop', () => {
    const stack = new Stack(new App(), 'Stack');
    const repository = ecr.Repository.fromRepositoryName(stack, 'R', 'team/*');

    expect(() => new ImageBuilderInstanceProfile(stack, 'Profile', { containerRepositories: [repository] }))
      .toThrow(/^containerRepositories\[0\]: the repository name must be .*, got 'team\/\*'$/);
  });

  test('given the same secret name in a component document, then it is refused too (a warning), and nothing is granted', () => {
    const stack = new Stack(new App(), 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { readAllParameters: false });

    profile.addComponentData(bashDocument('Read', 'echo {{ aws:ssm:/aws/reference/secretsmanager/prod/* }}'));

    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp("'prod/\\*' after /aws/reference/secretsmanager/ is not a secret name"));
    Template.fromStack(stack).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  // names of the services' own characters: each grant allows the name and denies its neighbours
  const secretName = fc.stringMatching(/^[a-z0-9/_+=.@-]{1,20}$/);
  const parameterName = fc.stringMatching(/^[a-z0-9_.-]{1,12}(\/[a-z0-9_.-]{1,8}){0,2}$/);
  const repositoryName = fc.stringMatching(/^[a-z0-9]{1,8}([._-][a-z0-9]{1,4})?(\/[a-z0-9]{1,8}){0,2}$/);
  const specials = fc.array(fc.constantFrom('*', '?', '$', '${', '}', 'a', '/'), { minLength: 1, maxLength: 6 }).map(p => p.join(''));

  test('given random names with IAM-special characters, then each method refuses them or grants exactly the name', async () => {
    await checkAsyncProperty(fc.asyncProperty(secretName, parameterName, repositoryName, specials,
      async (secret, parameter, repository, special) => {
        // names with special characters: refused by every method
        const stack = new Stack(new App(), 'Stack');
        const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { readAllParameters: false });
        if (/[*?$]/.test(special)) {
          expect(() => profile.addSecret(secretsmanager.Secret.fromSecretNameV2(stack, 'S', `${secret}${special}`))).toThrow(/^addSecret: /);
          expect(() => profile.addParameter(ssm.StringParameter.fromStringParameterName(stack, 'P', `/p/${special}`))).toThrow(/^addParameter: /);
          expect(() => profile.addContainerRepository(ecr.Repository.fromRepositoryName(stack, 'R', `${repository}${special}`)))
            .toThrow(/^addContainerRepository: /);
        }

        // valid names: allowed exactly, the neighbours denied
        const { permissions } = build((p, s) => {
          p.addSecret(secretsmanager.Secret.fromSecretNameV2(s, 'S', secret));
          p.addParameter(ssm.StringParameter.fromStringParameterName(s, 'P', `/${parameter}`));
          p.addContainerRepository(ecr.Repository.fromRepositoryName(s, 'R', repository));
        });
        expect(await permissions.decide('secretsmanager:GetSecretValue', SECRET(`${secret}-AbCdEf`), CONTEXT)).toBe('Allowed');
        expect(await permissions.decide('secretsmanager:GetSecretValue', SECRET(`${secret}x-AbCdEf`), CONTEXT)).not.toBe('Allowed');
        expect(await permissions.decide('ssm:GetParameter', PARAMETER(parameter), CONTEXT)).toBe('Allowed');
        expect(await permissions.decide('ssm:GetParameter', PARAMETER(`${parameter}x`), CONTEXT)).not.toBe('Allowed');
        expect(await permissions.decide('ecr:PutImage', REPOSITORY(repository), CONTEXT)).toBe('Allowed');
        expect(await permissions.decide('ecr:PutImage', REPOSITORY(`${repository}/x`), CONTEXT)).not.toBe('Allowed');
      }), 15);
  });
});
