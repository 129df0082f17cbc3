/*
 * A profile with readAllParameters: false, a parameter and a secret (addParameter, addSecret) and a component
 * document that reads a parameter, deployed on moto's CloudFormation (`npx projen test:deploy`), then read back
 * through the IAM API: the managed policies attached to the role and the statements of the construct's own
 * policy. Every resource type of this stack is deployed. The secret is imported by name: moto 5.2.5's
 * CloudFormation has no AWS::SecretsManager::Secret (it answers CreateStack with an internal error).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { deleteStack, DeployedStack, deployStack, templateOf, unbootstrappedSynthesizer } from './cloudformation';
import {
  attachedPolicyArns, customerManagedPolicyArns, inlinePolicies, managedPolicyStatements, NO_SUCH_ENTITY, normalizeStatement, sortStatements,
} from './iam';
import { useMoto } from './moto';
import { ImageBuilderInstanceProfile } from '../../src';
import { bashDocument } from '../helpers/component-documents';

jest.setTimeout(60_000);

// moto's account and region
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const ROLE_NAME = 'ParametersRole';

const app = new App();
const stack = new Stack(app, 'ImageBuilderParameters', { synthesizer: unbootstrappedSynthesizer() });
const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { roleName: ROLE_NAME, readAllParameters: false });
const parameter = new ssm.StringParameter(stack, 'Version', { parameterName: '/team/app/version', stringValue: '1.0.0' });
const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Db', 'prod/db');
profile.addParameter(parameter);
profile.addSecret(secret);
profile.addComponentData(bashDocument('configure', 'echo {{ aws:ssm:/team/region }}'));
const policyId = stack.getLogicalId(profile.node.findChild('Policy').node.defaultChild as CfnElement);

let cfn: CloudFormationClient;
let iam: IAMClient;
let deployed: DeployedStack | undefined;
useMoto(clients => ({ cfn, iam } = clients));

function stackDeployed(): DeployedStack {
  if (!deployed) {
    throw new Error('the stack was not deployed');
  }
  return deployed;
}

test('reaches CREATE_COMPLETE', async () => {
  deployed = await deployStack(cfn, stack.stackName, templateOf(app, stack.stackName));

  expect(deployed.physicalIds[stack.getLogicalId(profile.role.node.defaultChild as CfnElement)]).toBe(ROLE_NAME);
});

test('the role holds AmazonSSMManagedEC2InstanceDefaultPolicy, not AmazonSSMManagedInstanceCore, and the construct\'s own policy', async () => {
  const attached = await attachedPolicyArns(iam, ROLE_NAME);

  expect(attached.sort()).toEqual([
    'arn:aws:iam::aws:policy/AmazonSSMManagedEC2InstanceDefaultPolicy',
    'arn:aws:iam::aws:policy/EC2InstanceProfileForImageBuilder',
    stackDeployed().physicalIds[policyId],
  ].sort());
  expect(await inlinePolicies(iam, ROLE_NAME)).toEqual({});
});

test('the construct\'s policy reads exactly the parameters and the secret, and nothing else', async () => {
  // a secret known by name: any of the six characters that Secrets Manager appends to its name
  const secretArn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db-??????`;

  const statements = await managedPolicyStatements(iam, stackDeployed().physicalIds[policyId]);

  expect(sortStatements(statements)).toEqual(sortStatements([
    {
      Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: [
        `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/team/app/version`,
        `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/aws/reference/secretsmanager/prod/db`,
        `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/team/region`,
      ],
    },
    { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn },
  ].map(normalizeStatement)));
});

test('deleting the stack removes the role and the construct\'s policy', async () => {
  await deleteStack(cfn, stackDeployed());
  deployed = undefined;

  await expect(iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }))).rejects.toMatchObject(NO_SUCH_ENTITY);
  expect(await customerManagedPolicyArns(iam)).toEqual([]);
});

