import { needRequests, needStatements } from '../../../src/private/grants/aws-managed-component-statements';
import { AWS_MANAGED_COMPONENT_NEEDS } from '../../../src/private/grants/aws-managed-components';
import { evaluate, PolicySource } from '../../../src/private/iam/policies';
import { Hole } from '../../../src/private/iam/text';

const SCOPE = { partition: 'aws', region: 'us-east-1', account: '111122223333' };
const BUILD_INSTANCE: Hole = { hole: 'build instance' };
const OTHER_INSTANCE: Hole = { hole: 'other instance' };

function policyOf(statements: ReturnType<typeof needStatements>): PolicySource {
  return {
    name: 'own',
    statements: statements.map(s => ({ Effect: 'Allow', Action: s.actions, Resource: s.resource, ...s.conditions ? { Condition: s.conditions } : {} })),
  };
}

const principal = { 'aws:PrincipalAccount': SCOPE.account, 'aws:PrincipalArn': `arn:aws:iam::${SCOPE.account}:role/TeamRole` };

describe.each(AWS_MANAGED_COMPONENT_NEEDS.map(row => [row.names[0], row] as const))('%s', (_, row) => {
  const policy = policyOf(needStatements(row, SCOPE));

  test('given its statements, when the library evaluates each request of the build instance, then it is allowed', () => {
    for (const request of needRequests(row, SCOPE, BUILD_INSTANCE)) {
      const verdict = evaluate({ ...request, context: { ...principal, ...request.context } }, { identity: [policy] });
      expect([request.action, verdict.decision]).toEqual([request.action, 'allowed']);
    }
  });

  test('given its statements, when a request meant for the build instance targets another instance, then it is not allowed', () => {
    const requests = needRequests(row, SCOPE, BUILD_INSTANCE).filter(r => r.context['ec2:InstanceID'] !== undefined);
    for (const request of requests) {
      // the same call by the build instance, on an instance whose id may or may not be its own
      const resource = `arn:aws:ec2:${SCOPE.region}:${SCOPE.account}:instance/`;
      const verdict = evaluate({ action: request.action, resource: [resource, OTHER_INSTANCE], context: { ...principal, ...request.context, 'ec2:InstanceID': [OTHER_INSTANCE] } }, { identity: [policy] });
      expect([request.action, verdict.decision]).not.toEqual([request.action, 'allowed']);
    }
  });

  test('given its statements, then a "*" resource carries a reason for cdk-nag that names the components', () => {
    for (const statement of needStatements(row, SCOPE).filter(s => s.resource.includes('*'))) {
      expect(statement.wildcardReason).toContain(row.names[0]);
    }
  });
});
