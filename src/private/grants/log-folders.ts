import { Stack } from 'aws-cdk-lib';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { IConstruct } from 'constructs';
import { flattenCfnReference } from '../nag';

/** The S3 log folder of an infrastructure configuration, as flat text (see flattenCfnReference). */
export interface LogFolder {
  /** the infrastructure configuration's path */
  readonly configuration: string;
  readonly bucket: string;
  readonly prefix: string;
}

/**
 * The S3 log folders of the infrastructure configurations of `profile`'s stack that name it (its
 * `instanceProfileName`), where Image Builder writes the logs of the builds.
 */
export function logFoldersOf(profile: IConstruct, instanceProfileName: string): LogFolder[] {
  const stack = Stack.of(profile);
  const name = JSON.stringify(stack.resolve(instanceProfileName));
  const folders: LogFolder[] = [];
  for (const construct of stack.node.findAll()) {
    if (!(construct instanceof imagebuilder.CfnInfrastructureConfiguration) || construct.logging === undefined
      || JSON.stringify(stack.resolve(construct.instanceProfileName)) !== name) {
      continue;
    }
    const s3Logs = stack.resolve(construct.logging)?.s3Logs;
    if (s3Logs?.s3BucketName !== undefined) {
      folders.push({
        configuration: construct.node.path,
        bucket: flattenCfnReference(s3Logs.s3BucketName),
        prefix: flattenCfnReference(s3Logs.s3KeyPrefix).replace(/\/+$/, ''),
      });
    }
  }
  return folders;
}

/**
 * The log folder that a statement's resource (flat text of an object ARN pattern) lies in, when it does: the
 * same bucket (by its reference or its literal name), and a key that starts with the folder's prefix.
 */
export function logFolderOf(resource: string, folders: readonly LogFolder[]): LogFolder | undefined {
  return folders.find(folder => {
    const ref = /^<([^.>]+)>$/.exec(folder.bucket);
    const objects = ref ? `<${ref[1]}.Arn>/` : `:::${folder.bucket}/`;
    const at = resource.indexOf(objects);
    if (at < 0 || (ref && at !== 0)) {
      return false;
    }
    const key = resource.slice(at + objects.length);
    return folder.prefix === '' || key === folder.prefix || key.startsWith(`${folder.prefix}/`) || key.startsWith(`${folder.prefix}*`);
  });
}
