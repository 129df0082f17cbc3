import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { NagAcknowledgements } from '../nag';
import { ArnScope } from '../ssm-references';
import { KmsGrants } from './kms';

/**
 * What the grant modules need of the profile: its scope, its own policies (through `grant`), the KMS grants, cdk-nag
 * bookkeeping and warnings. The construct validates and orchestrates; each module turns a need into statements.
 */
export interface ProfileGrants {
  /** the profile */
  readonly scope: Construct;
  readonly nag: NagAcknowledgements;
  readonly kms: KmsGrants;
  /** allows `actions` on `resource` in the profile's own policies (a resource with BUILD_REGION in each build region) */
  grant(prop: string, actions: string[], resource: string, conditions?: Record<string, any>): iam.ManagedPolicy;
  /** throws when the role cannot take the construct's policies */
  assertMutableRole(prop: string, what: string, instead: string): void;
  /** the partition, region and account of what the instances read where they build */
  arnScope(): ArnScope;
  warn(id: string, message: string): void;
}
