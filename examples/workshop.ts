import { App, Stack, StackProps } from 'aws-cdk-lib';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ImageBuilderInstanceProfile } from '../src';

/**
 * The EC2 Image Builder workshop's "EC2 Instance Profile" step, as code: a profile named TeamRole whose
 * instances read component artifacts from one folder and write build logs to another, used by an
 * infrastructure configuration.
 */
export class WorkshopStack extends Stack {
  public readonly profile: ImageBuilderInstanceProfile;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const bucket = new s3.Bucket(this, 'ImageBuilderBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
    });

    this.profile = new ImageBuilderInstanceProfile(this, 'TeamRole', {
      roleName: 'TeamRole',
      artifactLocations: [{ bucket, keyPrefix: 'components' }],
      logLocation: { bucket, keyPrefix: 'logs' },
    });

    new imagebuilder.CfnInfrastructureConfiguration(this, 'Infrastructure', {
      name: 'workshop-infrastructure',
      instanceProfileName: this.profile.instanceProfileName,
      instanceTypes: ['t3.medium'],
      logging: { s3Logs: { s3BucketName: bucket.bucketName, s3KeyPrefix: 'logs' } },
      terminateInstanceOnFailure: true,
    });
  }
}

if (require.main === module) {
  const app = new App();
  const stack = new WorkshopStack(app, 'ImageBuilderWorkshop');
  const template = app.synth().getStackArtifact(stack.artifactId).template;
  process.stdout.write(`${JSON.stringify(template, null, 2)}\n`);
}
