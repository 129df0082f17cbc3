/*
 * What the AWS-managed Image Builder components need beyond EC2InstanceProfileForImageBuilder and
 * AmazonSSMManagedInstanceCore, as AWS documents it: each row names the components, what they call and on which
 * resources, and the AWS page it comes from. AWS documents these needs in prose only (the user guide's list of
 * managed components, repeated in each component's description); where the prose is vague, a row's note says what
 * was assumed. aws-managed-component-statements.ts turns a row into IAM statements and into the requests that
 * ComponentAccessChecks evaluates.
 */

/**
 * The resource of a need, in the account of the profile's stack and each region where the profile builds:
 * - `volume`, `network-interface`, `subnet`, `security-group`: any of that kind;
 * - `build-instance`: the instance that makes the call, and no other (the target of an attach or of a tag);
 * - `instance`: any instance of the region (ssm:SendCommand to the instances, as AWS documents it);
 * - `ssm-document`: the AWS-owned Systems Manager document named by `name`;
 * - `s3-bucket-objects`: every object of the AWS-owned bucket whose name is `name` followed by the region;
 * - `any`: '*', only for actions that have no resource-level permission.
 */
export type ResourceKind = 'volume' | 'network-interface' | 'subnet' | 'security-group' | 'build-instance' | 'instance'
| 'ssm-document' | 's3-bucket-objects' | 'any';

/** Actions that a component calls on one kind of resource. */
export interface ComponentNeed {
  readonly actions: readonly string[];
  readonly resource: ResourceKind;
  /** the document name for `ssm-document`, the bucket name's prefix (before the region) for `s3-bucket-objects` */
  readonly name?: string;
  /** for ec2:CreateTags: the create calls that tag what they create (the ec2:CreateAction condition) */
  readonly createActions?: readonly string[];
}

/** The needs of one or more AWS-managed components (the platform variants of one component). */
export interface AwsManagedComponentRow {
  /** the components' names as AWS writes them in their ARNs */
  readonly names: readonly string[];
  readonly needs: readonly ComponentNeed[];
  /** AWS managed policies that AWS says the components require, attached only for them */
  readonly managedPolicies?: readonly string[];
  /** the AWS page that documents the needs */
  readonly source: string;
  /** what the documentation leaves open and was assumed */
  readonly assumed?: string;
}

// the user guide's list of AWS-managed components, whose descriptions each component also carries (aws imagebuilder
// get-component); the alpha's AmazonManagedComponent docs and cdk-proserve-lib's Ec2ImagePipeline repeat them
const MANAGED_COMPONENTS_PAGE = 'https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-managed-components.html';

export const AWS_MANAGED_COMPONENT_NEEDS: readonly AwsManagedComponentRow[] = [
  {
    names: ['ebs-volume-usage-test-linux', 'ebs-volume-usage-test-windows'],
    needs: [
      { actions: ['ec2:CreateVolume'], resource: 'volume' },
      { actions: ['ec2:CreateTags'], resource: 'volume', createActions: ['CreateVolume'] },
      { actions: ['ec2:AttachVolume', 'ec2:DetachVolume', 'ec2:DeleteVolume'], resource: 'volume' },
      { actions: ['ec2:AttachVolume', 'ec2:DetachVolume'], resource: 'build-instance' },
      { actions: ['ec2:DescribeVolumes'], resource: 'any' },
    ],
    source: MANAGED_COMPONENTS_PAGE,
    assumed: 'the test volume is tagged as it is created (CreateVolume with tag specifications), and attached to the '
      + 'build instance itself; the documentation names ec2:CreateTags without saying on what',
  },
  {
    names: ['eni-attachment-test-linux', 'eni-attachment-test-windows'],
    needs: [
      { actions: ['ec2:CreateNetworkInterface'], resource: 'network-interface' },
      { actions: ['ec2:CreateNetworkInterface'], resource: 'subnet' },
      { actions: ['ec2:CreateNetworkInterface'], resource: 'security-group' },
      { actions: ['ec2:CreateTags'], resource: 'network-interface', createActions: ['CreateNetworkInterface'] },
      { actions: ['ec2:AttachNetworkInterface', 'ec2:DetachNetworkInterface', 'ec2:DeleteNetworkInterface'], resource: 'network-interface' },
      { actions: ['ec2:AttachNetworkInterface', 'ec2:DetachNetworkInterface'], resource: 'build-instance' },
      { actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeNetworkInterfaceAttribute'], resource: 'any' },
    ],
    source: MANAGED_COMPONENTS_PAGE,
    assumed: 'the interface is created in a subnet and security groups of the account, tagged as it is created, and '
      + 'attached to the build instance itself; the documentation names ec2:CreateTags without saying on what',
  },
  {
    names: ['inspector-test-linux', 'inspector-test-windows'],
    needs: [
      { actions: ['ssm:SendCommand'], resource: 'ssm-document', name: 'AmazonInspector-ManageAWSAgent' },
      { actions: ['ssm:SendCommand'], resource: 'instance' },
      { actions: ['ec2:CreateTags'], resource: 'build-instance' },
    ],
    managedPolicies: ['AmazonInspectorFullAccess'],
    source: MANAGED_COMPONENTS_PAGE,
    assumed: 'the component installs the Inspector agent with the AmazonInspector-ManageAWSAgent document, and tags the build '
      + 'instance itself for its assessment target; the documentation names ssm:SendCommand and ec2:CreateTags without saying '
      + 'on what. ssm:SendCommand cannot be limited to the calling instance (its instance resource has no condition key that '
      + 'names it), so it is allowed on the instances of the region, as for the Distributor components',
  },
  {
    names: ['distributor-package-windows', 'aws-vss-components-windows'],
    needs: [
      { actions: ['ssm:SendCommand'], resource: 'ssm-document', name: 'AWS-ConfigureAWSPackage' },
      { actions: ['ssm:SendCommand'], resource: 'instance' },
      { actions: ['ssm:GetCommandInvocation'], resource: 'any' },
    ],
    source: 'https://docs.aws.amazon.com/imagebuilder/latest/userguide/mgdcomponent-distributor-win.html',
  },
  {
    names: [
      'stig-build-linux', 'stig-build-linux-high', 'stig-build-linux-medium', 'stig-build-linux-low',
      'stig-build-windows', 'stig-build-windows-high', 'stig-build-windows-medium', 'stig-build-windows-low',
      'scap-compliance-checker-linux', 'scap-compliance-checker-windows',
    ],
    needs: [
      { actions: ['s3:GetObject'], resource: 's3-bucket-objects', name: 'aws-windows-downloads-' },
    ],
    source: 'https://docs.aws.amazon.com/imagebuilder/latest/userguide/ib-stig.html',
    assumed: 'the STIG page names the bucket for stig-build-linux (aws/ec2-image-builder-roadmap#115); the Windows STIG and '
      + 'the SCAP components are taken to download their tools from the same bucket',
  },
];

// AWS-managed components whose descriptions (which each component carries, and which cdklabs/cdk-proserve-lib's
// Ec2ImagePipeline.Component repeats) name no permission beyond the instance profile's managed policies, where the
// descriptions of the components above do: taken at AWS's word, as the rows above are
export const AWS_MANAGED_COMPONENTS_WITHOUT_NEEDS: readonly string[] = [
  'amazon-cloudwatch-agent-linux', 'amazon-cloudwatch-agent-windows', 'amazon-corretto-11', 'amazon-corretto-11-apt-generic',
  'amazon-corretto-11-headless', 'amazon-corretto-11-rpm-generic', 'amazon-corretto-11-windows', 'amazon-corretto-17-headless',
  'amazon-corretto-17-jdk', 'amazon-corretto-17-jre', 'amazon-corretto-17-windows', 'amazon-corretto-21-headless',
  'amazon-corretto-21-jdk', 'amazon-corretto-21-jre', 'amazon-corretto-21-windows', 'amazon-corretto-8-apt-generic',
  'amazon-corretto-8-jdk', 'amazon-corretto-8-jre', 'amazon-corretto-8-rpm-generic', 'amazon-corretto-8-windows',
  'amazon-kinesis-agent-windows', 'anaconda-windows', 'apache-tomcat-9-linux', 'apt-repository-test-linux', 'aws-cli-version-2-linux',
  'aws-cli-version-2-windows', 'aws-codedeploy-agent-linux', 'aws-codedeploy-agent-windows', 'chocolatey',
  'chrony-time-configuration-test', 'dcv-server-linux', 'dcv-server-windows', 'docker-ce-centos', 'docker-ce-linux', 'docker-ce-ubuntu',
  'dotnet-desktop-runtime-lts-windows', 'dotnet-hosting-bundle-lts-windows', 'dotnet-runtime-lts-linux', 'dotnet-runtime-lts-windows',
  'dotnet-sdk-lts-linux', 'dotnet-sdk-lts-windows', 'ec2-network-route-test-windows', 'ec2launch-v2-windows', 'ecs-optimized-ami-windows',
  'eks-optimized-ami-windows', 'go-stable-linux', 'go-stable-windows', 'hello-world-linux', 'hello-world-windows',
  'install-package-from-repository', 'mariadb-linux', 'mate-de-linux', 'mono-linux', 'php-8_2-linux', 'powershell-lts-linux',
  'powershell-lts-windows', 'powershell-snap', 'powershell-yum', 'PuTTY', 'python-3-linux', 'python-3-windows', 'reboot-linux',
  'reboot-test-linux', 'reboot-test-windows', 'reboot-windows', 'simple-boot-test-linux', 'simple-boot-test-windows', 'update-linux',
  'update-linux-kernel-5', 'update-linux-kernel-ml', 'update-windows', 'validate-single-ssh-public-key-test-linux',
  'validate-ssh-host-key-generation-linux', 'validate-ssh-public-key-linux', 'windows-activation-test',
  'windows-is-ready-with-password-generation-test', 'windows-server-iis', 'yum-repository-test-linux',
];

/** What AWS documents for an AWS-managed component: its row, `'none'` when it needs nothing more, undefined when not known. */
export function awsManagedComponentNeeds(componentName: string): AwsManagedComponentRow | 'none' | undefined {
  const row = AWS_MANAGED_COMPONENT_NEEDS.find(r => r.names.includes(componentName));
  if (row) {
    return row;
  }
  return AWS_MANAGED_COMPONENTS_WITHOUT_NEEDS.includes(componentName) ? 'none' : undefined;
}

/**
 * The name of the AWS-managed component that an ARN names (`arn:<partition>:imagebuilder:<region>:aws:component/<name>`,
 * with or without a version), given as cdk-nag flattens a resolved value: `<AWS::Region>` for a token; undefined for
 * any other ARN.
 */
export function awsManagedComponentName(flattenedArn: string): string | undefined {
  const match = /^arn:(?:<[^>]*>|[^:]*):imagebuilder:(?:<[^>]*>|[^:]*):aws:component\/([^/]+)(?:\/[^/]*)?(?:\/\d+)?$/.exec(flattenedArn);
  return match?.[1];
}
