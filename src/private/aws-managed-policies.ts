/*
 * The documents of the AWS managed policies that ImageBuilderInstanceProfile attaches or may attach, as IAM's
 * GetPolicyVersion returns them (the statement ids of AmazonSSMManagedEC2InstanceDefaultPolicy left out), so that
 * synthesis-time checks can evaluate them. AWS changes these documents from time to time: refresh the copies in
 * test/fixtures and here together; test/private/aws-managed-policies.test.ts fails while they differ.
 */

/** A version of an AWS managed policy document. */
export interface AwsManagedPolicyDocument {
  readonly versionId: string;
  readonly createDate: string;
  readonly statements: readonly any[];
}

export const AWS_MANAGED_POLICIES: Readonly<Record<string, AwsManagedPolicyDocument>> = {
  AmazonSSMManagedInstanceCore: {
    versionId: 'v2',
    createDate: '2019-05-23T16:54:21Z',
    statements: [
      {
        Action: [
          'ssm:DescribeAssociation',
          'ssm:GetDeployablePatchSnapshotForInstance',
          'ssm:GetDocument',
          'ssm:DescribeDocument',
          'ssm:GetManifest',
          'ssm:GetParameter',
          'ssm:GetParameters',
          'ssm:ListAssociations',
          'ssm:ListInstanceAssociations',
          'ssm:PutInventory',
          'ssm:PutComplianceItems',
          'ssm:PutConfigurePackageResult',
          'ssm:UpdateAssociationStatus',
          'ssm:UpdateInstanceAssociationStatus',
          'ssm:UpdateInstanceInformation',
        ],
        Resource: '*',
        Effect: 'Allow',
      },
      {
        Action: [
          'ssmmessages:CreateControlChannel',
          'ssmmessages:CreateDataChannel',
          'ssmmessages:OpenControlChannel',
          'ssmmessages:OpenDataChannel',
        ],
        Resource: '*',
        Effect: 'Allow',
      },
      {
        Action: [
          'ec2messages:AcknowledgeMessage',
          'ec2messages:DeleteMessage',
          'ec2messages:FailMessage',
          'ec2messages:GetEndpoint',
          'ec2messages:GetMessages',
          'ec2messages:SendReply',
        ],
        Resource: '*',
        Effect: 'Allow',
      },
    ],
  },
  AmazonSSMManagedEC2InstanceDefaultPolicy: {
    versionId: 'v2',
    createDate: '2024-07-16T00:00:00Z',
    statements: [
      {
        Action: [
          'ssm:DescribeAssociation',
          'ssm:GetDeployablePatchSnapshotForInstance',
          'ssm:GetDocument',
          'ssm:DescribeDocument',
          'ssm:GetManifest',
          'ssm:ListAssociations',
          'ssm:ListInstanceAssociations',
          'ssm:PutInventory',
          'ssm:PutComplianceItems',
          'ssm:PutConfigurePackageResult',
          'ssm:UpdateAssociationStatus',
          'ssm:UpdateInstanceAssociationStatus',
          'ssm:UpdateInstanceInformation',
        ],
        Resource: '*',
        Effect: 'Allow',
      },
      {
        Action: [
          'ssmmessages:CreateControlChannel',
          'ssmmessages:CreateDataChannel',
          'ssmmessages:OpenControlChannel',
          'ssmmessages:OpenDataChannel',
        ],
        Resource: '*',
        Effect: 'Allow',
      },
      {
        Action: [
          'ec2messages:AcknowledgeMessage',
          'ec2messages:DeleteMessage',
          'ec2messages:FailMessage',
          'ec2messages:GetEndpoint',
          'ec2messages:GetMessages',
          'ec2messages:SendReply',
        ],
        Resource: '*',
        Effect: 'Allow',
      },
    ],
  },
  EC2InstanceProfileForImageBuilder: {
    versionId: 'v12',
    createDate: '2026-02-12T17:58:59Z',
    statements: [
      {
        Action: [
          'ec2:DescribeVolumes',
          'ec2:DescribeSnapshots',
        ],
        Resource: '*',
        Effect: 'Allow',
      },
      {
        Action: [
          'ec2:CreateSnapshot',
        ],
        Resource: [
          'arn:aws:ec2:*:*:snapshot/*',
        ],
        Effect: 'Allow',
        Condition: {
          StringEquals: {
            'aws:RequestTag/CreatedBy': 'EC2 Image Builder',
          },
        },
      },
      {
        Action: [
          'ec2:CreateSnapshot',
        ],
        Resource: [
          'arn:aws:ec2:*:*:volume/*',
        ],
        Effect: 'Allow',
        Condition: {
          StringEquals: {
            'aws:ResourceTag/CreatedBy': 'EC2 Image Builder',
          },
        },
      },
      {
        Action: [
          'ec2:CreateTags',
        ],
        Resource: '*',
        Effect: 'Allow',
        Condition: {
          StringEquals: {
            'aws:RequestTag/CreatedBy': [
              'EC2 Image Builder',
            ],
            'ec2:CreateAction': 'CreateSnapshot',
          },
        },
      },
      {
        Action: [
          's3:GetObject',
        ],
        Resource: [
          'arn:aws:s3:::*/*.ISO',
          'arn:aws:s3:::*/*.iso',
          'arn:aws:s3:::*/*.Iso',
        ],
        Effect: 'Allow',
        Condition: {
          StringEquals: {
            's3:ResourceAccount': '${aws:PrincipalAccount}',
          },
        },
      },
      {
        Action: [
          'imagebuilder:GetComponent',
          'imagebuilder:GetMarketplaceResource',
        ],
        Resource: '*',
        Effect: 'Allow',
      },
      {
        Action: [
          'kms:Decrypt',
        ],
        Resource: '*',
        Effect: 'Allow',
        Condition: {
          'ForAnyValue:StringEquals': {
            'kms:EncryptionContextKeys': 'aws:imagebuilder:arn',
            'aws:CalledVia': [
              'imagebuilder.amazonaws.com',
            ],
          },
        },
      },
      {
        Action: [
          's3:GetObject',
        ],
        Resource: 'arn:aws:s3:::ec2imagebuilder*',
        Effect: 'Allow',
      },
      {
        Action: [
          'logs:CreateLogStream',
          'logs:CreateLogGroup',
          'logs:PutLogEvents',
        ],
        Resource: 'arn:aws:logs:*:*:log-group:/aws/imagebuilder/*',
        Effect: 'Allow',
      },
    ],
  },
  EC2InstanceProfileForImageBuilderECRContainerBuilds: {
    versionId: 'v1',
    createDate: '2020-12-11T19:48:15Z',
    statements: [
      {
        Action: [
          'imagebuilder:GetComponent',
          'imagebuilder:GetContainerRecipe',
          'ecr:GetAuthorizationToken',
          'ecr:BatchGetImage',
          'ecr:InitiateLayerUpload',
          'ecr:UploadLayerPart',
          'ecr:CompleteLayerUpload',
          'ecr:BatchCheckLayerAvailability',
          'ecr:GetDownloadUrlForLayer',
          'ecr:PutImage',
        ],
        Resource: '*',
        Effect: 'Allow',
      },
      {
        Action: [
          'kms:Decrypt',
        ],
        Resource: '*',
        Effect: 'Allow',
        Condition: {
          'ForAnyValue:StringEquals': {
            'kms:EncryptionContextKeys': 'aws:imagebuilder:arn',
            'aws:CalledVia': [
              'imagebuilder.amazonaws.com',
            ],
          },
        },
      },
      {
        Action: [
          's3:GetObject',
        ],
        Resource: 'arn:aws:s3:::ec2imagebuilder*',
        Effect: 'Allow',
      },
      {
        Action: [
          'logs:CreateLogStream',
          'logs:CreateLogGroup',
          'logs:PutLogEvents',
        ],
        Resource: 'arn:aws:logs:*:*:log-group:/aws/imagebuilder/*',
        Effect: 'Allow',
      },
    ],
  },
};
