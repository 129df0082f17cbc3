import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListExportsCommand,
  ListStackResourcesCommand,
  Stack as CfnStack,
  StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { App, DefaultStackSynthesizer } from 'aws-cdk-lib';
import { sleep } from './moto';

/** A synthesized CloudFormation template. */
export interface Template {
  Resources: Record<string, { Type: string; Properties?: any; DependsOn?: string | string[]; [key: string]: any }>;
  Outputs?: Record<string, { Value: any; Export?: { Name: any } }>;
  Parameters?: Record<string, any>;
  Rules?: Record<string, any>;
  [key: string]: any;
}

/** A stack that reached CREATE_COMPLETE. */
export interface DeployedStack {
  readonly stackId: string;
  readonly stackName: string;
  /** Physical ids by logical id. */
  readonly physicalIds: Record<string, string>;
  /** Output values by output key. */
  readonly outputs: Record<string, string>;
}

/** Bounds of every wait: the count of requests and the time. */
export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
}

const MAX_PAGES = 50;

/**
 * The default synthesizer without the BootstrapVersion parameter and CheckBootstrapVersion rule: the
 * template is otherwise what `cdk deploy` sends, and it needs no bootstrapped account.
 */
export function unbootstrappedSynthesizer(): DefaultStackSynthesizer {
  return new DefaultStackSynthesizer({ generateBootstrapVersionRule: false });
}

/**
 * The template of a stack of the app, as a copy that may be changed.
 */
export function templateOf(app: App, stackName: string): Template {
  return JSON.parse(JSON.stringify(app.synth().getStackByName(stackName).template));
}

/**
 * A copy of the template without the resources of the given types, for types that moto's CloudFormation
 * does not implement. A removed resource that something still refers to is an error rather than a
 * template that deploys something else.
 */
export function withoutResourceTypes(template: Template, types: readonly string[]): Template {
  const copy: Template = JSON.parse(JSON.stringify(template));
  const removed = Object.keys(copy.Resources).filter(id => types.includes(copy.Resources[id].Type));
  for (const id of removed) {
    delete copy.Resources[id];
  }
  const references = removed.filter(id => refersTo({ Resources: copy.Resources, Outputs: copy.Outputs, Conditions: copy.Conditions }, id));
  if (references.length > 0) {
    throw new Error(`cannot leave out ${references.join(', ')}: the rest of the template refers to them`);
  }
  return copy;
}

/**
 * Creates the stack and waits for CREATE_COMPLETE; fails with the stack's events otherwise, or when
 * a resource of the template was not created (moto skips types it does not implement, silently).
 */
export async function deployStack(cfn: CloudFormationClient, stackName: string, template: Template,
  options: WaitOptions = {}): Promise<DeployedStack> {
  if (template.Parameters?.BootstrapVersion || template.Rules?.CheckBootstrapVersion) {
    throw new Error(`${stackName}: synthesize with unbootstrappedSynthesizer(); the template checks a bootstrap version`);
  }
  let stackId: string | undefined;
  try {
    const created = await cfn.send(new CreateStackCommand({
      StackName: stackName,
      TemplateBody: JSON.stringify(template),
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    }));
    stackId = created.StackId!;
  } catch (error) {
    throw new Error(`CreateStack ${stackName} failed: ${String(error)}${await eventsOf(cfn, stackName)}`);
  }

  const stack = await waitForSettled(cfn, stackId, options);
  if (stack?.StackStatus !== 'CREATE_COMPLETE') {
    throw new Error(`${stackName} is ${stack?.StackStatus ?? 'gone'} (${stack?.StackStatusReason ?? 'no reason given'})`
      + `${await eventsOf(cfn, stackId)}`);
  }

  const resources = await stackResources(cfn, stackId);
  const physicalIds: Record<string, string> = {};
  for (const r of resources) {
    if (r.LogicalResourceId && r.PhysicalResourceId && r.ResourceStatus === 'CREATE_COMPLETE') {
      physicalIds[r.LogicalResourceId] = r.PhysicalResourceId;
    }
  }
  const missing = Object.keys(template.Resources).filter(id => !(id in physicalIds));
  if (missing.length > 0) {
    throw new Error(`${stackName} is CREATE_COMPLETE but these resources were not created: `
      + `${missing.map(id => `${id} (${template.Resources[id].Type})`).join(', ')}; leave out types that moto does not implement`);
  }

  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    outputs[output.OutputKey!] = output.OutputValue!;
  }
  return { stackId, stackName, physicalIds, outputs };
}

/**
 * Deletes the stack and waits until it is gone; fails with the stack's events when it is not.
 */
export async function deleteStack(cfn: CloudFormationClient, stack: DeployedStack, options: WaitOptions = {}): Promise<void> {
  try {
    await cfn.send(new DeleteStackCommand({ StackName: stack.stackId }));
  } catch (error) {
    throw new Error(`DeleteStack ${stack.stackName} failed: ${String(error)}${await eventsOf(cfn, stack.stackId)}`);
  }
  const settled = await waitForSettled(cfn, stack.stackId, options);
  if (settled && settled.StackStatus !== 'DELETE_COMPLETE') {
    throw new Error(`${stack.stackName} is ${settled.StackStatus} (${settled.StackStatusReason ?? 'no reason given'})`
      + `${await eventsOf(cfn, stack.stackId)}`);
  }
}

/**
 * Every export of the region, by name.
 */
export async function exportsByName(cfn: CloudFormationClient): Promise<Record<string, { value: string; stackId: string }>> {
  const result: Record<string, { value: string; stackId: string }> = {};
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const response = await cfn.send(new ListExportsCommand({ NextToken: token }));
    for (const e of response.Exports ?? []) {
      result[e.Name!] = { value: e.Value!, stackId: e.ExportingStackId! };
    }
    token = response.NextToken;
    if (!token) {
      return result;
    }
  }
  throw new Error(`ListExports has more than ${MAX_PAGES} pages`);
}

/** The stack once it is no longer in progress, or undefined when it no longer exists. */
async function waitForSettled(cfn: CloudFormationClient, stackId: string, options: WaitOptions): Promise<CfnStack | undefined> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 250;
  const deadline = Date.now() + timeoutMs;
  const maxPolls = Math.ceil(timeoutMs / intervalMs) + 1;
  let last: CfnStack | undefined;
  for (let poll = 0; poll < maxPolls && Date.now() < deadline; poll++) {
    try {
      const response = await cfn.send(new DescribeStacksCommand({ StackName: stackId }));
      last = response.Stacks?.[0];
    } catch (error) {
      if (isStackMissing(error)) {
        return undefined;
      }
      throw error;
    }
    if (!last || !last.StackStatus?.endsWith('_IN_PROGRESS')) {
      return last;
    }
    await sleep(intervalMs);
  }
  throw new Error(`${last?.StackName ?? stackId} still ${last?.StackStatus} after ${timeoutMs} ms`);
}

async function stackResources(cfn: CloudFormationClient, stackId: string): Promise<StackResourceSummary[]> {
  const result: StackResourceSummary[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const response = await cfn.send(new ListStackResourcesCommand({ StackName: stackId, NextToken: token }));
    result.push(...response.StackResourceSummaries ?? []);
    token = response.NextToken;
    if (!token) {
      return result;
    }
  }
  throw new Error(`ListStackResources has more than ${MAX_PAGES} pages`);
}

/** The events of the stack, failures first, for an error message; never throws. */
async function eventsOf(cfn: CloudFormationClient, stack: string): Promise<string> {
  try {
    const response = await cfn.send(new DescribeStackEventsCommand({ StackName: stack }));
    const events = response.StackEvents ?? [];
    const failed = events.filter(e => e.ResourceStatus?.endsWith('_FAILED'));
    const lines = (failed.length > 0 ? failed : events).slice(0, 20).map(e =>
      `${e.LogicalResourceId} (${e.ResourceType}) ${e.ResourceStatus}: ${e.ResourceStatusReason ?? ''}`);
    return `\nstack events:\n  ${lines.join('\n  ')}`;
  } catch (error) {
    return `\n(no stack events: ${String(error)})`;
  }
}

function isStackMissing(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message);
}

function refersTo(value: unknown, id: string): boolean {
  if (Array.isArray(value)) {
    return value.some(v => refersTo(v, id));
  }
  if (value === null || typeof value !== 'object') {
    return false;
  }
  for (const [key, v] of Object.entries(value)) {
    if (key === 'Ref' && v === id) {
      return true;
    }
    if (key === 'Fn::GetAtt' && (Array.isArray(v) ? v[0] === id : String(v).split('.')[0] === id)) {
      return true;
    }
    if (key === 'DependsOn' && ([] as unknown[]).concat(v).includes(id)) {
      return true;
    }
    if (key === 'Fn::Sub' && new RegExp(`\\$\\{${id}(\\.[^}]*)?\\}`).test(JSON.stringify(v))) {
      return true;
    }
    if (refersTo(v, id)) {
      return true;
    }
  }
  return false;
}

/** Values of the pseudo parameters, for resolving a template locally. */
export interface PseudoParameters {
  readonly partition: string;
  readonly accountId?: string;
  readonly region?: string;
}

/**
 * The value with `Ref` to pseudo parameters and `Fn::Join` resolved, as CloudFormation would send it to
 * IAM. Anything else (a reference to a resource, another function) is an error.
 */
export function resolvePseudoParameters(value: unknown, pseudo: PseudoParameters): unknown {
  if (Array.isArray(value)) {
    return value.map(v => resolvePseudoParameters(v, pseudo));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0][0] === 'Ref') {
    const known: Record<string, string | undefined> = {
      'AWS::Partition': pseudo.partition,
      'AWS::AccountId': pseudo.accountId,
      'AWS::Region': pseudo.region,
    };
    const resolved = known[String(entries[0][1])];
    if (resolved === undefined) {
      throw new Error(`cannot resolve ${JSON.stringify(value)} locally`);
    }
    return resolved;
  }
  if (entries.length === 1 && entries[0][0] === 'Fn::Join') {
    const [separator, parts] = entries[0][1] as [string, unknown[]];
    return parts.map(p => resolvePseudoParameters(p, pseudo)).join(separator);
  }
  if (entries.length === 1 && entries[0][0].startsWith('Fn::')) {
    throw new Error(`cannot resolve ${JSON.stringify(value)} locally`);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolvePseudoParameters(v, pseudo)]));
}
