/*
 * The profile in one stack, what uses its name in another (`npx projen test:deploy` runs it on moto).
 *
 * The consumer holds an Image Builder infrastructure configuration, the real user of the name, which is
 * checked in the synthesized template but left out of the deployed one: moto 5.2.5 has no Image Builder,
 * and its CloudFormation would skip AWS::ImageBuilder::InfrastructureConfiguration silently. What is
 * deployed and read back instead: an AWS::IAM::ManagedPolicy that allows iam:GetInstanceProfile on the
 * profile looked up by name (ImageBuilderInstanceProfile.fromInstanceProfileName), readable with the IAM
 * API, and an output with the name.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetInstanceProfileCommand, GetPolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { App, CfnElement, CfnOutput, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import {
  deleteStack, DeployedStack, deployStack, exportsByName, templateOf, unbootstrappedSynthesizer, withoutResourceTypes,
} from './cloudformation';
import { managedPolicyStatements, NO_SUCH_ENTITY, normalizeStatement } from './iam';
import { useMoto } from './moto';
import { ImageBuilderInstanceProfile } from '../../src';

jest.setTimeout(60_000);

const NOT_IN_MOTO = ['AWS::ImageBuilder::InfrastructureConfiguration'];
const env = { account: '123456789012', region: 'us-east-1' };

const app = new App();
const producer = new Stack(app, 'ImageBuilderProfile', { env, synthesizer: unbootstrappedSynthesizer() });
// no names: the consumer must get the name CloudFormation generates
const profile = new ImageBuilderInstanceProfile(producer, 'Profile');

const consumer = new Stack(app, 'ImageBuilderPipeline', { env, synthesizer: unbootstrappedSynthesizer() });
const infrastructure = new imagebuilder.CfnInfrastructureConfiguration(consumer, 'Infrastructure', {
  name: 'pipeline-infrastructure',
  instanceProfileName: profile.instanceProfileName,
});
const byName = ImageBuilderInstanceProfile.fromInstanceProfileName(consumer, 'ByName', profile.instanceProfileName);
const operator = new iam.ManagedPolicy(consumer, 'Operator', {
  statements: [new iam.PolicyStatement({ actions: ['iam:GetInstanceProfile'], resources: [byName.instanceProfileArn] })],
});
new CfnOutput(consumer, 'ProfileName', { value: profile.instanceProfileName });

const profileId = producer.getLogicalId(profile.instanceProfile.node.defaultChild as CfnElement);
const producerTemplate = templateOf(app, producer.stackName);
const consumerTemplate = templateOf(app, consumer.stackName);

describe('the synthesized templates', () => {
  test('the producer exports the profile name and the consumer imports it', () => {
    const exported = Object.values(producerTemplate.Outputs ?? {}).filter(o => o.Export);
    expect(exported).toEqual([{ Value: { Ref: profileId }, Export: { Name: expect.any(String) } }]);
    const importValue = { 'Fn::ImportValue': exported[0].Export!.Name };

    expect(consumerTemplate.Resources[consumer.getLogicalId(infrastructure)].Properties.InstanceProfileName).toEqual(importValue);
    expect(consumerTemplate.Outputs?.ProfileName.Value).toEqual(importValue);
    expect(JSON.stringify(consumerTemplate.Resources[consumer.getLogicalId(operator.node.defaultChild as CfnElement)]))
      .toContain(JSON.stringify(importValue));
  });

  test('the consumer stack depends on the producer stack, so it is deployed after it', () => {
    expect(consumer.dependencies).toEqual([producer]);
  });
});

describe('deployed in order', () => {
  let cfn: CloudFormationClient;
  let iamApi: IAMClient;
  let deployedProducer: DeployedStack | undefined;
  let deployedConsumer: DeployedStack | undefined;
  useMoto(clients => ({ cfn, iam: iamApi } = clients));

  test('the producer reaches CREATE_COMPLETE and exports the name of the profile it created', async () => {
    deployedProducer = await deployStack(cfn, producer.stackName, producerTemplate);
    const profileName = deployedProducer.physicalIds[profileId];

    const { InstanceProfile: created } = await iamApi.send(new GetInstanceProfileCommand({ InstanceProfileName: profileName }));
    expect(created?.InstanceProfileName).toBe(profileName);
    const exportName = Object.values(producerTemplate.Outputs ?? {}).find(o => o.Export)!.Export!.Name;
    expect((await exportsByName(cfn))[exportName]).toEqual({ value: profileName, stackId: deployedProducer.stackId });
  });

  test('the consumer reaches CREATE_COMPLETE and gets the profile name', async () => {
    expect(deployedProducer).toBeDefined();
    const profileName = deployedProducer!.physicalIds[profileId];

    deployedConsumer = await deployStack(cfn, consumer.stackName, withoutResourceTypes(consumerTemplate, NOT_IN_MOTO));

    expect(deployedConsumer.outputs.ProfileName).toBe(profileName);
    const policyArn = deployedConsumer.physicalIds[consumer.getLogicalId(operator.node.defaultChild as CfnElement)];
    expect(await managedPolicyStatements(iamApi, policyArn)).toEqual([normalizeStatement({
      Effect: 'Allow',
      Action: 'iam:GetInstanceProfile',
      Resource: `arn:aws:iam::123456789012:instance-profile/${profileName}`,
    })]);
  });

  test('deleting the consumer, then the producer, removes the policy, the export and the profile', async () => {
    expect(deployedConsumer).toBeDefined();
    const profileName = deployedProducer!.physicalIds[profileId];
    const policyArn = deployedConsumer!.physicalIds[consumer.getLogicalId(operator.node.defaultChild as CfnElement)];

    await deleteStack(cfn, deployedConsumer!);
    await expect(iamApi.send(new GetPolicyCommand({ PolicyArn: policyArn }))).rejects.toMatchObject(NO_SUCH_ENTITY);
    await deleteStack(cfn, deployedProducer!);

    expect(Object.values(await exportsByName(cfn))).toEqual([]);
    await expect(iamApi.send(new GetInstanceProfileCommand({ InstanceProfileName: profileName })))
      .rejects.toMatchObject(NO_SUCH_ENTITY);
  });
});
