import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { inEveryLanguage } from './method-names';

/** How a message says to import a profile with its role. */
export const IMPORT_WITH_ROLE = `import it with ${inEveryLanguage('ImageBuilderInstanceProfile.fromInstanceProfileAttributes')} and give its role`;

/**
 * The principal of an instance profile imported without its role: every grant to it is an error that
 * says how to give the role, rather than a statement that goes nowhere.
 */
export class UnknownRolePrincipal implements iam.IPrincipal {
  public readonly assumeRoleAction = 'sts:AssumeRole';
  public readonly grantPrincipal: iam.IPrincipal = this;

  constructor(private readonly profile: IConstruct) {}

  public get policyFragment(): iam.PrincipalPolicyFragment {
    throw this.error();
  }

  public addToPrincipalPolicy(_statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    throw this.error();
  }

  public addToPolicy(statement: iam.PolicyStatement): boolean {
    return this.addToPrincipalPolicy(statement).statementAdded;
  }

  private error(): Error {
    return new Error(`'${this.profile.node.path}' was imported without its role, so nothing can be granted to it: ${IMPORT_WITH_ROLE}`);
  }
}
