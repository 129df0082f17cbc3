import { AwsManagedComponentRow, ComponentNeed, ResourceKind } from './aws-managed-components';
import { concat, Hole, Text } from '../iam/text';

/** The partition, region and account that a row's resources are in: the profile's stack's. */
export interface ComponentScope<T> {
  readonly partition: T;
  readonly region: T;
  readonly account: T;
}

/** An Allow statement for one need of a row. */
export interface NeedStatement {
  readonly actions: string[];
  readonly resource: string;
  readonly conditions?: Record<string, Record<string, string | string[]>>;
  /** why a '*' of the resource is sound, for cdk-nag; naming the components */
  readonly wildcardReason?: string;
}

/** A request that a component makes, as the build instance sends it. */
export interface NeedRequest {
  readonly action: string;
  readonly resource: Text;
  /** the keys that the request carries beyond the principal's: the calling instance, the target instance, the create call */
  readonly context: Record<string, Text>;
}

// the ARN of the calling instance is the ARN of the target instance: ec2:InstanceID is the target's id, and
// ec2:SourceInstanceARN (which EC2 sets for calls with the credentials of an instance profile) the caller's
const SELF_CONDITION_KEY = 'ec2:SourceInstanceARN';
const TARGET_INSTANCE_ID = '${ec2:InstanceID}';

/** The statements that allow a row's needs, in `scope`: one a need and resource. */
export function needStatements(row: AwsManagedComponentRow, scope: ComponentScope<string>): NeedStatement[] {
  const components = row.names.join(', ');
  return row.needs.flatMap(need => {
    const conditions: Record<string, Record<string, string | string[]>> = {};
    if (need.resource === 'build-instance') {
      conditions.ArnEquals = { [SELF_CONDITION_KEY]: `arn:${scope.partition}:ec2:${scope.region}:${scope.account}:instance/${TARGET_INSTANCE_ID}` };
    }
    if (need.createActions) {
      conditions.StringEquals = { 'ec2:CreateAction': need.createActions.length === 1 ? need.createActions[0] : [...need.createActions] };
    }
    const resources = need.resource === 'ssm-document'
      // AWS writes the ARN of its own documents with no account, and some of its examples with the caller's: both, exactly
      ? [documentArn(need, scope, ''), documentArn(need, scope, scope.account)] as string[]
      : [resourceText(need, scope, '*') as string];
    return resources.map(resource => ({
      actions: [...need.actions],
      resource,
      conditions: Object.keys(conditions).length > 0 ? conditions : undefined,
      wildcardReason: resource.includes('*') ? wildcardReason(need, components) : undefined,
    }));
  });
}

/** The requests that a row's needs stand for, made by the build instance `instanceId` of `scope`. */
export function needRequests(row: AwsManagedComponentRow, scope: ComponentScope<Text>, instanceId: Hole): NeedRequest[] {
  const instanceArn = concat(['arn:', scope.partition, ':ec2:', scope.region, ':', scope.account, ':instance/', [instanceId]]);
  const requests: NeedRequest[] = [];
  for (const need of row.needs) {
    const resource = need.resource === 'build-instance' ? instanceArn
      // the request names an AWS-owned document with no account
      : need.resource === 'ssm-document' ? documentArn(need, scope, '')
        : resourceText(need, scope, [{ hole: `any ${need.resource}` }]);
    for (const action of need.actions) {
      const context: Record<string, Text> = {
        'aws:RequestedRegion': scope.region,
        ...action.startsWith('ec2:') ? { 'ec2:Region': scope.region, [SELF_CONDITION_KEY]: instanceArn } : {},
        ...need.resource === 'build-instance' ? { 'ec2:InstanceID': [instanceId] } : {},
      };
      for (const createAction of need.createActions ?? [undefined]) {
        requests.push({ action, resource, context: createAction ? { ...context, 'ec2:CreateAction': createAction } : context });
      }
    }
  }
  return requests;
}

/** The resource of a need, with `id` for the part that names one resource of its kind. */
function resourceText(need: ComponentNeed, scope: ComponentScope<Text>, id: Text): Text {
  const ec2 = (type: string) => concat(['arn:', scope.partition, ':ec2:', scope.region, ':', scope.account, `:${type}/`, id]);
  const kind: ResourceKind = need.resource;
  switch (kind) {
    case 'volume':
    case 'network-interface':
    case 'subnet':
    case 'security-group':
      return ec2(kind);
    case 'build-instance':
    case 'instance':
      return ec2('instance');
    case 'ssm-document':
      return documentArn(need, scope, '');
    case 's3-bucket-objects':
      return concat(['arn:', scope.partition, `:s3:::${need.name}`, scope.region, '/', id]);
    case 'any':
      return '*';
  }
}

/** An AWS-owned Systems Manager document of the region, with `account` in its ARN. */
function documentArn(need: ComponentNeed, scope: ComponentScope<Text>, account: Text): Text {
  return concat(['arn:', scope.partition, ':ssm:', scope.region, ':', account, `:document/${need.name}`]);
}

function wildcardReason(need: ComponentNeed, components: string): string {
  const calls = need.actions.join(', ');
  switch (need.resource) {
    case 'any':
      return `${calls} ${need.actions.length === 1 ? 'has' : 'have'} no resource-level permission: AWS accepts only "*" for `
        + `${need.actions.length === 1 ? 'it' : 'them'}; the AWS-managed components ${components} call ${need.actions.length === 1 ? 'it' : 'them'}.`;
    case 'build-instance':
      return `The AWS-managed components ${components} call ${calls} on the build instance itself, which is not known until it runs; `
        + `the ${SELF_CONDITION_KEY} condition limits the instances to the calling one.`;
    case 'instance':
      return `The AWS-managed components ${components} call ${calls} on the instances of the region, as AWS documents; the `
        + 'instance resource of ssm:SendCommand has no condition key that would limit it to the calling instance.';
    case 's3-bucket-objects':
      return `The AWS-managed components ${components} download their tools from this AWS-owned bucket of the region.`;
    case 'subnet':
    case 'security-group':
      return `The AWS-managed components ${components} create a network interface (${calls}) in a ${need.resource} of the `
        + 'build\'s, which is not known here; the resource is limited to the account and region.';
    default:
      return `The AWS-managed components ${components} create, use and delete a ${need.resource} of their own (${calls}), whose id `
        + 'is not known until the build runs; the resource is limited to the account and region.';
  }
}
